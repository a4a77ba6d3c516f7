"""BM25 (rank-bm25's Okapi scores) over the chunks the dense index holds, and over cards.

rank-bm25 builds the statistics; scoring reads precomputed postings (each term's documents and
their BM25 weight), so a query costs a few array additions instead of a Python loop over every
document per query term. The scores are rank-bm25's own (tested).
"""

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


class TermIndex:
    """BM25 over any documents given as term lists; `scores(terms)` gives one score per document.

    Args:
        documents: each document's terms (as `content_words` returns them).
    """

    def __init__(self, documents: list[list[str]]) -> None:
        bm25 = BM25Okapi([d or ["_"] for d in documents]) if documents else None
        self.size = len(documents)
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if bm25 is None:
            return
        lengths = np.asarray(bm25.doc_len, dtype=np.float64)
        norm = bm25.k1 * (1 - bm25.b + bm25.b * lengths / bm25.avgdl)
        docs: dict[str, list[int]] = {}
        for i, freqs in enumerate(bm25.doc_freqs):
            for term in freqs:
                docs.setdefault(term, []).append(i)
        for term, where in docs.items():
            idx = np.asarray(where, dtype=np.intp)
            tf = np.asarray([bm25.doc_freqs[i][term] for i in where], dtype=np.float64)
            weight = bm25.idf[term] * tf * (bm25.k1 + 1) / (tf + norm[idx])
            self._postings[term] = (idx, weight)

    def scores(self, terms: list[str]) -> np.ndarray:
        """rank-bm25's `get_scores(terms)`: a repeated query term counts again."""
        out = np.zeros(self.size)
        for term in terms:
            posting = self._postings.get(term)
            if posting is not None:
                out[posting[0]] += posting[1]
        return out

    def df(self, term: str) -> int:
        """In how many documents the term occurs."""
        posting = self._postings.get(term)
        return 0 if posting is None else len(posting[0])


class BM25Index:
    """Keyword retrieval over chunks; returns (chunk index, score) pairs best first.

    Args:
        chunks: the indexed chunks.
        terms: their `chunk_terms`, when already at hand (see `indexed_terms`).
    """

    def __init__(self, chunks: list[Chunk], terms: list[list[str]] | None = None) -> None:
        if terms is None or len(terms) != len(chunks):
            terms = indexed_terms(chunks)
        self.terms = terms
        self.index = TermIndex(terms)

    def scores(self, terms: list[str]) -> np.ndarray:
        """One BM25 score per chunk for query terms."""
        return self.index.scores(terms)

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        return top_positive(self.scores(content_words(query)), k)


def top_positive(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """(index, score) of the k best positive scores, best first."""
    if k <= 0 or not len(scores):
        return []
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    top = top[np.lexsort((top, -scores[top]))]
    return [(int(i), float(scores[i])) for i in top if scores[i] > 0]
