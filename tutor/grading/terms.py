"""Key-term evidence: does the answer say a rubric point's concepts, in any of their aliases?

Each point lists term groups; a group is one concept and its entries are alternatives a
candidate may use ("low-rank", "rank decomposition", "small matrices"). Matching is on stemmed
word sequences, so "quantized" matches "quantization" and "low rank" matches "low-rank".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tutor.core.text import STOPWORDS, stem, tokenize


def stemmed_words(text: str) -> tuple[str, ...]:
    """Lower-case, stemmed word sequence (hyphenated words split)."""
    return tuple(stem(w) for t in tokenize(text) for w in t.split("-") if w)


@dataclass(frozen=True)
class TermGroup:
    """One concept with its aliases, each pre-stemmed."""

    aliases: tuple[str, ...]
    stems: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, aliases: Sequence[str]) -> TermGroup:
        kept = tuple(a.strip() for a in aliases if a.strip())
        return cls(kept, tuple(s for s in (stemmed_words(a) for a in kept) if s))

    def found_in(self, words: tuple[str, ...]) -> str | None:
        """The first alias said in `words` (a stemmed word sequence), or None."""
        for alias, seq in zip(self.aliases, self.stems):
            if _position(seq, words) is not None:
                return alias
        return None

    def position_in(self, words: tuple[str, ...]) -> int | None:
        """Where in `words` the group is first said (any alias), or None."""
        span = self.span_in(words)
        return None if span is None else span[0]

    def span_in(self, words: tuple[str, ...]) -> tuple[int, int] | None:
        """Where in `words` the group is first said (start, end of that alias), or None."""
        return min(((at, at + len(seq)) for seq in self.stems
                    if (at := _position(seq, words)) is not None), default=None)


def _position(seq: tuple[str, ...], words: tuple[str, ...]) -> int | None:
    n = len(seq)
    return next((i for i in range(len(words) - n + 1) if words[i:i + n] == seq), None)


# verbs with which a statement defines its subject ("Bias is …", "RAG refers to …")
DEFINING_VERBS = ("is", "are", "means", "refers", "denotes")


def term_recall(groups: Sequence[TermGroup], words: tuple[str, ...]) -> tuple[float, list[str]]:
    """Share of the groups said in `words`, and the aliases that were found."""
    if not groups:
        return 0.0, []
    found = [alias for g in groups if (alias := g.found_in(words)) is not None]
    return len(found) / len(groups), found


STEMMED_STOPWORDS = frozenset(stemmed_words(" ".join(sorted(STOPWORDS))))
