"""The facets of a question: the phrases an answer must speak to, and how well the guide knows them.

A question is cut into facets at its function words and its interrogative frame ("why does",
"what is the difference between"): "Why does RAG reduce hallucinations?" has the facets
"RAG (Retrieval-Augmented Generation)" (an abbreviation the guide defines is a concept of its
own, read with its long form) and "reduce hallucinations"; "How does speculative decoding speed
up LLM inference with a small draft model?" has "speculative decoding speed", "LLM (Large
Language Models)", "inference" and "small draft model".

Each word of a facet is *known* when the guide uses it (stemmed, as an abbreviation it defines,
in another inflection a stemmer leaves apart: "rarer" for its "rare", or, for a word rare in
everyday English, in a longer form: "telecom" for its "telecommunications"); *unknown* when
it does not but is an everyday English word ("appear", "anything", "AI-written": common in
general English, `tutor.core.lexicon`); and *rare* when the guide does not use it and it is a
term of some field: an acronym, digits, or a word rare in everyday English ("word2vec",
"XGBoost", "speculative", "sourdough"). Facets holding unknown or rare words are the ones the
guide may not cover; the answer checks them against its evidence.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from tutor.core.lexicon import lemmas, technicality
from tutor.core.text import STOPWORDS, content_words, stem, tokenize
from tutor.index.knowledge import KnowledgeBase
from tutor.retrieval.glossary import Glossary

Kind = str  # "known" | "unknown" | "rare"
# from this technicality (Zipf 4, midway between everyday and rare) a word is a term of a field
TECHNICAL = 0.5
# a rare word of at least MIN_CLIPPED letters the guide writes with MIN_EXTENSION more is known
MIN_CLIPPED, MIN_EXTENSION = 4, 2
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[-'’][A-Za-z0-9]+)*")
# words that frame a question rather than name what it asks about
FRAME = frozenset("""what how why when where which who whom whose is are was were do does did
    can could would should will shall may might must explain describe tell give name list there
    mean means meaning difference differences different differ between vs versus isn't aren't
    don't doesn't can't won't wouldn't couldn't shouldn't didn't it's what's""".split())
FRAME_STEMS = frozenset(content_words(" ".join(FRAME)))
# "What is teacher forcing and ...?", "Explain teacher forcing.": the term a question asks to
# define (two or three words before the question's end, a comma or a word that goes on to
# something else)
_DEFINE = re.compile(r"^\W*(?:what(?:['’]s|\s+is|\s+are)|define|explain|describe"
                     r"|tell\s+me\s+about)\s+(?:(?:an?|the)\s+)?"
                     r"(?P<term>[\w-]+(?:\s+[\w-]+){1,2}?)\s*"
                     r"(?:[?,;:.]|$|\s(?:and|in|for|when|why|how|used)\b)", re.IGNORECASE)
# words that name no term ("the whole thing", "the main idea")
_VAGUE = frozenset("""thing things stuff kind sort type way deal idea point main whole basic
    basically exactly actually really best good bad big new simple difference""".split())


@dataclass(frozen=True)
class Facet:
    """One phrase of a question and the least familiar kind of word it holds."""

    text: str
    kind: Kind  # "known", "unknown" or "rare"


class Vocabulary:
    """What the indexed guide writes: stemmed words, hyphenated compounds and abbreviations."""

    def __init__(self, kb: KnowledgeBase, glossary: Glossary) -> None:
        texts = [c.text for c in kb.chunks] + [f"{c.heading}\n{c.question}" for c in kb.cards]
        self.stems = set(kb.document_frequency()) | {
            w for c in kb.cards for w in content_words(f"{c.heading} {c.question}")}
        tokens = {t.lower() for text in texts for t in _TOKEN.findall(text)}
        # the guide's words in order, stemmed and hyphens split, for the phrases it writes
        self.running_text = " " + " ".join(
            stem(w) for text in texts for t in tokenize(text) for w in t.split("-") if w) + " "
        self.compounds = {t for t in tokens if "-" in t}
        self.words = sorted(tokens)  # for the longer forms of a clipped word (bisect)
        self.glossary = glossary

    def extends(self, word: str) -> bool:
        """Whether the guide writes a longer form of the word ("telecom" ->
        "telecommunications", "trouble" -> "troubleshooting"): a clipped or derived form of a
        word it uses, which Porter stems apart."""
        i = bisect.bisect_left(self.words, word)
        while i < len(self.words) and self.words[i].startswith(word):
            if len(self.words[i]) >= len(word) + MIN_EXTENSION:
                return True
            i += 1
        return False

    def writes(self, word: str) -> bool:
        """Whether the guide uses every stem of the word."""
        stems = content_words(word)
        return bool(stems) and all(s in self.stems for s in stems)

    def writes_phrase(self, words: list[str]) -> bool:
        """Whether the guide writes the words in a row, in any inflection, each word perhaps
        in a longer form ("neural net" for its "neural network")."""
        pattern = r" " + r" ".join(re.escape(stem(w)) + r"[a-z0-9]*" for w in words) + r" "
        return re.search(pattern, self.running_text) is not None

    def kind(self, word: str) -> Kind | None:
        """The word's kind; None for a function word."""
        lower = word.lower()
        stems = content_words(lower)
        if lower in STOPWORDS or lower in FRAME or not stems:
            return None
        compound_known = "-" not in lower or lower in self.compounds
        if (self.writes(lower) and compound_known) or self.glossary.expansions(word) \
                or any(self.writes(lemma) for lemma in lemmas(lower)):
            return "known"
        acronym = sum(ch.isupper() for ch in word) >= 2 or any(ch.isdigit() for ch in word)
        if acronym:
            return "rare"
        if technicality(lower) >= TECHNICAL:  # a rare word, unless clipped from the guide's
            return "known" if len(lower) >= MIN_CLIPPED and self.extends(lower) else "rare"
        return "unknown"


