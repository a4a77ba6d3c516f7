"""Whether the guide covers a question, from how well its evidence covers the question's facets.

Eight measurements, all but named_term in cosine units:

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
  passage holds it ("What is BM25?": short questions about a named term embed poorly), else 0;
- subject_word: unfamiliar_word over the question's first facet only, what it asks about,
  whatever the word's technicality: "temperature" in "What does the temperature setting do to
  an LLM's sampling?" is an everyday word, but the guide cannot answer about a thing it never
  names (with it, cross-validated refusals went from 53 to 54 of 54 and false refusals from 3 to
  2 of 109).

A logistic model weighs them; the question is covered when its score is at least 0, it does not
ask to define a term the guide never writes ("What is teacher forcing?": `undefined_term` in
`tutor.ask.facets`), nor ask for a figure that none of the chosen sentences gives ("What LoRA
rank should I use?": `tutor.ask.answer_type`; questions refused by either rule are left out of
the fit) and its best sentence is not far
below the least close one of any in-guide question of the ask set (MIN_BEST_SENTENCE: that
least cosine less one standard deviation of them; a question that only names a rare guide term
is exempt). The words weigh much in the model, and every out-of-guide
question of the ask set has a word the bundled guide lacks; a question all in a guide's words
that the guide does not treat ("How does XGBoost handle missing values?" on a guide that names
XGBoost once) would otherwise be answered from sentences far from it. The weights, the bias (the
threshold) and the floor are fitted by `python -m tutor.eval.ask_eval --fit` on the team's ask set
(in-guide questions with their gold sentences, out-of-guide ones half near the domain);
`tutor eval --suite ask` reports them cross-validated in folds that share no guide section.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from tutor.ask.evidence import Evidence

FEATURES = ("best_sentence", "best_chunk", "rare_facet", "unknown_facet", "unfamiliar_word",
            "technical_word", "named_term", "subject_word")
RARE_TERM_SHARE = 0.03  # a term found in at most this share of the chunks names something
# fitted by `python -m tutor.eval.ask_eval --fit` (raw feature units; covered when score >= 0)
WEIGHTS = {"best_sentence": 5.5078, "best_chunk": 7.0288, "rare_facet": -2.8630,
           "unknown_facet": -2.2686, "unfamiliar_word": 4.9018, "technical_word": 7.8924,
           "named_term": 0.7905, "subject_word": 1.7804}
BIAS = -11.2856
MIN_BEST_SENTENCE = 0.1245  # fitted: least in-guide best_sentence, less one standard deviation
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
    too_far: bool = False  # the best sentence is further than any in-guide question's
    undefined: str = ""  # the term the question asks to define, which the guide never writes
    no_figure: bool = False  # a figure is asked for and no evidence sentence holds a number

    @property
    def vetoed(self) -> bool:
        """Refused by rule, whatever the evidence's score."""
        return bool(self.undefined) or self.no_figure

    @property
    def covered(self) -> bool:
        return self.score >= 0.0 and not self.too_far and not self.vetoed

    @property
    def confidence(self) -> float:
        """The score as a probability-like number in [0, 1] (the logistic of the score; at most
        one half when the evidence is too far or a rule refuses the question)."""
        score = min(self.score, 0.0) if self.too_far or self.vetoed else self.score
        return float(1.0 / (1.0 + np.exp(-score)))


def coverage_features(evidence: Evidence, best_chunk: float, named_term: bool) -> dict[str, float]:
    return {"best_sentence": evidence.best_similarity, "best_chunk": best_chunk,
            "rare_facet": evidence.min_coverage("rare"),
            "unknown_facet": evidence.min_coverage("unknown"),
            "unfamiliar_word": evidence.min_word_support(),
            "technical_word": evidence.min_technical_support(), "named_term": float(named_term),
            "subject_word": evidence.subject_support()}


@dataclass(frozen=True)
class Naming:
    """Whether the question names a term few of the guide's passages use that the best one
    holds, whether it asks about nothing else ("What is BM25?"), and the term it asks to define
    that the guide never writes ("What is teacher forcing?"; `tutor.ask.facets.undefined_term`)."""

    named: bool = False
    only: bool = False
    undefined: str = ""


def names_rare_term(question_terms: list[str], passage_terms: set[str],
                    document_frequency: Mapping[str, int], chunks: int) -> Naming:
    """How the question's terms (content words, no question frame) name rare guide terms the
    passage holds."""
    held = [0 < document_frequency.get(t, 0) <= RARE_TERM_SHARE * chunks and t in passage_terms
            for t in question_terms]
    return Naming(any(held), bool(held) and all(held))


def judge(features: dict[str, float], evidence: Evidence,
          weights: dict[str, float] | None = None, bias: float | None = None,
          floor: float | None = None, only_named: bool = False,
          undefined: str = "", no_figure: bool = False) -> Coverage:
    """The coverage decision for measured features (shipped weights and floor unless given).
    A question that only names a rare term the best passage holds ("What is BM25?": a short
    question embeds far from any sentence) is exempt from the floor; one that asks to define a
    term the guide never writes (`undefined`), or asks for a figure none of the evidence's
    sentences holds (`no_figure`), is not covered, whatever its evidence."""
    weights = WEIGHTS if weights is None else weights
    bias = BIAS if bias is None else bias
    floor = MIN_BEST_SENTENCE if floor is None else floor
    score = bias + sum(weights[name] * features[name] for name in FEATURES)
    return Coverage(features, round(float(score), 4),
                    tuple(evidence.uncovered(WORD_COVERED)),
                    too_far=features["best_sentence"] < floor and not only_named,
                    undefined=undefined, no_figure=no_figure)
