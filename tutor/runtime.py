"""Opening the tutor's resources at an entry point: the index (built on first use), the
retriever and the grader (limited to the questions the guide covers)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from tutor.core.errors import IndexMissingError, InputError
from tutor.core.settings import Settings
from tutor.core.text import clean_input
from tutor.core.types import Grade
from tutor.grading.graders import GraderWrapper
from tutor.index.knowledge import MANIFEST, KnowledgeBase
from tutor.retrieval.hybrid import HybridRetriever, open_retriever

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
SCALE_FILE = "scale.json"  # a teacher's grading scale, stored by `tutor calibrate`


def ensure_index(settings: Settings, progress: Progress | None = None) -> KnowledgeBase:
    """Load the live index; build it from the bundled guide when there is none yet.

    A damaged index is reported, not silently rebuilt (the user decides with `--rebuild`).
    """
    try:
        return KnowledgeBase.load(settings.index_dir)
    except IndexMissingError:
        if (settings.index_dir / MANIFEST).exists():  # damaged, not missing: the user decides
            raise
    from tutor.index.build import ingest_paths  # ingestion is reached only through here

    log.info("no index yet: building it from %s", settings.guide_path)
    ingest_paths([settings.guide_path], settings, progress=progress)
    return KnowledgeBase.load(settings.index_dir)


def retriever_for(settings: Settings, progress: Progress | None = None) -> HybridRetriever:
    """A hybrid retriever over the live index (built on first use)."""
    return open_retriever(settings, ensure_index(settings, progress))


def grader_for(settings: Settings, retriever: HybridRetriever | None = None,
               progress: Progress | None = None, scaled: bool = True):  # -> Grader
    """The configured grader over the live index, on the stored teacher's scale if any."""
    from tutor.embedding.embedder import embedder_for
    from tutor.grading.graders import make_grader

    retriever = retriever or retriever_for(settings, progress)
    embedder = embedder_for(settings)
    grader: Any = GuideScopedGrader(make_grader(settings, retriever, embedder), retriever,
                                    embedder)
    scale = settings.data_dir / SCALE_FILE
    if scaled and scale.exists():
        from tutor.grading.scale import ScaledGrader, ScaleMapping

        log.info("grades use the scale stored in %s", scale)
        grader = ScaledGrader(grader, ScaleMapping.load(scale))
    return grader


class GuideScopedGrader(GraderWrapper):
    """Any grader, refusing a question the guide does not cover.

    A question that is not one of the guide's own (its card matches under
    STRONG_TITLE_MATCH) is judged as `tutor ask` judges it (tutor.ask.coverage, cross-validated
    on the ask set). Graded against its nearest card instead, a correct answer to "How does
    speculative decoding speed up inference?" was scored as a poor answer on knowledge
    distillation. With a reference answer, a card or a rubric given, nothing is judged.
    """

    def __init__(self, grader: Any, retriever: HybridRetriever, embedder: Any) -> None:
        super().__init__(grader)
        self._retriever = retriever
        self._embedder = embedder
        self.uncovered = lru_cache(maxsize=256)(self._uncovered)

    def grade(self, question: str, answer: str, reference: str | None = None,
              card_id: str | None = None, rubric: Any = None) -> Grade:
        """Grade as the inner grader does, once the guide is known to cover a free question.

        Raises:
            InputError: the guide does not cover the question (naming its nearest section).
        """
        from tutor.grading.rubric import STRONG_TITLE_MATCH

        asked = clean_input(question)
        if rubric is None and card_id is None and not (reference or "").strip() and asked:
            rubric = self.inner.rubric_for(asked)
            if rubric.confidence < STRONG_TITLE_MATCH and (nearest := self.uncovered(asked)):
                raise InputError(f"The guide does not cover this question (nearest section: "
                                 f"\"{nearest}\"): give a reference answer to grade against, "
                                 "or pick one of the guide's questions (`tutor cards`)")
        return self.inner.grade(question, answer, reference, card_id, rubric)

    def _uncovered(self, question: str) -> str | None:
        """The nearest section's heading when the guide does not cover the question, else None."""
        from tutor.ask.answer import MAX_QUESTION_CHARS, assess, nearest_sections

        hits, _, coverage = assess(question[:MAX_QUESTION_CHARS], self._retriever,
                                   self._embedder)
        if coverage.covered:
            return None
        return next(iter(nearest_sections(hits)), "none")
