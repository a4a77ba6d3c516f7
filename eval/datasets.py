"""Loading the golden sets (JSONL or CSV) with clear errors for malformed rows."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from tutor.core.errors import InputError
from tutor.core.settings import PACKAGE_DATA

EVAL_DIR = PACKAGE_DATA / "eval"
# Two halves that share no guide section: fit on one, report on the other. Each half has the
# team's first set, the set written against length (short correct, long wrong, ...), and answers
# written and scored blind (the grader not run before they were scored; "origin" names the probe)
SPLITS = {half: [EVAL_DIR / f"graded_answers_{half}{part}.jsonl"
                 for part in ("", "_length", "_blind")] for half in ("a", "b")}
GRADED_FILES = [path for paths in SPLITS.values() for path in paths]
TRIVIAL_LEVELS = frozenset({"empty", "off-topic"})


@dataclass
class GradedAnswer:
    """A human-graded answer."""

    id: str
    question: str
    answer: str
    score: float
    reference: str | None = None
    section: str | None = None
    level: str = ""
    split: str = ""  # the half of the team's sets it belongs to ("a" / "b"), if any


def read_rows(path: Path) -> list[dict]:
    """Rows of a JSONL or CSV file."""
    if not path.exists():
        raise InputError(f"No such file: {path}")
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
    return rows


def load_graded(paths: list[Path] | None = None) -> list[GradedAnswer]:
    """Graded answers (question, answer, score, optional reference) from the given files."""
    out = []
    for path in paths or GRADED_FILES:
        for i, row in enumerate(read_rows(path)):
            try:
                out.append(GradedAnswer(
                    id=str(row.get("id") or f"{path.stem}-{i}"), question=row["question"],
                    answer=row.get("answer") or "", score=float(row["score"]),
                    reference=row.get("reference") or None, section=row.get("section") or None,
                    level=row.get("level") or "",
                    split=next((k for k, v in SPLITS.items() if path in v), "")))
            except (KeyError, TypeError, ValueError) as exc:
                raise InputError(
                    f"{path} row {i + 1}: needs question, answer, score ({exc})") from exc
    return out
