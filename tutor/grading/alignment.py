"""An answer's sentences as grading units: question demoting, repeats dropped, keyword lists told
apart from prose (the evidence per rubric point is `tutor.grading.evidence`)."""

from __future__ import annotations

import re

from tutor.core.lexicon import TECHNICAL, technicality
from tutor.core.text import STOPWORDS, content_words, normalise_ws, split_sentences, stem, tokenize

MIN_NOVEL_WORDS = 2  # a sentence must add this many words beyond the question to count
# Words that restate rather than explain; they do not make a sentence say something new.
GENERIC = frozenset(stem(w) for w in """kind way word words thing things make makes made type types
    sort basically called mean means meaning known term terms rather other others example say
    said simply really actually exactly whole part stuff something question answer""".split())


def answer_segments(answer: str, question: str) -> list[str]:
    """Distinct answer sentences that say something beyond restating the question."""
    asked = set(content_words(question))
    seen: set[str] = set()
    segments = []
    for sentence in split_sentences(answer):
        key = re.sub(r"\W+", " ", sentence.lower()).strip()
        if not key or key in seen:
            continue
        seen.add(key)
        novel = [w for w in content_words(sentence) if w not in asked and w not in GENERIC]
        if len(novel) >= MIN_NOVEL_WORDS or _names_a_term(sentence, asked):
            segments.append(sentence)
    return segments


_WORD = re.compile(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*")


def without_question_words(text: str, asked: set[str]) -> str:
    """The text less the words whose stems the question holds (question demoting): what a
    sentence says beyond naming the topic. The text itself when nothing else is left."""
    def keep(match: re.Match[str]) -> str:
        parts = [w for t in tokenize(match.group(0)) for w in t.split("-")
                 if w and w not in STOPWORDS]
        return "" if parts and all(stem(w) in asked for w in parts) else match.group(0)

    rest = normalise_ws(_WORD.sub(keep, text))
    return rest if content_words(rest) else text


RELATION = re.compile(r"\s(?:=|->|→|=>)\s")  # "Precision = TP/(TP+FP)": a terse "is", "gives"


def prose_ratio(answer: str) -> float:
    """Share of function words; explanations run ~0.35-0.55, keyword lists near 0. A relation
    sign between words ("dropout = regularization") reads as the verb it stands for."""
    tokens = tokenize(answer)
    if not tokens:
        return 0.0
    relations = len(RELATION.findall(answer))
    return (sum(t in STOPWORDS for t in tokens) + relations) / (len(tokens) + relations)


def _names_a_term(sentence: str, asked: set[str]) -> bool:
    """Is a short sentence a statement (it has a function word) that names a technical word
    the question does not ("Stack is LIFO.")? It answers, though it adds only one word; a bare
    keyword ("BACKPROPAGATION", a bullet) states nothing."""
    tokens = tokenize(sentence)
    return any(t in STOPWORDS for t in tokens) and any(
        technicality(w) >= TECHNICAL for t in tokens for w in t.split("-")
        if w not in STOPWORDS and stem(w) not in asked)
