"""Each card represented several ways, and the evidence of each view gathered at card level.

A card is seen through its question and heading, its key points, its chunks, the centroid of
its chunks and the mean of all of these; keyword evidence comes from its chunks (best chunk),
its whole text and its title. Views that carry an abbreviation carry its long form too
(`tutor.retrieval.glossary`), so "RAG" and "Retrieval-Augmented Generation" meet. Every view is
scored against one query vector in one matrix product; `CardViews.features` returns one array
per card, one column per feature (FEATURES), and `tutor.retrieval.fusion` weighs them.

The bundled guide's curated rubric statements were tried as more key-point views (the weights
refitted): cards ranked better (held-out hit@1 0.905 -> 0.916, the blind questions' 0.782 ->
0.800), but `tutor ask` cited fewer gold sentences (cross-validated support recall 0.852 ->
0.826) and answered "How does speculative decoding speed up LLM inference?", so they are not
used.
"""

from __future__ import annotations

import logging

import numpy as np

from tutor.core.text import content_words
from tutor.embedding.embedder import Embedder
from tutor.index.cache import IndexCache
from tutor.index.knowledge import KnowledgeBase
from tutor.retrieval.glossary import Glossary
from tutor.retrieval.lexical import TermIndex

log = logging.getLogger(__name__)

VIEWS_VERSION = 1  # bump when the embedded view texts change (keys the index cache entry)
LSE_TEMPERATURE = 0.05  # soft maximum over a card's chunks / key points (cosine units)
DENSE_FEATURES = ("dense_chunk", "dense_chunk_soft", "dense_title", "dense_point",
                  "dense_point_soft", "dense_centroid", "dense_all")
LEXICAL_FEATURES = ("bm25_chunk", "bm25_card", "bm25_title")
FEATURES = DENSE_FEATURES + LEXICAL_FEATURES


