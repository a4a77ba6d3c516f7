"""Align an answer's sentences with a rubric's key points: coverage, evidence and warning signs.

Techniques from reference-based short-answer grading: question demoting (words the question
already contains earn nothing), alignment of each key point to its best answer sentence
(coverage), answer precision (how much of the answer aligns to anything) and lexical recall of
the key point's content words next to embedding similarity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from tutor.core.text import STOPWORDS, content_words, split_sentences, stem, tokenize
from tutor.grading.rubric import Rubric

DENSE_LO, DENSE_HI = 0.30, 0.68  # cosine below LO earns nothing, above HI full credit
COVERED, PARTIAL = 0.55, 0.25
MIN_NOVEL_WORDS = 2  # a sentence must add this many words beyond the question to count
# Words that restate rather than explain; they do not make a sentence say something new.
GENERIC = frozenset(stem(w) for w in """kind way word words thing things make makes made type types
    sort basically called mean means meaning known term terms rather other others example say
    said simply really actually exactly whole part stuff something question answer""".split())


@dataclass
class PointMatch:
    """How well one key point is covered and by which answer sentence."""

    coverage: float
    similarity: float
    lexical: float
    evidence: str
    unit: str  # the rubric sentence that matched best

    @property
    def status(self) -> str:
        if self.coverage >= COVERED:
            return "covered"
        return "partial" if self.coverage >= PARTIAL else "missing"


@dataclass
class AnswerFeatures:
    """Numbers the calibrated score is a function of."""

    coverage: float  # mean key-point coverage
    top_coverage: float  # mean coverage of the best third of the points
    lexical: float  # mean demoted lexical recall of key points
    relevance: float  # best similarity of any answer sentence to any rubric sentence
    precision: float  # share of answer sentences that align with some key point
    prose: float  # share of function words: near 0 for bare keyword lists
    sentences: int
    holistic: float = 0.0  # whole answer vs whole rubric (centroid cosine)
    aligned: int = 0  # answer sentences that align with some key point
    token_recall: float = 0.0  # mean soft token recall of the key points (token_alignment)

    def vector(self) -> list[float]:
        return [self.coverage, self.top_coverage, self.lexical, self.relevance, self.precision,
                self.holistic, float(np.log1p(min(self.aligned, 12)) / np.log(13)),
                self.token_recall]


def answer_segments(answer: str, question: str) -> list[str]:
    """Distinct answer sentences that say something beyond restating the question."""
    asked = set(content_words(question))
    seen: set[str] = set()
    segments = []
    for sentence in split_sentences(answer):
        key = re.sub(r"\W+", " ", sentence.lower()).strip()
        if not key or key in seen:
            continue
        seen.add(key)
        novel = [w for w in content_words(sentence) if w not in asked and w not in GENERIC]
        if len(novel) >= MIN_NOVEL_WORDS:
            segments.append(sentence)
    return segments


def prose_ratio(answer: str) -> float:
    """Share of function words; explanations run ~0.35-0.55, keyword lists near 0."""
    tokens = tokenize(answer)
    if not tokens:
        return 0.0
    return sum(t in STOPWORDS for t in tokens) / len(tokens)


def align(rubric: Rubric, segments: list[str], segment_vecs: np.ndarray,
          unit_vecs: list[np.ndarray], question: str, answer: str) -> tuple[list[PointMatch],
                                                                             AnswerFeatures]:
    """Match every key point to its best answer sentence and summarise the answer."""
    asked = set(content_words(question))
    answer_words = set(content_words(answer)) - asked
    matches: list[PointMatch] = []
    aligned = np.zeros(len(segments), dtype=bool)
    best_any = 0.0
    for point, vecs in zip(rubric.points, unit_vecs):
        sims = segment_vecs @ vecs.T if len(segments) else np.zeros((0, len(vecs)))
        lexical = _demoted_recall(point.text, answer_words, asked)
        if sims.size == 0:
            matches.append(PointMatch(0.0, 0.0, lexical, "", point.units[0]))
            continue
        seg_i, unit_i = np.unravel_index(int(np.argmax(sims)), sims.shape)
        sim = float(sims[seg_i, unit_i])
        best_any = max(best_any, sim)
        aligned |= sims.max(axis=1) >= DENSE_LO + 0.1
        dense = float(np.clip((sim - DENSE_LO) / (DENSE_HI - DENSE_LO), 0.0, 1.0))
        coverage = float(np.clip(0.8 * dense + 0.4 * lexical * (sim >= DENSE_LO), 0.0, 1.0))
        matches.append(PointMatch(coverage, sim, lexical, segments[seg_i], point.units[unit_i]))
    features = _features(matches, rubric, aligned, best_any, answer, len(segments))
    features.aligned = int(aligned.sum())
    if len(segments) and unit_vecs:
        features.holistic = max(0.0, _centroid_cosine(segment_vecs, np.vstack(unit_vecs)))
    return matches, features


def _centroid_cosine(a: np.ndarray, b: np.ndarray) -> float:
    ca, cb = a.mean(axis=0), b.mean(axis=0)
    return float(ca @ cb / (np.linalg.norm(ca) * np.linalg.norm(cb) + 1e-9))


def _demoted_recall(point_text: str, answer_words: set[str], asked: set[str]) -> float:
    wanted = set(content_words(point_text)) - asked
    if not wanted:
        return 0.0
    return len(wanted & answer_words) / len(wanted)


def _features(matches: list[PointMatch], rubric: Rubric, aligned: np.ndarray, best_any: float,
              answer: str, n_segments: int) -> AnswerFeatures:
    if not matches:
        return AnswerFeatures(0, 0, 0, 0, 0, prose_ratio(answer), n_segments)
    weights = np.array([p.weight for p in rubric.points], dtype=float)
    cover = np.array([m.coverage for m in matches])
    top_n = max(1, len(matches) // 3)
    return AnswerFeatures(
        coverage=float((cover * weights).sum() / weights.sum()),
        top_coverage=float(np.sort(cover)[::-1][:top_n].mean()),
        lexical=float(np.mean([m.lexical for m in matches])),
        relevance=best_any,
        precision=float(aligned.mean()) if n_segments else 0.0,
        prose=prose_ratio(answer),
        sentences=n_segments,
    )
