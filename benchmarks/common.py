"""Helpers shared by the grading and load benchmarks: index, graders, timing, machine load.

Two grader configurations are measured:

- **shipped**: `tutor.runtime.grader_for(settings)` exactly as the CLI and interviews build it.
  Today it calls `load_embedder` without a cache directory, so it embeds with torch.
- **onnx**: the same `EmbeddedGrader` over the same index, with the embedder given
  `settings.data_dir / "cache"`, i.e. the onnxruntime fast path `tutor.embedding.embedder` documents
  (what `benchmarks/retrieval.py` measures as the intended configuration).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from tutor.eval.datasets import GradedAnswer  # noqa: E402

from tutor.core.settings import Settings  # noqa: E402

BACKENDS = ("shipped", "onnx")


def machine_load() -> str:
    """The 1/5/15-minute load averages against the core count, for judging the numbers."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (inclusive method; the single value for one sample)."""
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def bench_settings(data_dir: Path, threads: int = 1) -> Settings:
    """Settings for a benchmark: a throwaway data dir and the embedded grader, whatever
    TUTOR_GRADER or an LLM endpoint in the environment say."""
    return Settings(data_dir=data_dir, grader="embedded", torch_threads=threads)


def cache_dir(settings: Settings) -> Path:
    return settings.data_dir / "cache"


def ingest_guide(settings: Settings) -> float:
    """Index the bundled guide into `settings.data_dir`; returns seconds."""
    from tutor.index import build as pipeline

    started = time.perf_counter()
    pipeline.ingest_paths([settings.guide_path], settings)
    return time.perf_counter() - started


def open_grader(settings: Settings, backend: str) -> tuple[Any, float]:
    """The embedded grader in one of BACKENDS over the index; returns (grader, load seconds)."""
    if backend not in BACKENDS:
        raise ValueError(f"Unknown backend {backend!r}; choose one of {BACKENDS}")
    started = time.perf_counter()
    if backend == "shipped":
        from tutor.runtime import grader_for

        grader = grader_for(settings)
    else:
        from tutor.embedding.embedder import load_embedder
        from tutor.grading.graders import make_grader
        from tutor.index.knowledge import KnowledgeBase
        from tutor.index.vectorstore import ChromaVectors, connect
        from tutor.retrieval.hybrid import HybridRetriever

        embedder = load_embedder(settings.torch_threads, settings.query_cache_size,
                                 cache_dir(settings))
        kb = KnowledgeBase.load(settings.index_dir)
        retriever = HybridRetriever(kb, ChromaVectors(connect(settings), kb.collection),
                                    embedder, settings.fusion, settings.rrf_k)
        grader = make_grader(settings, retriever, embedder)
    return grader, time.perf_counter() - started


def cycle(answers: list[GradedAnswer], n: int) -> list[GradedAnswer]:
    """n answers, repeating the list in order when n exceeds it."""
    return [answers[i % len(answers)] for i in range(n)]


def batch_items(answers: list[GradedAnswer]) -> list[tuple[int, dict[str, Any]]]:
    """Answers as `grade_items` input lines (1-based line numbers)."""
    return [(i, {"id": f"{a.id}#{i}", "question": a.question, "answer": a.answer,
                 **({"reference": a.reference} if a.reference else {})})
            for i, a in enumerate(answers, 1)]


def spearman(a: list[float], b: list[float]) -> float:
    """Spearman rank correlation (average ranks for ties)."""
    import numpy as np

    def ranks(x: list[float]) -> np.ndarray:
        arr = np.asarray(x, dtype=float)
        order = arr.argsort(kind="stable")
        out = np.empty(len(arr))
        out[order] = np.arange(1, len(arr) + 1)
        for value in np.unique(arr):  # ties share their mean rank
            tied = arr == value
            out[tied] = out[tied].mean()
        return out

    ra, rb = ranks(a), ranks(b)
    if ra.std() == 0 or rb.std() == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])


@dataclass
class Tally:
    """Wall time spent inside wrapped methods of one object graph, by label."""

    seconds: dict[str, float] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    _undo: list[Callable[[], None]] = field(default_factory=list)

    def wrap(self, obj: Any, attr: str, label: str) -> None:
        """Time every call of `obj.attr` (an instance attribute shadows the method)."""
        inner = getattr(obj, attr)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - started
                self.calls[label] = self.calls.get(label, 0) + 1

        setattr(obj, attr, timed)
        self._undo.append(lambda: delattr(obj, attr))

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
