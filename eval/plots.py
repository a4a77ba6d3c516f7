"""PNG plots of an evaluation report (matplotlib, headless). Without matplotlib: none, and why."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
from tutor.eval.grading_eval import mean_abs_error

log = logging.getLogger(__name__)
CALIBRATION_PNG = "calibration.png"
RETRIEVAL_PNG = "retrieval_hits.png"
GRADING_ERROR_PNG = "grading_error.png"


def pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def write_plots(report: dict[str, Any], out_dir: Path) -> tuple[list[str], str | None]:
    """File names of the plots written, and a note when plotting is impossible."""
    try:
        plt = pyplot()
    except ImportError as exc:
        note = f"{exc.name or exc} is not installed, so no plots: pip install 'tutor[eval]'"
        log.warning(note)
        return [], note
    written = []
    if "retrieval" in report:
        written.append(retrieval_plot(plt, report["retrieval"], out_dir / RETRIEVAL_PNG))
    samples = ((report.get("grading") or {}).get("bundled") or {}).get("samples")
    if samples:
        written.append(calibration_plot(plt, samples, out_dir / CALIBRATION_PNG))
        written.append(error_plot(plt, samples, out_dir / GRADING_ERROR_PNG))
    return [p.name for p in written], None


def retrieval_plot(plt: Any, retrieval: dict[str, Any], path: Path) -> Path:
    methods = list(retrieval["methods"])
    keys = ["hit@1", "hit@3", "hit@5", "mrr", "ndcg@5"]
    fig, ax = plt.subplots(figsize=(7, 4))
    width = 0.8 / len(methods)
    x = np.arange(len(keys))
    for i, method in enumerate(methods):
        values = [retrieval["methods"][method].get(k, 0.0) for k in keys]
        bars = ax.bar(x + i * width - 0.4 + width / 2, values, width, label=method)
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks(x, keys)
    ax.set_ylim(0, 1.08)
    ax.set_title(f"Section-level retrieval on {retrieval['queries']} golden queries")
    ax.legend(loc="lower right")
    return save(plt, fig, path)


def calibration_plot(plt: Any, samples: list[dict[str, Any]], path: Path) -> Path:
    human = np.array([s["human"] for s in samples], dtype=float)
    pred = np.array([s["predicted"] for s in samples], dtype=float)
    jitter = np.random.default_rng(0).uniform(-0.12, 0.12, len(human))
    fig, ax = plt.subplots(figsize=(5.5, 5))
    levels = sorted({s["level"] for s in samples})
    for level in levels:
        mask = np.array([s["level"] == level for s in samples])
        ax.scatter(human[mask] + jitter[mask], pred[mask], s=14, alpha=0.7, label=level)
    ax.plot([0, 5], [0, 5], color="grey", linewidth=1)
    ax.fill_between([0, 5], [-1, 4], [1, 6], color="grey", alpha=0.12, label="within 1")
    ax.set(xlim=(-0.4, 5.4), ylim=(-0.2, 5.2), xlabel="human score",
           ylabel="predicted score (cross-validated)",
           title="Embedded grader vs human grades")
    ax.legend(fontsize=7, loc="upper left")
    return save(plt, fig, path)


def error_plot(plt: Any, samples: list[dict[str, Any]], path: Path) -> Path:
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, key, title in ((axes[0], "level", "by human level"), (axes[1], "topic", "by topic")):
        errors = mean_abs_error(samples, key)
        ax.barh(list(errors), list(errors.values()), color="tab:orange")
        ax.set(xlabel="mean |predicted - human|", title=f"Grading error {title}")
        ax.tick_params(axis="y", labelsize=8)
    return save(plt, fig, path)


def save(plt: Any, fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
