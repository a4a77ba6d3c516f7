"""Key-term evidence: does the answer say a rubric point's concepts, in any of their aliases?

Each point lists term groups; a group is one concept and its entries are alternatives a
candidate may use ("low-rank", "rank decomposition", "small matrices"). Matching is on stemmed
word sequences, so "quantized" matches "quantization" and "low rank" matches "low-rank".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tutor.core.text import stem, tokenize


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
            n = len(seq)
            if any(words[i:i + n] == seq for i in range(len(words) - n + 1)):
                return alias
        return None


def term_recall(groups: Sequence[TermGroup], words: tuple[str, ...]) -> tuple[float, list[str]]:
    """Share of the groups said in `words`, and the aliases that were found."""
    if not groups:
        return 0.0, []
    found = [alias for g in groups if (alias := g.found_in(words)) is not None]
    return len(found) / len(groups), found
