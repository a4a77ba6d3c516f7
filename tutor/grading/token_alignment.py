"""Token-level soft recall of key points in an answer (BERTScore recall with idf weights).

Every content word piece of a key point is matched to its most similar word piece of the
answer (cosine of the model's contextual token vectors); the matches are idf-weighted and
rescaled against the similarity unrelated sentences reach anyway, so a paraphrase earns credit
that exact-word overlap misses while a shared vocabulary alone earns little. Pieces the question
already contains earn nothing (question demoting), as in the sentence-level alignment.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from cachetools import LRUCache

from tutor.core.stats import idf
from tutor.core.text import STOPWORDS
from tutor.embedding.embedder import Embedder, TokenVectors
from tutor.index.cache import IndexCache

# idf-weighted recall between random pairs of guide sentences: what unrelated text reaches.
# Measured on the bundled guide by `python -m eval.calibrate` (prints "token baseline").
TOKEN_BASELINE = 0.218
POINT_SET_CACHE = 512  # rubrics whose key-point tokens are kept


def content_tokens(tokens: TokenVectors) -> TokenVectors:
    """Only the pieces that carry meaning: no punctuation, no function words."""
    keep = [i for i, p in enumerate(tokens.pieces)
            if p.lstrip("#").isalnum() and p not in STOPWORDS]
    return TokenVectors(tuple(tokens.pieces[i] for i in keep), tokens.vectors[keep])


class PieceIdf:
    """Inverse document frequency of word pieces over a corpus (the indexed guide's chunks)."""

    def __init__(self, documents: Iterable[Iterable[str]]) -> None:
        self._df: Counter[str] = Counter()
        self._n = 0
        for pieces in documents:
            self._df.update(set(pieces))
            self._n += 1

    def weights(self, pieces: tuple[str, ...]) -> np.ndarray:
        """The idf weight of every piece (tutor.core.stats.idf)."""
        return idf(np.array([self._df.get(p, 0) for p in pieces]), self._n)


def soft_recall(point: TokenVectors, answer: TokenVectors, asked: set[str], idf: PieceIdf,
                baseline: float = TOKEN_BASELINE) -> float:
    """How much of the point's meaning the answer's tokens carry, 0-1."""
    owner = np.zeros(len(point.pieces), dtype=np.intp)
    return float(per_point_recall(PointSet(point.pieces, point.vectors, owner,
                                           idf.weights(point.pieces), 1),
                                  answer, asked, baseline)[0])


@dataclass(frozen=True)
class PointSet:
    """Several key points' content tokens stacked, so one matrix product scores them all."""

    pieces: tuple[str, ...]
    vectors: np.ndarray  # (tokens, dimension)
    owner: np.ndarray  # (tokens,) index of the point each token belongs to
    weights: np.ndarray  # (tokens,) idf weight of each token
    size: int  # number of points


def per_point_recall(points: PointSet, answer: TokenVectors, asked: set[str],
                     baseline: float = TOKEN_BASELINE) -> np.ndarray:
    """Soft recall of every point: idf-weighted mean over its tokens (not in the question) of
    the best cosine to any answer token, rescaled against the baseline; 0 where nothing counts."""
    if not len(points.pieces) or not len(answer.pieces):
        return np.zeros(points.size)
    best = (points.vectors @ answer.vectors.T).max(axis=1)
    rescaled = np.clip((best - baseline) / (1.0 - baseline), 0.0, 1.0)
    weights = points.weights * np.array([p not in asked for p in points.pieces])
    total = np.bincount(points.owner, weights=rescaled * weights, minlength=points.size)
    mass = np.bincount(points.owner, weights=weights, minlength=points.size)
    return np.divide(total, mass, out=np.zeros(points.size), where=mass > 0)


def joined(parts: list[TokenVectors], dimension: int) -> TokenVectors:
    """Several texts' tokens as one bag (an answer from its sentences)."""
    if not parts:
        return TokenVectors((), np.zeros((0, dimension), dtype=np.float32))
    return TokenVectors(tuple(p for t in parts for p in t.pieces),
                        np.vstack([t.vectors for t in parts]))


class TokenRecall:
    """Soft recall of key points in answers, with the key points' token vectors cached.

    Args:
        embedder: the packaged model (token vectors and word pieces).
        corpus: texts the idf weights are counted over (the indexed guide's chunks), read on
            first use.
    """

    def __init__(self, embedder: Embedder, corpus: Callable[[], Iterable[str]],
                 store: IndexCache | None = None) -> None:
        self.embedder = embedder
        self._corpus = corpus
        self._store = store  # key points' token vectors kept beside the index across processes
        self._idf: PieceIdf | None = None
        self._sets: LRUCache[tuple[str, ...], PointSet] = LRUCache(POINT_SET_CACHE)

    def asked(self, *questions: str) -> set[str]:
        """Word pieces of the question(s): they earn nothing in an answer."""
        return set(self.embedder.word_pieces(" ".join(questions)))

    def mean_recall(self, points: list[str], answer: TokenVectors, asked: set[str]) -> float:
        """Mean soft recall of the key points (texts) in the answer's tokens."""
        if not points or not len(answer.pieces):
            return 0.0
        return float(per_point_recall(self.point_set(tuple(points)), answer, asked).mean())

    def point_set(self, points: tuple[str, ...]) -> PointSet:
        """The points' stacked tokens (embedded on first use, then remembered)."""
        found = self._sets.get(points)
        if found is None:
            pieces, vectors, owner = self._stacked(points)
            found = PointSet(pieces, vectors, owner, self.idf().weights(pieces), len(points))
            self._sets[points] = found
        return found

    def _stacked(self, points: tuple[str, ...]) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
        name = "points-" + hashlib.sha1("\x1f".join(points).encode("utf-8")).hexdigest()[:20]
        stored = self._store.load_arrays(name) if self._store is not None else None
        if stored is not None:
            return (tuple(str(p) for p in stored["pieces"]),
                    stored["vectors"], stored["owner"])
        tokens = [content_tokens(t) for t in self.embedder.embed_with_tokens(list(points))[1]]
        pieces = tuple(p for t in tokens for p in t.pieces)
        owner = np.repeat(np.arange(len(tokens)), [len(t.pieces) for t in tokens])
        vectors = joined(tokens, self.embedder.dimension).vectors
        if self._store is not None:
            self._store.save_arrays(name, pieces=np.asarray(pieces, dtype=str),
                                    vectors=vectors, owner=owner)
        return pieces, vectors, owner

    def idf(self) -> PieceIdf:
        if self._idf is None:
            self._idf = PieceIdf(self.embedder.word_pieces(text) for text in self._corpus())
        return self._idf
