"""Helpers shared by the benchmarks: settings, index, freshly built graders, timing, machine load.

Grader configurations (`BACKENDS`), each built from scratch by `open_grader`: a new embedder,
knowledge base, vector-store handle, retriever and grader, after clearing every functools cache
of the loaded `tutor` modules. The process-wide factories (`embedder_for`, `grader_for`) are not
used: they return the same cached embedder to every caller, so a second configuration would
inherit the first one's warm caches.

- **onnx**: the shipped wiring (what `tutor.runtime.grader_for` builds: the embedder with
  `settings.cache_dir`, i.e. the onnxruntime export);
- **torch**: the same grader with sentence-transformers embeddings (no cache directory), the
  reference the onnx path is measured against.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from tutor.eval.datasets import GradedAnswer  # noqa: E402

from tutor.core.settings import Settings  # noqa: E402

BACKENDS = ("onnx", "torch")


def machine_load() -> str:
    """The 1/5/15-minute load averages against the core count, for judging the numbers."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (linear interpolation, numpy's default); nan for no values."""
    return float(np.percentile(values, q)) if len(values) else float("nan")


def bench_settings(data_dir: Path, threads: int = 1) -> Settings:
    """Settings for a benchmark: a throwaway data dir and the embedded grader, whatever
    TUTOR_GRADER or an LLM endpoint in the environment say."""
    return Settings(data_dir=data_dir, grader="embedded", torch_threads=threads)


def ingest_guide(settings: Settings) -> float:
    """Index the bundled guide into `settings.data_dir`; returns seconds."""
    from tutor.index.build import ingest_paths

    started = time.perf_counter()
    ingest_paths([settings.guide_path], settings)
    return time.perf_counter() - started


def clear_process_caches() -> list[str]:
    """Clear every functools cache (`lru_cache`, `cache`) defined in a loaded `tutor` module;
    returns their names. Per-object caches need no clearing: every object here is new."""
    cleared = []
    for name, module in list(sys.modules.items()):
        if name != "tutor" and not name.startswith("tutor."):
            continue
        for attr, value in list(vars(module).items()):
            if callable(getattr(value, "cache_clear", None)) and getattr(
                    value, "__module__", None) == name:
                value.cache_clear()
                cleared.append(f"{name}.{attr}")
    return sorted(cleared)


@dataclass
class GraderConfig:
    """One grader configuration and the objects it was built from (all new)."""

    backend: str
    grader: Any
    embedder: Any
    retriever: Any
    vectors: Any  # the retriever's vector store handle, kept to time its calls
    kb: Any
    load_seconds: float
    cleared: list[str]


def open_grader(settings: Settings, backend: str) -> GraderConfig:
    """A freshly built embedded grader in one of BACKENDS over the index (see module doc)."""
    if backend not in BACKENDS:
        raise ValueError(f"Unknown backend {backend!r}; choose one of {BACKENDS}")
    cleared = clear_process_caches()
    started = time.perf_counter()
    from tutor.embedding.embedder import Embedder, limit_blas_threads, packaged_model_path
    from tutor.grading.graders import make_grader
    from tutor.index.knowledge import KnowledgeBase
    from tutor.index.vectorstore import ChromaVectors, connect
    from tutor.retrieval.hybrid import HybridRetriever

    limit_blas_threads(settings.torch_threads)  # as `load_embedder` does for the shipped one
    embedder = Embedder(packaged_model_path(), settings.torch_threads, settings.query_cache_size,
                        settings.cache_dir if backend == "onnx" else None)
    if embedder.backend != backend:
        raise RuntimeError(f"asked for the {backend} embedder, got {embedder.backend} "
                           "(see the logged notice)")
    kb = KnowledgeBase.load(settings.index_dir)
    vectors = ChromaVectors(connect(settings), kb.collection)
    retriever = HybridRetriever(kb, vectors, embedder, settings.fusion, settings.rrf_k)
    grader = make_grader(settings, retriever, embedder)
    return GraderConfig(backend, grader, embedder, retriever, vectors, kb,
                        time.perf_counter() - started, cleared)


def cycle(answers: list[GradedAnswer], n: int) -> list[GradedAnswer]:
    """n answers, repeating the list in order when n exceeds it."""
    return [answers[i % len(answers)] for i in range(n)]


def batch_items(answers: list[GradedAnswer]) -> list[tuple[int, dict[str, Any]]]:
    """Answers as `grade_items` input lines (1-based line numbers)."""
    return [(i, {"id": f"{a.id}#{i}", "question": a.question, "answer": a.answer,
                 **({"reference": a.reference} if a.reference else {})})
            for i, a in enumerate(answers, 1)]


@dataclass
class Tally:
    """Wall time spent inside wrapped methods of one object graph, by label."""

    seconds: dict[str, float] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    items: dict[str, int] = field(default_factory=dict)  # texts passed, for embedding calls
    _undo: list[Callable[[], None]] = field(default_factory=list)

    def wrap(self, obj: Any, attr: str, label: str) -> bool:
        """Time every call of `obj.attr` (an instance attribute shadows the method); False when
        the object has no such method (the row then reads zero)."""
        inner = getattr(obj, attr, None)
        if inner is None:
            return False

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - started
                self.calls[label] = self.calls.get(label, 0) + 1
                if args and isinstance(args[0], list):
                    self.items[label] = self.items.get(label, 0) + len(args[0])

        setattr(obj, attr, timed)
        self._undo.append(lambda: delattr(obj, attr))
        return True

    def restore(self) -> None:
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()


@contextmanager
def cpu_share() -> Iterator[dict[str, float]]:
    """Wall and process-CPU seconds of a block; cpu/wall well below the thread count means the
    process was waiting for a core (or for a lock)."""
    out: dict[str, float] = {}
    wall, cpu = time.perf_counter(), time.process_time()
    yield out
    out["wall"] = time.perf_counter() - wall
    out["cpu"] = time.process_time() - cpu


def print_table(headers: list[str], rows: list[list[Any]], first: int = 34,
                width: int = 12) -> None:
    """A plain fixed-width table; floats get two decimals."""
    def cell(value: Any) -> str:
        return f"{value:.2f}" if isinstance(value, float) else str(value)

    print(f"{headers[0]:<{first}}" + "".join(f"{h:>{width}}" for h in headers[1:]))
    for row in rows:
        print(f"{cell(row[0]):<{first}}" + "".join(f"{cell(v):>{width}}" for v in row[1:]))
