"""Hybrid retrieval: dense (MiniLM vectors in Chroma) and BM25, fused by reciprocal rank."""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

import numpy as np

from tutor.core.settings import Settings
from tutor.core.types import Hit
from tutor.embedding.embedder import Embedder, embedder_for
from tutor.index.cache import index_cache
from tutor.index.knowledge import KnowledgeBase
from tutor.index.vectorstore import VectorSearch, open_vectors
from tutor.retrieval.lexical import BM25Index, indexed_terms

DENSE_CACHE_SIZE = 256  # queries whose dense ranking is remembered (grading asks twice)


class Retriever(Protocol):
    """The retriever contract."""

    def search(self, query: str, k: int = 5) -> list[Hit]: ...


class HybridRetriever:
    """Dense + BM25 over the same chunks, fused (RRF by default, or min-max score fusion)."""

    def __init__(self, kb: KnowledgeBase, vectors: VectorSearch, embedder: Embedder,
                 fusion: str = "rrf", rrf_k: int = 60, depth: int = 30,
                 terms: list[list[str]] | None = None) -> None:
        self.kb = kb
        self._vectors = vectors
        self._embedder = embedder
        self._bm25 = BM25Index(kb.chunks, terms)
        self._fusion = fusion
        self._rrf_k = rrf_k
        self._depth = depth
        self._dense_ranking = lru_cache(maxsize=DENSE_CACHE_SIZE)(self._dense_uncached)

    def dense(self, query: str, k: int) -> list[tuple[str, float]]:
        """(chunk id, cosine) best first; recent queries are remembered (grading asks twice)."""
        return self._dense_ranking(query, max(k, self._depth))[:k]

    def _dense_uncached(self, query: str, depth: int) -> list[tuple[str, float]]:
        return self._vectors.search(self._embedder.embed_query(query), depth)

    def nearest_chunks(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(chunk id, cosine) best first for a vector already embedded (e.g. an answer's)."""
        return self._vectors.search(vector, k)

    def lexical(self, query: str, k: int) -> list[tuple[str, float]]:
        return [(self.kb.chunks[i].id, s) for i, s in self._bm25.search(query, k)]

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """The k best chunks for a query, with each retriever's rank."""
        query = query.strip()
        if not query:
            return []
        depth = max(self._depth, k)
        dense = self.dense(query, depth)
        lexical = self.lexical(query, depth)
        fused = (rrf(dense, lexical, k=self._rrf_k) if self._fusion == "rrf"
                 else weighted(dense, lexical))
        dense_rank = {cid: r for r, (cid, _) in enumerate(dense, 1)}
        bm25_rank = {cid: r for r, (cid, _) in enumerate(lexical, 1)}
        hits = []
        for cid, score in fused[:k]:
            chunk = self.kb.chunk(cid)
            if chunk is not None:
                hits.append(Hit(chunk=chunk, score=score, dense_rank=dense_rank.get(cid),
                                bm25_rank=bm25_rank.get(cid)))
        return hits


def rrf(*rankings: list[tuple[str, float]], k: int = 60) -> list[tuple[str, float]]:
    """Reciprocal rank fusion of several rankings."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, (cid, _) in enumerate(ranking, 1):
            scores[cid] = scores.get(cid, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])


def weighted(dense: list[tuple[str, float]], lexical: list[tuple[str, float]],
             alpha: float = 0.6) -> list[tuple[str, float]]:
    """Min-max normalised score fusion: alpha * dense + (1 - alpha) * bm25."""
    def norm(pairs: list[tuple[str, float]]) -> dict[str, float]:
        if not pairs:
            return {}
        lo, hi = min(s for _, s in pairs), max(s for _, s in pairs)
        return {c: (s - lo) / (hi - lo) if hi > lo else 1.0 for c, s in pairs}

    d, b = norm(dense), norm(lexical)
    scores = {c: alpha * d.get(c, 0.0) + (1 - alpha) * b.get(c, 0.0) for c in set(d) | set(b)}
    return sorted(scores.items(), key=lambda kv: -kv[1])


def open_retriever(settings: Settings, kb: KnowledgeBase | None = None) -> HybridRetriever:
    """Open the live index as a hybrid retriever.

    Raises:
        IndexMissingError: run `tutor ingest` first.
        VectorStoreError: the vector store is unreachable or its collection missing.
    """
    kb = kb or KnowledgeBase.load(settings.index_dir)
    cache = index_cache(settings, kb)
    vectors = open_vectors(settings, kb.collection, cache)
    embedder = embedder_for(settings)
    return HybridRetriever(kb, vectors, embedder, settings.fusion, settings.rrf_k,
                           terms=indexed_terms(kb.chunks, cache))
