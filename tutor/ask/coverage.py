"""Whether the guide covers a question, from how well its evidence covers the question's facets.

Seven measurements, the first six in cosine units:

- best_sentence: the best candidate sentence's cosine to the question;
- best_chunk: the best chunk's cosine to the question (dense retrieval);
- rare_facet: the least-covered facet holding a technical word the guide never uses
  ("speculative decoding" has none in the guide; 1.0 when the question has no such facet);
- unknown_facet: the same for facets holding plain words the guide never uses;
- unfamiliar_word: the least-supported word of the question the guide never uses: the best
  token-level cosine of its word pieces to one candidate sentence ("speculative" finds nothing
  near it; "personalised" finds "personalized"; 1.0 when every word is the guide's own);
- technical_word: the same with each word's shortfall scaled by its technicality (its rarity in
  everyday English), so an everyday word the guide happens not to use ("appear") weighs little
  and a term of a field ("speculative") fully;
- named_term: 1 when the question names a term the guide uses in few passages and the best
  passage holds it ("What is BM25?": short questions about a named term embed poorly), else 0.

A logistic model weighs them; the question is covered when its score is at least 0. The weights
and the bias (the threshold) are fitted by `python -m tutor.eval.ask_eval --fit` on the team's
ask set (in-guide questions with their gold sentences, out-of-guide ones half near the domain);
`tutor eval --suite ask` reports them cross-validated in folds that share no guide section.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from tutor.ask.evidence import Evidence

FEATURES = ("best_sentence", "best_chunk", "rare_facet", "unknown_facet", "unfamiliar_word",
            "technical_word", "named_term")
RARE_TERM_SHARE = 0.03  # a term found in at most this share of the chunks names something
# fitted by `python -m tutor.eval.ask_eval --fit` (raw feature units; covered when score >= 0)
WEIGHTS = {"best_sentence": 6.1244, "best_chunk": 7.4771, "rare_facet": -0.1408,
           "unknown_facet": -0.4729, "unfamiliar_word": 5.3212, "technical_word": 6.7641,
           "named_term": 1.3744}
BIAS = -13.2724
# a facet holding a term the guide never uses, whose support is below this, is named as not
# covered: midway between a term the guide lacks ("speculative", ~0.3) and a spelling variant of
# one of its words ("personalised" for "personalized", ~0.6)
WORD_COVERED = 0.45


@dataclass(frozen=True)
class Coverage:
    """How well the guide covers a question, and whether that is enough to answer it."""

    features: dict[str, float]
    score: float
    missing: tuple[str, ...] = ()  # facets the evidence does not cover

    @property
    def covered(self) -> bool:
        return self.score >= 0.0

    @property
    def confidence(self) -> float:
        """The score as a probability-like number in [0, 1] (the logistic of the score)."""
        return float(1.0 / (1.0 + np.exp(-self.score)))


def coverage_features(evidence: Evidence, best_chunk: float, named_term: bool) -> dict[str, float]:
    return {"best_sentence": evidence.best_similarity, "best_chunk": best_chunk,
            "rare_facet": evidence.min_coverage("rare"),
            "unknown_facet": evidence.min_coverage("unknown"),
            "unfamiliar_word": evidence.min_word_support(),
            "technical_word": evidence.min_technical_support(), "named_term": float(named_term)}


def names_rare_term(question_terms: list[str], passage_terms: set[str],
                    document_frequency: Mapping[str, int], chunks: int) -> bool:
    """Whether the passage holds a question term that few of the guide's chunks use."""
    return any(0 < document_frequency.get(t, 0) <= RARE_TERM_SHARE * chunks
               and t in passage_terms for t in question_terms)


def judge(features: dict[str, float], evidence: Evidence,
          weights: dict[str, float] | None = None, bias: float | None = None) -> Coverage:
    """The coverage decision for measured features (shipped weights unless given)."""
    weights = WEIGHTS if weights is None else weights
    bias = BIAS if bias is None else bias
    score = bias + sum(weights[name] * features[name] for name in FEATURES)
    return Coverage(features, round(float(score), 4),
                    tuple(evidence.uncovered(WORD_COVERED)))