class CardViews:
    """The cards of an index as several embedded and keyword views.

    Args:
        kb: the index.
        chunk_ids: row order of `chunk_matrix`.
        chunk_matrix: the chunks' unit vectors (as the dense index holds them).
        embedder: embeds the title and key-point views (once; kept in `cache`).
        cache: where the view vectors are kept between processes.
    """

    def __init__(self, kb: KnowledgeBase, chunk_ids: list[str], chunk_matrix: np.ndarray,
                 embedder: Embedder, cache: IndexCache | None = None) -> None:
        self.kb = kb
        row = {cid: i for i, cid in enumerate(chunk_ids)}
        held = {ch.card_id for ch in kb.chunks if ch.id in row}
        self.cards = [c for c in kb.cards if c.id in held]  # a card without chunks has no hit
        self.card_ids = [c.id for c in self.cards]
        self.glossary = Glossary.from_texts(
            t for c in kb.cards for t in (c.heading, c.question, c.body))
        card_of = {cid: i for i, cid in enumerate(self.card_ids)}
        n = len(self.card_ids)
        chunk_rows = [(card_of[ch.card_id], row[ch.id]) for ch in kb.chunks
                      if ch.card_id in card_of and ch.id in row]
        chunk_rows.sort()
        self.chunk_owner = np.asarray([o for o, _ in chunk_rows], dtype=np.intp)
        self.chunk_order = np.asarray([r for _, r in chunk_rows], dtype=np.intp)
        titles, points = self._view_texts()
        self.title_owner = np.asarray([o for o, _ in titles], dtype=np.intp)
        self.point_owner = np.asarray([o for o, _ in points], dtype=np.intp)
        title_vectors, point_vectors = self._view_vectors(
            [t for _, t in titles], [t for _, t in points], embedder, cache)
        chunks = chunk_matrix[self.chunk_order]
        centroid = _unit(_group_mean(chunks, self.chunk_owner, n))
        everything = np.concatenate([chunks, title_vectors, point_vectors])
        owners = np.concatenate([self.chunk_owner, self.title_owner, self.point_owner])
        all_views = _unit(_group_mean(everything, owners, n))
        # one matrix for one product per query: chunks | titles | points | centroids | all
        self._matrix = np.concatenate([chunks, title_vectors, point_vectors, centroid, all_views]
                                      ).astype(np.float32)
        sizes = [len(chunks), len(title_vectors), len(point_vectors), n, n]
        self._cuts = np.cumsum([0, *sizes])
        self.chunk_starts = _starts(self.chunk_owner, n)
        self._point_starts = _starts(self.point_owner, n)
        self._title_starts = _starts(self.title_owner, n)
        self.card_terms = TermIndex([content_words(self.glossary.expand(
            f"{c.question}\n{c.heading}\n{c.body}")) for c in self.cards])
        self.title_terms = TermIndex([content_words(self.glossary.expand(
            f"{c.question}\n{c.heading}")) for c in self.cards])

    def _view_texts(self) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
        titles, points = [], []
        for i, card in enumerate(self.cards):
            for text in dict.fromkeys((card.heading, card.question)):
                titles.append((i, self.glossary.expand(text)))
            for point in card.key_points:
                points.append((i, self.glossary.expand(point.text)))
            if not card.key_points:  # a card without points is still seen through its body
                points.append((i, self.glossary.expand(card.body[:500] or card.heading)))
        return titles, points

    def _view_vectors(self, titles: list[str], points: list[str], embedder: Embedder,
                      cache: IndexCache | None) -> tuple[np.ndarray, np.ndarray]:
        name = f"card-views-v{VIEWS_VERSION}"
        stored = cache.load_arrays(name) if cache is not None else None
        if (stored is not None and len(stored["titles"]) == len(titles)
                and len(stored["points"]) == len(points)):
            return stored["titles"], stored["points"]
        log.info("embedding %d card titles and %d key points", len(titles), len(points))
        vectors = embedder.embed_batch(titles + points)
        title_vectors, point_vectors = vectors[:len(titles)], vectors[len(titles):]
        if cache is not None:
            cache.save_arrays(name, titles=title_vectors, points=point_vectors)
        return title_vectors, point_vectors

    @property
    def chunk_rows(self) -> np.ndarray:
        """Rows of the chunk matrix, grouped by card (the order `chunk_similarities` uses)."""
        return self.chunk_order

    def features(self, query_vector: np.ndarray, chunk_bm25: np.ndarray,
                 terms: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(cards, FEATURES) raw feature values, and the chunks' cosines (`chunk_rows` order).

        Args:
            query_vector: the query's unit vector.
            chunk_bm25: BM25 score of every chunk (rows of the chunk matrix).
            terms: the expanded query's content words (for the card and title indexes).
        """
        sims = self._matrix @ query_vector.astype(np.float32, copy=False)
        c = self._cuts
        chunk, title, point = sims[c[0]:c[1]], sims[c[1]:c[2]], sims[c[2]:c[3]]
        out = np.empty((len(self.card_ids), len(FEATURES)))
        out[:, 0] = np.maximum.reduceat(chunk, self.chunk_starts)
        out[:, 1] = _soft_max(chunk, self.chunk_starts, self.chunk_owner)
        out[:, 2] = np.maximum.reduceat(title, self._title_starts)
        out[:, 3] = np.maximum.reduceat(point, self._point_starts)
        out[:, 4] = _soft_max(point, self._point_starts, self.point_owner)
        out[:, 5] = sims[c[3]:c[4]]
        out[:, 6] = sims[c[4]:c[5]]
        out[:, 7] = np.maximum.reduceat(chunk_bm25[self.chunk_order], self.chunk_starts)
        out[:, 8] = self.card_terms.scores(terms)
        out[:, 9] = self.title_terms.scores(terms)
        return out, chunk


def _starts(owner: np.ndarray, n: int) -> np.ndarray:
    """Where each card's rows start in an owner array sorted by card; every card must have one."""
    starts = np.searchsorted(owner, np.arange(n))
    if len(owner) == 0 or len(np.unique(owner)) != n:
        raise ValueError("every card needs at least one row of each view")
    return starts


def _soft_max(values: np.ndarray, starts: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """A smooth maximum per group (log-sum-exp at LSE_TEMPERATURE): several strong rows count."""
    scaled = values / LSE_TEMPERATURE
    peak = np.maximum.reduceat(scaled, starts)
    total = np.add.reduceat(np.exp(scaled - peak[owner]), starts)
    return LSE_TEMPERATURE * (peak + np.log(total))


def _group_mean(rows: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    sums = np.zeros((n, rows.shape[1]), dtype=np.float64)
    np.add.at(sums, owner, rows)
    counts = np.maximum(np.bincount(owner, minlength=n), 1)[:, None]
    return sums / counts


def _unit(matrix: np.ndarray) -> np.ndarray:
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
