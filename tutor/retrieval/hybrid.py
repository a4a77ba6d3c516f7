"""Hybrid retrieval: cards ranked from several views (dense and BM25), then their chunks.

A query is embedded once. The cards are ranked by a learned weighing of their views
(`tutor.retrieval.views`, `tutor.retrieval.fusion`): question and heading, key points, chunks,
whole text, with the guide's own abbreviations expanded. Chunks are returned in card order,
each card's best chunk first; a card's other chunks fall behind by how much weaker their own
dense + BM25 evidence (RRF, or min-max score fusion) is than its best chunk's, so a strong
passage of the second card can come before a weak one of the first.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Protocol

import numpy as np

from tutor.core.settings import Settings
from tutor.core.text import content_words
from tutor.core.types import Hit
from tutor.embedding.embedder import Embedder, embedder_for
from tutor.index.cache import IndexCache, index_cache
from tutor.index.knowledge import KnowledgeBase
from tutor.index.vectorstore import (
    EXACT_SEARCH_LIMIT,
    ChromaVectors,
    ExactVectors,
    VectorSearch,
    open_vectors,
)
from tutor.retrieval.fusion import (
    CARD_WEIGHTS,
    WEIGHTED_ALPHA,
    card_scores,
    rrf,
    standardise,
    weight_vector,
    weighted,
)
from tutor.retrieval.glossary import Glossary
from tutor.retrieval.lexical import BM25Index, indexed_terms, top_positive
from tutor.retrieval.views import FEATURES, CardViews

__all__ = ["HybridRetriever", "Retriever", "open_retriever", "rrf", "weighted"]
log = logging.getLogger(__name__)

DENSE_CACHE_SIZE = 256  # queries whose dense ranking is remembered (grading asks twice)
# how far a card's weaker chunk falls behind its best one, per unit of standardised chunk
# evidence (the card scores span a few units): chosen on the ask set's gold sentences
CHUNK_SPREAD = 0.5


class Retriever(Protocol):
    """The retriever contract."""

    def search(self, query: str, k: int = 5) -> list[Hit]: ...


class HybridRetriever:
    """Cards ranked from their views, chunks within them by dense + BM25 evidence.

    Args:
        kb: the index.
        vectors: the chunk vectors.
        embedder: embeds queries (and, once, the card views).
        fusion: how a card's chunks are compared: "rrf" or "weighted" (min-max scores).
        rrf_k: the RRF constant.
        depth: candidates per side for the chunk evidence.
        terms: the chunks' BM25 terms, when already at hand.
        cache: the index cache (keeps the card view vectors between processes).
        card_weights: weights of the card features (default: the shipped, fitted ones).
    """

    def __init__(self, kb: KnowledgeBase, vectors: VectorSearch, embedder: Embedder,
                 fusion: str = "rrf", rrf_k: int = 60, depth: int = 30,
                 terms: list[list[str]] | None = None, cache: IndexCache | None = None,
                 card_weights: dict[str, float] | None = None) -> None:
        self.kb = kb
        self._vectors = vectors
        self._embedder = embedder
        self._bm25 = BM25Index(kb.chunks, terms)
        self._fusion = fusion
        self._rrf_k = rrf_k
        self._depth = depth
        self._cache = cache
        self.card_weights = dict(card_weights or CARD_WEIGHTS)
        self._weights = weight_vector(self.card_weights, FEATURES)
        self._dense_ranking = lru_cache(maxsize=DENSE_CACHE_SIZE)(self._dense_uncached)
        self._views: CardViews | None = None
        self._views_tried = False
        self._rows_chunk = np.zeros(0, dtype=np.intp)
        self._rows_known = np.zeros(0, dtype=bool)
        self._row_ids: list[str] = []

    # --- the pieces (also used by grading and ask) --------------------------------------

    def dense(self, query: str, k: int) -> list[tuple[str, float]]:
        """(chunk id, cosine) best first; recent queries are remembered (grading asks twice)."""
        return self._dense_ranking(query, max(k, self._depth))[:k]

    def _dense_uncached(self, query: str, depth: int) -> list[tuple[str, float]]:
        return self._vectors.search(self._embedder.embed_query(query), depth)

    def nearest_chunks(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(chunk id, cosine) best first for a vector already embedded (e.g. an answer's)."""
        return self._vectors.search(vector, k)

    def lexical(self, query: str, k: int) -> list[tuple[str, float]]:
        """(chunk id, BM25) best first, for the query as written."""
        return [(self.kb.chunks[i].id, s) for i, s in self._bm25.search(query, k)]

    @property
    def glossary(self) -> Glossary:
        views = self.views
        return views.glossary if views is not None else Glossary.from_texts(
            t for c in self.kb.cards for t in (c.heading, c.question, c.body))

    def expanded_terms(self, query: str) -> list[str]:
        """The query's content words with the other form of its abbreviations."""
        return content_words(self.glossary.expand(query))

    @property
    def views(self) -> CardViews | None:
        """The card views, built on first use (None when the vectors cannot be held in memory)."""
        if not self._views_tried:
            self._views_tried = True
            exact = _exact(self._vectors)
            if exact is None:
                log.info("vector collection too large to hold: cards ranked by their chunks only")
            elif self.kb.chunks:
                index = {c.id: i for i, c in enumerate(self.kb.chunks)}
                self._rows_chunk = np.asarray([index.get(cid, 0) for cid in exact.ids])
                self._rows_known = np.asarray([cid in index for cid in exact.ids])
                self._views = CardViews(self.kb, exact.ids, exact.matrix, self._embedder,
                                        self._cache)
                self._row_ids = [exact.ids[r] for r in self._views.chunk_rows]
        return self._views

    # --- search --------------------------------------------------------------------------

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """The k best chunks for a query (cards in rank order, each card's best chunk first)."""
        query = query.strip()
        if not query:
            return []
        views = self.views
        if views is None:
            return self._chunk_search(query, k)
        vector = self._embedder.embed_query(query)
        terms = content_words(views.glossary.expand(query))
        chunk_bm25 = self._by_row(self._bm25.scores(terms))
        features, cosines = views.features(vector, chunk_bm25, terms)
        cards = card_scores(features, self._weights)
        lexical = chunk_bm25[views.chunk_rows]
        depth = min(self._depth, len(cosines))
        dense_rank, bm25_rank = _ranks(cosines, depth), _ranks(lexical, depth, positive=True)
        evidence = standardise(self._chunk_evidence(cosines, lexical, dense_rank, bm25_rank))
        owner = views.chunk_owner
        best = np.maximum.reduceat(evidence, views.chunk_starts)
        scores = cards[owner] + CHUNK_SPREAD * (evidence - best[owner])
        order = np.lexsort((np.arange(len(scores)), -scores))[:k]
        hits = []
        for i in order:
            chunk = self.kb.chunk(self._row_ids[i])
            if chunk is not None:
                hits.append(Hit(chunk=chunk, score=float(scores[i]),
                                dense_rank=int(dense_rank[i]) or None,
                                bm25_rank=int(bm25_rank[i]) or None))
        return hits

    def _by_row(self, bm25: np.ndarray) -> np.ndarray:
        """Chunk BM25 scores in the order of the vector matrix's rows."""
        return np.where(self._rows_known, bm25[self._rows_chunk], 0.0)

    def _chunk_evidence(self, dense: np.ndarray, lexical: np.ndarray, dense_rank: np.ndarray,
                        bm25_rank: np.ndarray) -> np.ndarray:
        """Each chunk's own dense + BM25 evidence, as `rrf` or `weighted` fuse the two
        candidate lists (0 outside both)."""
        if self._fusion == "rrf":
            return (np.where(dense_rank > 0, 1.0 / (self._rrf_k + dense_rank), 0.0)
                    + np.where(bm25_rank > 0, 1.0 / (self._rrf_k + bm25_rank), 0.0))
        return (WEIGHTED_ALPHA * _min_max(dense, dense_rank > 0)
                + (1 - WEIGHTED_ALPHA) * _min_max(lexical, bm25_rank > 0))

    def _chunk_search(self, query: str, k: int) -> list[Hit]:
        """Chunks alone, dense and BM25 fused (a collection too large for the card views)."""
        depth = max(self._depth, k)
        dense = self.dense(query, depth)
        lexical = [(self.kb.chunks[i].id, s) for i, s in top_positive(
            self._bm25.scores(self.expanded_terms(query)), depth)]
        fused = (rrf(dense, lexical, k=self._rrf_k) if self._fusion == "rrf"
                 else weighted(dense, lexical))
        return self._hits(fused[:k], dense, lexical)

    def _hits(self, ranked: list[tuple[str, float]], dense: list[tuple[str, float]],
              lexical: list[tuple[str, float]]) -> list[Hit]:
        dense_rank = {cid: r for r, (cid, _) in enumerate(dense, 1)}
        bm25_rank = {cid: r for r, (cid, _) in enumerate(lexical, 1)}
        hits = []
        for cid, score in ranked:
            chunk = self.kb.chunk(cid)
            if chunk is not None:
                hits.append(Hit(chunk=chunk, score=score, dense_rank=dense_rank.get(cid),
                                bm25_rank=bm25_rank.get(cid)))
        return hits

    def card_features(self, query: str) -> np.ndarray:
        """(cards, FEATURES) raw features of the query (cards in `views.card_ids` order)."""
        views = self.views
        if views is None:
            raise ValueError("card features need the vectors in memory")
        terms = content_words(views.glossary.expand(query))
        features, _ = views.features(self._embedder.embed_query(query),
                                     self._by_row(self._bm25.scores(terms)), terms)
        return features


