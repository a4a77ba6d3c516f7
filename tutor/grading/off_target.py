"""Answers that answer another guide question (e.g. the guide's answer to a neighbour, copied).

Such an answer shares the field's vocabulary with the asked question, so the sentence and
token alignment give it some credit. The check compares how much of the asked card's key points
the answer carries with how much of the nearest other cards' key points it carries; a clear
margin in favour of another card means the answer is about that question instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tutor.embedding.embedder import TokenVectors
from tutor.grading.rubric import Rubric, rubric_from_card
from tutor.grading.token_alignment import TokenRecall
from tutor.retrieval.hybrid import HybridRetriever

CANDIDATES = 3  # nearest other cards compared


@dataclass(frozen=True)
class OtherQuestion:
    """The guide question an answer fits better than the one asked."""

    card_id: str
    heading: str
    own_recall: float
    other_recall: float

    @property
    def margin(self) -> float:
        return self.other_recall - self.own_recall


class OtherQuestionCheck:
    """Finds the nearest other guide card an answer carries clearly more of."""

    def __init__(self, retriever: HybridRetriever, tokens: TokenRecall) -> None:
        self.retriever = retriever
        self.kb = retriever.kb
        self.tokens = tokens
        self._card_points: dict[str, list[str]] = {}

    def nearest_other(self, rubric: Rubric, segment_vecs: np.ndarray, answer: TokenVectors,
                      asked: set[str]) -> OtherQuestion | None:
        """The best-fitting other card and its margin over the asked card (None: no other card);
        the grader decides which margin is clear (ScoringParams.other_margin);
        `asked` are the question's word pieces. Every card is measured by its guide key points
        (curated rubrics exist for some cards only, so they would not compare fairly)."""
        if rubric.card is None or not len(segment_vecs) or not rubric.points:
            return None
        own = self.tokens.mean_recall(self._points_of(rubric.card.id), answer, asked)
        best: OtherQuestion | None = None
        for card_id in self._candidates(segment_vecs, rubric.card.id):
            card = self.kb.card(card_id)
            points = self._points_of(card_id)
            if card is None or not points:
                continue
            other = self.tokens.mean_recall(points, answer, asked)
            if best is None or other > best.other_recall:
                best = OtherQuestion(card_id, card.heading, own, other)
        return best

    def _points_of(self, card_id: str) -> list[str]:
        if card_id not in self._card_points:
            card = self.kb.card(card_id)
            self._card_points[card_id] = ([p.text for p in rubric_from_card(card, self.kb).points]
                                          if card else [])
        return self._card_points[card_id]

    def _candidates(self, segment_vecs: np.ndarray, own_id: str) -> list[str]:
        """The cards of the guide chunks nearest to the answer (its sentences' centroid)."""
        centroid = segment_vecs.mean(axis=0)
        centroid = centroid / max(float(np.linalg.norm(centroid)), 1e-12)
        found: list[str] = []
        for chunk_id, _ in self.retriever.nearest_chunks(centroid, 4 * CANDIDATES + 4):
            chunk = self.kb.chunk(chunk_id)
            if chunk and chunk.card_id != own_id and chunk.card_id not in found:
                found.append(chunk.card_id)
        return found[:CANDIDATES]
