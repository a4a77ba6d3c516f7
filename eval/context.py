"""What every evaluation suite shares: settings, the opened index, the graders, and options."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from tutor.core.settings import Settings

if TYPE_CHECKING:
    from tutor.embedding.embedder import Embedder
    from tutor.grading.embedded import EmbeddedGrader
    from tutor.index.grounding import QuoteVerifier
    from tutor.index.knowledge import KnowledgeBase
    from tutor.retrieval.hybrid import HybridRetriever

T = TypeVar("T")
Progress = Callable[[int, int], None]
ProgressFactory = Callable[[str], Progress]


def no_progress(label: str) -> Progress:
    return lambda done, total: None


def limited(items: Sequence[T], limit: int | None) -> list[T]:
    """At most `limit` items, spread evenly over the list (so a slice still mixes kinds)."""
    if limit is None or limit >= len(items):
        return list(items)
    if limit <= 0:
        return []
    step = len(items) / limit
    return [items[math.floor(i * step)] for i in range(limit)]


@dataclass
class EvalContext:
    """One evaluation run's resources, opened lazily and shared by the suites.

    Args:
        settings: the run's settings (index location, LLM endpoint).
        limit: evaluate at most this many items of each dataset (a smoke run).
        use_llm: also evaluate through the configured LLM endpoint.
        progress: builds a `(done, total)` callback for a labelled stage.
    """

    settings: Settings
    limit: int | None = None
    use_llm: bool = False
    progress: ProgressFactory = no_progress
    cache: dict[str, Any] = field(default_factory=dict)  # results one suite leaves for another

    @cached_property
    def retriever(self) -> HybridRetriever:
        from tutor.runtime import retriever_for

        return retriever_for(self.settings, self.progress("first-time index"))

    @property
    def kb(self) -> KnowledgeBase:
        return self.retriever.kb

    @cached_property
    def embedder(self) -> Embedder:
        from tutor.embedding.embedder import embedder_for

        return embedder_for(self.settings)

    @cached_property
    def grader(self) -> EmbeddedGrader:
        """The offline grader with the shipped calibration (the one users get)."""
        from tutor.grading.embedded import EmbeddedGrader

        return EmbeddedGrader(self.retriever, self.embedder, strictness=self.settings.strictness,
                              max_answer_chars=self.settings.max_answer_chars)

    @cached_property
    def llm_grader(self) -> Any:
        """The LLM grader over the configured endpoint (falls back to `grader` on errors)."""
        from tutor.grading.llm_grader import LLMGrader

        return LLMGrader(self.chat_model, self.grader)

    @cached_property
    def chat_model(self) -> Any:
        from tutor.core.errors import ConfigError
        from tutor.llm.client import chat_model_for

        model = chat_model_for(self.settings)
        if model is None:
            raise ConfigError("`tutor eval --llm` needs an endpoint: set TUTOR_LLM_BASE_URL "
                              "(and TUTOR_LLM_MODEL)")
        return model

    @cached_property
    def verifier(self) -> QuoteVerifier:
        from tutor.index.grounding import QuoteVerifier

        return QuoteVerifier(self.kb.chunks)

    def topic_of(self, section: str | None) -> str:
        """The guide topic (card part/topic) a section heading belongs to."""
        topics = self.cache.setdefault("_topics", {
            c.heading: (c.topic or c.part or "other") for c in self.kb.cards})
        return topics.get(section or "", "other")
