"""The guide's own abbreviations, read from its text, to expand queries both ways.

A guide defines its abbreviations where it first uses them: "Retrieval-Augmented Generation
(RAG)" or "GPT (Generative Pre-trained Transformer)". A pair is accepted when the short form's
letters can be found, in order, at word starts of the long form (Schwartz & Hearst, 2003,
simplified): "TF-IDF (Term Frequency-Inverse Document Frequency)" is kept, "Model Building
(RAG)" is not. A query naming either form is then searched with the other form added, so
"how does RAG cut hallucinations" also matches passages that only spell it out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from tutor.core.text import stem

# "long form (SHORT)": up to 8 words before a parenthesised short form
_LONG_THEN_SHORT = re.compile(
    r"((?:[A-Za-z][\w'-]*,?\s+){0,7}[A-Za-z][\w'-]*)\s*\(\s*([A-Za-z][A-Za-z0-9-]{1,11}?)(s?)\s*\)")
# "SHORT (long form)"
_SHORT_THEN_LONG = re.compile(
    r"\b([A-Z][A-Za-z0-9-]{1,11}?)(s?)\s*\(\s*([A-Za-z][\w' -]{3,80}?)\s*\)")
MAX_LONG_WORDS = 8
_WORD = re.compile(r"[A-Za-z0-9]+")


@dataclass(frozen=True)
class Abbreviation:
    """One short form and the long form the guide gives for it."""

    short: str  # as the guide writes it, e.g. "RAG", "LoRA"
    long: str  # e.g. "Retrieval-Augmented Generation"


def _is_short_form(text: str) -> bool:
    """At least two capitals (or a capital and a digit), no spaces: RAG, LoRA, GPT-3."""
    return (sum(ch.isupper() for ch in text) >= 2 or (
        text[:1].isupper() and any(ch.isdigit() for ch in text))) and " " not in text


def match_long_form(short: str, candidate: str) -> str | None:
    """The tail of `candidate` whose letters spell `short` in order, its first letter starting
    the tail's first word (Schwartz-Hearst), or None when they cannot be matched."""
    letters = [ch.lower() for ch in short if ch.isalnum()]
    if not letters:
        return None
    limit = min(len(letters) + 5, 2 * len(letters))
    spans = [m.start() for m in _WORD.finditer(candidate)]
    text = candidate[spans[-limit]:] if len(spans) > limit else candidate
    pos = len(text) - 1
    for li in range(len(letters) - 1, -1, -1):
        while pos >= 0 and (text[pos].lower() != letters[li] or (
                li == 0 and pos > 0 and text[pos - 1].isalnum())):
            pos -= 1
        if pos < 0:
            return None
        pos -= 1
    long = text[pos + 1:].strip()
    return long if len(_WORD.findall(long)) >= 2 else None


def find_abbreviations(texts: Iterable[str]) -> list[Abbreviation]:
    """Abbreviations defined in the texts, first definition of each short form kept."""
    found: dict[str, Abbreviation] = {}
    for text in texts:
        for m in _LONG_THEN_SHORT.finditer(text):
            short = m.group(2)
            if not _is_short_form(short) or short.lower() in found:
                continue
            long = match_long_form(short, m.group(1))
            if long:
                found[short.lower()] = Abbreviation(short, long)
        for m in _SHORT_THEN_LONG.finditer(text):
            short, long_text = m.group(1), m.group(3)
            if (not _is_short_form(short) or short.lower() in found
                    or len(_WORD.findall(long_text)) < 2):
                continue
            long = match_long_form(short, long_text)
            if long and long == long_text.strip():  # the whole parenthesis, not a tail of it
                found[short.lower()] = Abbreviation(short, long)
    return list(found.values())


@dataclass
class Glossary:
    """The abbreviations of an index, and query expansion with them."""

    abbreviations: list[Abbreviation] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_short = {a.short.lower(): a for a in self.abbreviations}
        self._long_by_first: dict[str, list[tuple[tuple[str, ...], Abbreviation]]] = {}
        for a in self.abbreviations:
            long_words = tuple(words(a.long))
            if long_words:
                self._long_by_first.setdefault(long_words[0], []).append((long_words, a))

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> Glossary:
        return cls(find_abbreviations(texts))

    def expansions(self, query: str) -> list[str]:
        """The other form of every abbreviation the query names (short or long form)."""
        tokens = [t.lower() for t in _WORD.findall(query)]
        out: list[str] = []
        for token in tokens:
            for key in (token, token[:-1] if token.endswith("s") else None):
                if key and key in self._by_short:
                    out.append(self._by_short[key].long)
                    break
        stems = words(query)
        for i, first in enumerate(stems):
            for long_words, abbreviation in self._long_by_first.get(first, ()):
                if tuple(stems[i:i + len(long_words)]) == long_words:
                    out.append(abbreviation.short)
        return list(dict.fromkeys(out))

    def expand(self, query: str) -> str:
        """The query with the other forms of its abbreviations appended (unchanged if none)."""
        extra = self.expansions(query)
        return f"{query} ({'; '.join(extra)})" if extra else query


def words(text: str) -> list[str]:
    """Lower-case stemmed words, hyphens split and stop words kept ("learning from human")."""
    return [stem(w) for w in _WORD.findall(text.lower())]