@lru_cache(maxsize=4)
def vocabulary_for(kb: KnowledgeBase) -> Vocabulary:
    """The Vocabulary of an index, built once per KnowledgeBase."""
    return Vocabulary(kb, Glossary.from_texts(
        t for c in kb.cards for t in (c.heading, c.question, c.body)))


_RANK = {"known": 0, "unknown": 1, "rare": 2}


def question_facets(question: str, vocabulary: Vocabulary) -> list[Facet]:
    """The question's facets in order, each with its least familiar word's kind."""
    facets: list[Facet] = []
    words: list[str] = []
    kinds: list[Kind] = []

    def close() -> None:
        if words:
            facets.append(Facet(" ".join(words), max(kinds, key=_RANK.__getitem__)))
            words.clear()
            kinds.clear()

    for word in _TOKEN.findall(question):
        kind = vocabulary.kind(word.replace("’", "'")) if len(word) > 1 else None
        if kind is None:
            close()
            continue
        expansion = (vocabulary.glossary.expansions(word)
                     if sum(ch.isupper() for ch in word) >= 2 else [])
        if expansion:  # an abbreviation the guide defines names a concept of its own
            close()
            facets.append(Facet(f"{word} ({expansion[0]})", "known"))
            continue
        words.append(word)
        kinds.append(kind)
    close()
    return facets


def undefined_term(question: str, vocabulary: Vocabulary) -> str:
    """The term a "What is X?" ("Explain X.", "Define X") question asks about, when it is a
    term of two or three words (no function or vague word, no abbreviation: those the other
    measures read) that the guide never writes in a row: it cannot define what it never names
    ("What is teacher forcing?", though it uses "teacher" and "forcing"). Empty otherwise."""
    match = _DEFINE.search(question)
    if not match:
        return ""
    term = match.group("term")
    tokens = tokenize(term)  # a compound ("mixture-of-experts") is one token here
    words = [w for t in tokens for w in t.split("-") if w]
    if (len(words) < 2 or any(t in STOPWORDS or t in FRAME or t in _VAGUE for t in tokens)
            or sum(ch.isupper() for ch in term) >= 2 or vocabulary.writes_phrase(words)):
        return ""
    return term


def unfamiliar_words(question: str, vocabulary: Vocabulary) -> list[str]:
    """The question's words the guide never uses (unknown or rare), each once, in order."""
    words = [w for w in _TOKEN.findall(question) if len(w) > 1
             and vocabulary.kind(w.replace("’", "'")) in ("unknown", "rare")]
    return list(dict.fromkeys(words))
