"""Grounding checks: every quote shown must stand verbatim in the indexed guide."""

from __future__ import annotations

from collections.abc import Iterable

from tutor.core.text import normalise_ws
from tutor.core.types import Chunk


class QuoteVerifier:
    """Checks quotes against the indexed chunk texts (whitespace-normalised)."""

    def __init__(self, chunks: Iterable[Chunk]) -> None:
        self._texts = {c.id: normalise_ws(c.text) for c in chunks}
        self._all = "\n".join(self._texts.values())

    def exists(self, quote: str, chunk_id: str | None = None) -> bool:
        """True when the quote is verbatim in the named chunk (or anywhere, without one)."""
        needle = normalise_ws(quote)
        if not needle:
            return False
        if chunk_id is not None and chunk_id in self._texts:
            return needle in self._texts[chunk_id]
        return needle in self._all
