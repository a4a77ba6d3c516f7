"""The evaluation report: headline metrics, comparison with the previous run, JSON on disk."""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
REPORT_JSON = "report.json"
REPORT_MD = "report.md"
LOWER_IS_BETTER = ("rmse", "mae", "exceeded", "gaming_max", "failed", "false_refusals",
                   "false_refusal_rate", "showing_a_point", "without_a_point")
EPSILON = 1e-9


def headline(report: dict[str, Any]) -> dict[str, float]:
    """The flat numbers worth tracking from run to run (absent suites are simply absent)."""
    out: dict[str, float] = {}
    retrieval = report.get("retrieval") or {}
    for method, scores in (retrieval.get("methods") or {}).items():
        out.update({f"retrieval.{method}.{k}": v for k, v in scores.items()})
    cards = retrieval.get("cards") or {}
    for name in ("cv", "ask_set", "blind"):  # card ranking: held out, and on questions never fitted
        for key in ("hit@1", "hit@3", "mrr"):
            if (cards.get(name) or {}).get(key) is not None:
                out[f"retrieval.cards.{name}.{key}"] = cards[name][key]
    grading = report.get("grading") or {}
    for name, block in (("cv", (grading.get("bundled") or {}).get("cv")),
                        ("llm", grading.get("llm"))):
        for key in ("pearson", "spearman", "rmse", "mae", "within1", "pairwise_order"):
            if block and block.get(key) is not None:
                out[f"grading.{name}.{key}"] = block[key]
    external = grading.get("external_blind") or {}
    for name in ("zero_shot", "with_examples"):
        for key in ("pearson", "spearman", "rmse"):
            if (external.get(name) or {}).get(key) is not None:
                out[f"grading.external_blind.{name}.{key}"] = external[name][key]
    for name, block in (("bundled", grading.get("bundled")), ("external_blind", external)):
        for key, value in ((block or {}).get("shown_points") or {}).items():
            if key in ("off_topic_showing_a_point", "scored_without_a_point"):
                out[f"grading.{name}.{key}"] = value
    for grader, block in ((grading.get("gaming") or {}).items()):
        out[f"gaming.{grader}.gaming_max"] = block["max"]
        out[f"gaming.{grader}.exceeded"] = block["exceeded"]
    ragas = report.get("ragas") or {}
    for suite in ("offline", "llm"):
        for name, m in ((ragas.get(suite) or {}).get("metrics") or {}).items():
            if m["mean"] is not None:
                out[f"ragas.{suite}.{name}"] = m["mean"]
            out[f"ragas.{suite}.{name}.failed"] = m["failed"]
    for key in ("groundedness", "feedback_groundedness"):
        if (ragas.get(key) or {}).get("share") is not None:
            out[f"ragas.{key}"] = ragas[key]["share"]
    if (ragas.get("out_of_guide") or {}).get("refusal_rate") is not None:
        out["ragas.out_of_guide.refusal_rate"] = ragas["out_of_guide"]["refusal_rate"]
    if ragas.get("answers"):
        out["ragas.answers.false_refusals"] = ragas["answers"]["false_refusals"]
    ask = report.get("ask") or {}
    for name in ("cv", "shipped"):
        for key in ("support_recall", "gold_leads", "answer_precision", "refusal_rate",
                    "false_refusal_rate", "quotes_verbatim"):
            if (ask.get(name) or {}).get(key) is not None:
                out[f"ask.{name}.{key}"] = ask[name][key]
    if (ask.get("guide_words") or {}).get("refusal_rate") is not None:
        out["ask.guide_words.refusal_rate"] = ask["guide_words"]["refusal_rate"]
    for key in ("support_recall", "refusal_rate", "false_refusal_rate"):
        if (ask.get("blind") or {}).get(key) is not None:
            out[f"ask.blind.{key}"] = ask["blind"][key]
    return {k: float(v) for k, v in out.items()}


def direction(metric: str) -> int:
    """+1 when a larger value is better, -1 when smaller is."""
    return -1 if any(metric.endswith(s) for s in LOWER_IS_BETTER) else 1


def compare(current: dict[str, float], previous: dict[str, float]) -> list[dict[str, Any]]:
    """Each metric both runs have: previous, current, delta and better / worse / same."""
    rows = []
    for metric in sorted(set(current) & set(previous)):
        delta = current[metric] - previous[metric]
        change = ("same" if abs(delta) < EPSILON
                  else "better" if delta * direction(metric) > 0 else "worse")
        rows.append({"metric": metric, "previous": previous[metric], "current": current[metric],
                     "delta": round(delta, 4), "change": change})
    return rows


def find_previous(folders: list[Path], exclude: Path | None = None) -> Path | None:
    """The newest report.json in a subfolder of any of `folders`, other than `exclude`'s."""
    found = {p.resolve() for folder in folders if folder.is_dir()
             for p in folder.glob(f"*/{REPORT_JSON}")}
    if exclude is not None:
        found.discard((exclude / REPORT_JSON).resolve())
    return max(found, key=lambda p: (p.stat().st_mtime, p.parent.name), default=None)


def comparison(report: dict[str, Any], reports_dir: Path, out_dir: Path) -> dict[str, Any] | None:
    """The comparison block for `report`, against the newest earlier report (if any) in the
    reports directory or beside `out_dir`."""
    path = find_previous([reports_dir, out_dir.parent], exclude=out_dir)
    if path is None:
        return None
    try:
        previous = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("cannot compare with the previous report %s (%s)", path, exc)
        return {"previous": str(path), "error": "unreadable report", "metrics": []}
    same_setup = all(previous.get("meta", {}).get(k) == report["meta"].get(k)
                     for k in ("limit", "llm"))
    rows = compare(report["headline"], previous.get("headline") or {})
    return {"previous": str(path), "previous_created": previous.get("meta", {}).get("created"),
            "comparable": same_setup,
            "better": sum(r["change"] == "better" for r in rows),
            "worse": sum(r["change"] == "worse" for r in rows), "metrics": rows}


def clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value


def write_report(report: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    """report.json and report.md in `out_dir`."""
    from tutor.eval.report_md import render_markdown

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / REPORT_JSON, "markdown": out_dir / REPORT_MD}
    paths["json"].write_text(json.dumps(clean(report), indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
    paths["markdown"].write_text(render_markdown(report), encoding="utf-8")
    return paths
