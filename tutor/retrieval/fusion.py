"""Fusing evidence: chunk rankings by reciprocal rank or scores, card views by learned weights.

Card fusion is linear in standardised features: every feature of `tutor.retrieval.views` is
centred and scaled over the cards for the query at hand (a z-score), then weighed. The weights
below are fitted by `python -m tutor.eval.retrieval_eval --fit`: a pairwise logistic ranker
(right card above every other card of a query) on the team's golden queries, its L2 strength
chosen by cross-validation in folds that share no guide section; the same command prints the
held-out figures (see the eval report).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

# fitted on data/eval/retrieval_queries.jsonl (178 queries), C = 0.1 chosen by 5-fold CV grouped
# by section; regenerate with `python -m tutor.eval.retrieval_eval --fit`
CARD_WEIGHTS: dict[str, float] = {
    "dense_chunk": 0.166,
    "dense_chunk_soft": 0.022,
    "dense_title": 0.094,
    "dense_point": -0.067,
    "dense_point_soft": 0.314,
    "dense_centroid": 0.226,
    "dense_all": 1.442,
    "bm25_chunk": 0.577,
    "bm25_card": 0.763,
    "bm25_title": -0.368,
}


def rrf(*rankings: list[tuple[str, float]], k: int = 60) -> list[tuple[str, float]]:
    """Reciprocal rank fusion of several rankings."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, (cid, _) in enumerate(ranking, 1):
            scores[cid] = scores.get(cid, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])


WEIGHTED_ALPHA = 0.6


def weighted(dense: list[tuple[str, float]], lexical: list[tuple[str, float]],
             alpha: float = WEIGHTED_ALPHA) -> list[tuple[str, float]]:
    """Min-max normalised score fusion: alpha * dense + (1 - alpha) * bm25."""
    def norm(pairs: list[tuple[str, float]]) -> dict[str, float]:
        if not pairs:
            return {}
        lo, hi = min(s for _, s in pairs), max(s for _, s in pairs)
        return {c: (s - lo) / (hi - lo) if hi > lo else 1.0 for c, s in pairs}

    d, b = norm(dense), norm(lexical)
    scores = {c: alpha * d.get(c, 0.0) + (1 - alpha) * b.get(c, 0.0) for c in set(d) | set(b)}
    return sorted(scores.items(), key=lambda kv: -kv[1])


def standardise(values: np.ndarray) -> np.ndarray:
    """Centred on the mean, scaled by the standard deviation (all zeros when constant)."""
    values = np.asarray(values, dtype=np.float64)
    spread = values.std()
    return (values - values.mean()) / spread if spread > 0 else np.zeros_like(values)


def standardise_columns(matrix: np.ndarray) -> np.ndarray:
    """Each column centred and scaled over the rows (cards); constant columns become 0."""
    spread = matrix.std(axis=0)
    spread[spread == 0] = np.inf
    return (matrix - matrix.mean(axis=0)) / spread


def weight_vector(weights: Mapping[str, float], names: Sequence[str]) -> np.ndarray:
    """The weights in `names` order (a feature without a weight weighs 0).

    Raises:
        ValueError: a weight names no known feature.
    """
    unknown = set(weights) - set(names)
    if unknown:
        raise ValueError(f"unknown card features {sorted(unknown)}; known: {list(names)}")
    return np.asarray([float(weights.get(n, 0.0)) for n in names])


def card_scores(features: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """One score per card: the weighted sum of its standardised features (columns)."""
    return standardise_columns(features) @ weights