def _ranks(scores: np.ndarray, depth: int, positive: bool = False) -> np.ndarray:
    """1-based rank of each of the `depth` best scores (positive ones only, if asked), else 0."""
    ranks = np.zeros(len(scores), dtype=np.intp)
    if depth <= 0:
        return ranks
    top = (np.argpartition(-scores, depth - 1)[:depth] if depth < len(scores)
           else np.arange(len(scores)))
    top = top[np.lexsort((top, -scores[top]))]
    if positive:
        top = top[scores[top] > 0]
    ranks[top] = np.arange(1, len(top) + 1)
    return ranks


def _min_max(values: np.ndarray, among: np.ndarray) -> np.ndarray:
    """`values` scaled to [0, 1] over the rows `among` (as `weighted` does), 0 elsewhere."""
    if not among.any():
        return np.zeros(len(values))
    lo, hi = values[among].min(), values[among].max()
    scaled = (values - lo) / (hi - lo) if hi > lo else np.ones(len(values))
    return np.where(among, scaled, 0.0)


def _exact(vectors: VectorSearch) -> ExactVectors | None:
    """The vectors as an in-memory matrix, when they are (or may be) held so."""
    if isinstance(vectors, ExactVectors):
        return vectors
    if isinstance(vectors, ChromaVectors) and vectors.count() <= EXACT_SEARCH_LIMIT:
        return vectors.in_memory()
    matrix, ids = getattr(vectors, "matrix", None), getattr(vectors, "ids", None)
    if isinstance(matrix, np.ndarray) and isinstance(ids, list):
        return ExactVectors(ids, matrix)
    return None


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
                           terms=indexed_terms(kb.chunks, cache), cache=cache)
