"""Choosing a grader and grading batches: the entry points the CLI, interviews and UI use."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from tutor.core.errors import ConfigError, InputError, TutorError
from tutor.core.types import Grade


class Grader(Protocol):
    """The grader contract."""

    @property
    def name(self) -> str: ...

    def grade(self, question: str, answer: str, reference: str | None = None,
              card_id: str | None = None, rubric: Any = None) -> Grade: ...


class GraderWrapper:
    """A grader around another: its name and everything but `grade` (rubric_for, embedded,
    warm …) are the inner grader's."""

    def __init__(self, grader: Any) -> None:
        self.inner = grader

    @property
    def name(self) -> str:
        return str(self.inner.name)

    def __getattr__(self, item: str) -> Any:
        return getattr(self.inner, item)


def make_grader(settings: Any, retriever: Any, embedder: Any, chat_model: Any = None) -> Grader:
    """The configured grader: `auto` uses the LLM when an endpoint is configured."""
    from tutor.grading.embedded import EmbeddedGrader
    from tutor.grading.llm_grader import LLMGrader
    from tutor.grading.rubric_files import load_rubric_book
    from tutor.index.cache import index_cache
    from tutor.llm.client import chat_model_for

    embedded = EmbeddedGrader(
        retriever, embedder, strictness=settings.strictness,
        max_answer_chars=settings.max_answer_chars,
        rubrics=load_rubric_book(sorted(settings.rubrics_dir.glob("*.yaml"))),
        store=index_cache(settings, retriever.kb))
    factories: dict[str, Callable[[], Grader]] = {
        "embedded": lambda: embedded,
        "llm": lambda: LLMGrader(_require(chat_model or chat_model_for(settings)), embedded),
        "auto": lambda: (LLMGrader(_require(chat_model or chat_model_for(settings)), embedded)
                         if (chat_model or settings.llm_configured) else embedded),
    }
    if settings.grader not in factories:
        raise ConfigError(f"Unknown grader {settings.grader!r}; choose one of {sorted(factories)}")
    return factories[settings.grader]()


def _require(model: Any) -> Any:
    if model is None:
        raise ConfigError("TUTOR_GRADER=llm needs TUTOR_LLM_BASE_URL or TUTOR_LLM_MODEL")
    return model


WARM_BATCH = 32


def grade_items(grader: Grader, items: Iterable[tuple[int, Any]],
                progress: Callable[[], None] | None = None) -> Iterator[dict[str, Any]]:
    """Grade batch lines in order; a bad line yields an error object and the rest go on.

    Answers are embedded WARM_BATCH at a time, the next batch on a worker thread while this one
    is graded (onnxruntime runs on the other core), which is faster than one by one.
    """
    items = list(items)
    chunks = [items[start:start + WARM_BATCH] for start in range(0, len(items), WARM_BATCH)]
    warm = getattr(getattr(grader, "embedded", grader), "warm", None)
    if warm is None or not chunks:
        for chunk in chunks:
            yield from _grade_lines(grader, chunk, progress)
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tutor-warm") as pool:
        pending = pool.submit(warm, _answers(chunks[0]))
        for i, chunk in enumerate(chunks):
            pending.result()
            if i + 1 < len(chunks):
                pending = pool.submit(warm, _answers(chunks[i + 1]))
            yield from _grade_lines(grader, chunk, progress)


def _answers(chunk: list[tuple[int, Any]]) -> list[str]:
    return [it["answer"] for _, it in chunk
            if isinstance(it, dict) and isinstance(it.get("answer"), str)]


def _grade_lines(grader: Grader, items: list[tuple[int, Any]],
                 progress: Callable[[], None] | None) -> Iterator[dict[str, Any]]:
    for line_no, item in items:
        try:
            if isinstance(item, Exception):
                raise item
            question, answer, reference, item_id = _fields(item, line_no)
            grade = grader.grade(question, answer, reference)
            out = grade.model_dump(mode="json")
            if item_id is not None:
                out = {"id": item_id, **out}
            yield out
        except TutorError as exc:
            yield {"line": line_no, **({"id": item.get("id")} if isinstance(item, dict)
                                       and "id" in item else {}), "error": str(exc)}
        if progress:
            progress()


def _fields(item: Any, line_no: int) -> tuple[str, str, str | None, Any]:
    if not isinstance(item, dict):
        raise InputError(f"line {line_no}: expected a JSON object with question and answer")
    question, answer = item.get("question"), item.get("answer")
    reference = item.get("reference")
    if not isinstance(question, str) or not question.strip():
        raise InputError(f"line {line_no}: missing \"question\" string")
    if not isinstance(answer, str):
        raise InputError(f"line {line_no}: missing \"answer\" string")
    if reference is not None and not isinstance(reference, str):
        raise InputError(f"line {line_no}: \"reference\" must be a string")
    return question, answer, reference, item.get("id")
