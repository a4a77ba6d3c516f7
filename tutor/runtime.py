"""Opening the tutor's resources at an entry point: the index (built on first use) and retriever."""

from __future__ import annotations

import logging
from collections.abc import Callable

from tutor.core.errors import IndexMissingError
from tutor.core.settings import Settings
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
    grader = make_grader(settings, retriever, embedder_for(settings))
    scale = settings.data_dir / SCALE_FILE
    if scaled and scale.exists():
        from tutor.grading.scale import ScaledGrader, ScaleMapping

        log.info("grades use the scale stored in %s", scale)
        grader = ScaledGrader(grader, ScaleMapping.load(scale))
    return grader
