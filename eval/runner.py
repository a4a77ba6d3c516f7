"""`tutor eval`: run the chosen suites, write the report and plots, compare with the last run."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tutor.eval.context import EvalContext, ProgressFactory, no_progress

from tutor.core.errors import ConfigError
from tutor.core.settings import Settings

SUITES = ("retrieval", "grading", "ragas", "ask")


def suites_for(name: str) -> list[str]:
    """The suites `--suite NAME` runs."""
    if name == "all":
        return list(SUITES)
    if name not in SUITES:
        raise ConfigError(f"Unknown suite {name!r}; choose one of {[*SUITES, 'all']}")
    return [name]


def default_out_dir(settings: Settings) -> Path:
    return settings.reports_dir / datetime.now().strftime("%Y%m%d-%H%M%S")


def run_suite(name: str, ctx: EvalContext, user_data: dict[str, Any]) -> dict[str, Any]:
    if name == "retrieval":
        from tutor.eval.retrieval_eval import run_retrieval

        return run_retrieval(ctx)
    if name == "grading":
        from tutor.eval.grading_eval import run_grading

        return run_grading(ctx, user_data)
    if name == "ask":
        from tutor.eval.ask_eval import run_ask

        return run_ask(ctx)
    from tutor.eval.ragas_eval import run_ragas

    return run_ragas(ctx)


def check_options(settings: Settings, names: list[str], use_llm: bool,
                  grading_data: list[Path] | None) -> None:
    if use_llm and not settings.llm_configured:
        raise ConfigError("`tutor eval --llm` needs an endpoint: set TUTOR_LLM_BASE_URL "
                          "(and TUTOR_LLM_MODEL)")
    if grading_data and "grading" not in names:
        raise ConfigError("--grading-data is graded by the grading suite: add --suite grading "
                          "(or all)")


def run_eval(settings: Settings, suite: str = "all", use_llm: bool = False,
             out_dir: Path | None = None, grading_data: list[Path] | None = None,
             limit: int | None = None, progress: ProgressFactory = no_progress,
             clock: Callable[[], float] = time.monotonic) -> dict[str, Any]:
    """Run the suites and write report.json, report.md and plots into `out_dir`.

    Args:
        settings: index location and LLM endpoint.
        suite: retrieval, grading, ragas, ask or all.
        use_llm: also evaluate through the configured LLM endpoint.
        out_dir: where the report goes (default: a timestamped folder in the reports dir).
        grading_data: extra JSONL/CSV files of graded answers (question, answer, score).
        limit: at most this many items of each dataset (a quick smoke run).
        progress: builds a `(done, total)` progress callback for each stage.

    Raises:
        ConfigError: unknown suite, `use_llm` without an endpoint, or grading data without
            the grading suite.
        InputError: a grading data file is missing or malformed.
    """
    from tutor.eval.grading_eval import load_user_data

    names = suites_for(suite)
    check_options(settings, names, use_llm, grading_data)
    user_data = load_user_data(list(grading_data or []))
    out_dir = out_dir or default_out_dir(settings)
    ctx = EvalContext(settings, limit=limit, use_llm=use_llm, progress=progress)
    started = clock()
    report: dict[str, Any] = {}
    timings = {}
    for name in names:
        t0 = clock()
        report[name] = run_suite(name, ctx, user_data)
        timings[name] = round(clock() - t0, 1)
    report["meta"] = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"), "suites": names,
        "limit": limit, "llm": (settings.llm_model or settings.llm_base_url) if use_llm else None,
        "grading_data": [str(p) for p in grading_data or []], "out_dir": str(out_dir),
        "seconds": round(clock() - started, 1), "suite_seconds": timings}
    return finish(report, settings, out_dir)


def finish(report: dict[str, Any], settings: Settings, out_dir: Path) -> dict[str, Any]:
    """Headline, comparison, plots and files."""
    from tutor.eval.plots import write_plots
    from tutor.eval.report import REPORT_JSON, REPORT_MD, comparison, headline, write_report

    report["headline"] = headline(report)
    report["comparison"] = comparison(report, settings.reports_dir, out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report["plots"], note = write_plots(report, out_dir)
    report["notes"] = [note] if note else []
    report["files"] = {"json": str(out_dir / REPORT_JSON), "markdown": str(out_dir / REPORT_MD),
                       "plots": [str(out_dir / p) for p in report["plots"]]}
    write_report(report, out_dir)
    return report
