"""BM25 (rank-bm25) over the same chunks the dense index holds."""

from __future__ import annotations

import numpy as np
from rank_bm25 import BM25Okapi

from tutor.core.text import content_words
from tutor.core.types import Chunk


def chunk_terms(chunk: Chunk) -> list[str]:
    """What BM25 indexes for a chunk: its section question plus its text."""
    return content_words(f"{chunk.question}\n{chunk.heading}\n{chunk.text}")


class BM25Index:
    """Keyword retrieval; returns (chunk index, score) pairs best first."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self._bm25 = BM25Okapi([chunk_terms(c) or ["_"] for c in chunks])

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        terms = content_words(query)
        if not terms:
            return []
        scores = np.asarray(self._bm25.get_scores(terms))
        order = np.argsort(-scores)[:k]
        return [(int(i), float(scores[i])) for i in order if scores[i] > 0]
