"""BM25 (rank-bm25) over the same chunks the dense index holds."""

from __future__ import annotations

import numpy as np
from rank_bm25 import BM25Okapi

from tutor.core.text import TERMS_VERSION, content_words
from tutor.core.types import Chunk
from tutor.index.cache import IndexCache


def chunk_terms(chunk: Chunk) -> list[str]:
    """What BM25 indexes for a chunk: its section question plus its text."""
    return content_words(f"{chunk.question}\n{chunk.heading}\n{chunk.text}")


def indexed_terms(chunks: list[Chunk], cache: IndexCache | None = None) -> list[list[str]]:
    """Every chunk's `chunk_terms`, read from the index cache when a process stored them."""
    name = f"terms-v{TERMS_VERSION}"
    stored = cache.load_json(name) if cache is not None else None
    if isinstance(stored, list) and len(stored) == len(chunks):
        return stored
    terms = [chunk_terms(c) for c in chunks]
    if cache is not None:
        cache.save_json(name, terms)
    return terms


class BM25Index:
    """Keyword retrieval; returns (chunk index, score) pairs best first.

    Args:
        chunks: the indexed chunks.
        terms: their `chunk_terms`, when already at hand (see `indexed_terms`).
    """

    def __init__(self, chunks: list[Chunk], terms: list[list[str]] | None = None) -> None:
        if terms is None or len(terms) != len(chunks):
            terms = indexed_terms(chunks)
        self.terms = terms
        self._bm25 = BM25Okapi([t or ["_"] for t in terms])

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        terms = content_words(query)
        if not terms:
            return []
        scores = np.asarray(self._bm25.get_scores(terms))
        order = np.argsort(-scores)[:k]
        return [(int(i), float(scores[i])) for i in order if scores[i] > 0]
