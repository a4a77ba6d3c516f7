"""Token-level soft recall of key points in an answer (BERTScore recall with idf weights).

Every content word piece of a key point is matched to its most similar word piece of the
answer (cosine of the model's contextual token vectors); the matches are idf-weighted and
rescaled against the similarity unrelated sentences reach anyway, so a paraphrase earns credit
that exact-word overlap misses while a shared vocabulary alone earns little. Pieces the question
already contains earn nothing (question demoting), as in the sentence-level alignment.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable

import numpy as np

from tutor.embedding import Embedder, TokenVectors
from tutor.text import STOPWORDS

# idf-weighted recall between random pairs of guide sentences: what unrelated text reaches.
# Measured on the bundled guide by `python -m eval.calibrate` (prints "token baseline").
TOKEN_BASELINE = 0.215


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
        self._memo: dict[tuple[str, ...], np.ndarray] = {}
        for pieces in documents:
            self._df.update(set(pieces))
            self._n += 1

    def weight(self, piece: str) -> float:
        return math.log((self._n + 1) / (self._df.get(piece, 0) + 1))

    def weights(self, pieces: tuple[str, ...]) -> np.ndarray:
        """The weight of every piece (remembered: key points come back answer after answer)."""
        found = self._memo.get(pieces)
        if found is None:
            found = self._memo[pieces] = np.array([self.weight(p) for p in pieces])
        return found


def soft_recall(point: TokenVectors, answer: TokenVectors, asked: set[str], idf: PieceIdf,
                baseline: float = TOKEN_BASELINE) -> float:
    """How much of the point's meaning the answer's tokens carry, 0-1."""
    keep = [i for i, p in enumerate(point.pieces) if p not in asked]
    if not keep or not len(answer.pieces):
        return 0.0
    best = (point.vectors[keep] @ answer.vectors.T).max(axis=1)
    rescaled = np.clip((best - baseline) / (1.0 - baseline), 0.0, 1.0)
    weights = idf.weights(point.pieces)[keep]
    if weights.sum() <= 0:
        return 0.0
    return float((rescaled * weights).sum() / weights.sum())


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

    def __init__(self, embedder: Embedder, corpus: Callable[[], Iterable[str]]) -> None:
        self.embedder = embedder
        self._corpus = corpus
        self._idf: PieceIdf | None = None
        self._points: dict[str, TokenVectors] = {}

    def asked(self, *questions: str) -> set[str]:
        """Word pieces of the question(s): they earn nothing in an answer."""
        return set(self.embedder.word_pieces(" ".join(questions)))

    def mean_recall(self, points: list[str], answer: TokenVectors, asked: set[str]) -> float:
        """Mean soft recall of the key points (texts) in the answer's tokens."""
        if not points or not len(answer.pieces):
            return 0.0
        missing = [p for p in dict.fromkeys(points) if p not in self._points]
        if missing:
            for text, tokens in zip(missing, self.embedder.embed_with_tokens(missing)[1]):
                self._points[text] = content_tokens(tokens)
        idf = self.idf()
        return float(np.mean([soft_recall(self._points[p], answer, asked, idf) for p in points]))

    def idf(self) -> PieceIdf:
        if self._idf is None:
            self._idf = PieceIdf(self.embedder.word_pieces(text) for text in self._corpus())
        return self._idf
