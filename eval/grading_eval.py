"""How well the graders agree with human grades.

The bundled answers are what the shipped scoring parameters were fitted on, so their figures are
held out (`tutor.eval.calibrate.cross_validate`: fitted on half a, reported on half b, which share
no guide section, and the reverse); the in-sample figures are shown next to them only to expose
the optimism gap.
Answers a user supplies (`--grading-data`) are graded as they are: plain predictions.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from tutor.eval.agreement import agreement, breakdown, confusion, pairwise_order
from tutor.eval.calibrate import cross_validate, with_examples, with_references
from tutor.eval.context import EvalContext, limited
from tutor.eval.datasets import EVAL_DIR, TRIVIAL_LEVELS, GradedAnswer, load_graded

from tutor.core.errors import TutorError
from tutor.core.types import Grade
from tutor.grading.feedback import verdict_for

FLOOR_VERDICTS = {"empty", "off-topic", "ungraded"}  # decided before the calibration applies
MAX_FOLDS = 5
# 480 short answers to 24 questions, each with one reference, graded by meaning in the lenient
# style of public short-answer sets; written blind by people who saw no code and no tutor grade
# (12 intro-ML questions and 12 GenAI ones). Never fitted on: reported apart, zero-shot and with
# a teacher's scale from 5 examples per question.
EXTERNAL_BLIND_FILE = EVAL_DIR / "graded_external_blind.jsonl"
OFF_TOPIC_LEVELS = frozenset({"off-topic", "off_topic"})  # the team's spelling, the external set's
EXAMPLES_PER_QUESTION = 5


def graded_bundle(ctx: EvalContext) -> tuple[list[GradedAnswer], list[Any], list[Grade]]:
    """The bundled graded answers, their analyses and shipped-calibration grades (cached)."""
    if "graded" not in ctx.cache:
        rows = limited(load_graded(), ctx.limit)
        tick = ctx.progress("grading answers")
        analyses = []
        for n, row in enumerate(rows, 1):
            analyses.append(ctx.grader.analyse(row.question, row.answer, row.reference))
            tick(n, len(rows))
        grades = [ctx.grader.grade_analysis(a) for a in analyses]
        ctx.cache["graded"] = (rows, analyses, grades)
    return ctx.cache["graded"]


def human_level(row: GradedAnswer) -> str:
    return row.level or verdict_for(row.score)


def group_of(row: GradedAnswer) -> str:
    return row.section or row.question


def summarise(ctx: EvalContext, rows: list[GradedAnswer], predicted: list[float],
              verdicts: list[str]) -> dict[str, Any]:
    """Agreement, confusion and breakdowns of one set of predictions."""
    truth = [r.score for r in rows]
    levels = [human_level(r) for r in rows]
    return {
        **agreement(predicted, truth),
        "pairwise_order": pairwise_order([group_of(r) for r in rows], predicted, truth),
        "confusion": confusion(levels, verdicts),
        "by_level": breakdown(levels, predicted, truth),
        "by_topic": breakdown([ctx.topic_of(r.section) if r.section else "supplied reference"
                               for r in rows], predicted, truth),
        "by_question": breakdown([group_of(r) for r in rows], predicted, truth),
    }


def shown_points(rows: list[GradedAnswer], grades: list[Grade]) -> dict[str, int]:
    """Whether the statuses agree with the scores: off-topic answers shown a covered or partial
    point, and grades above 0 that show none."""
    off = [g for r, g in zip(rows, grades, strict=True) if human_level(r) in OFF_TOPIC_LEVELS]
    return {"off_topic": len(off),
            "off_topic_showing_a_point": sum(bool(g.covered or g.partial) for g in off),
            "graded": len(grades),
            "scored_without_a_point": sum(g.score > 0 and not (g.covered or g.partial)
                                          for g in grades)}


def bundled_cv(ctx: EvalContext) -> dict[str, Any]:
    """Cross-validated agreement on the bundled answers, with in-sample figures alongside."""
    rows, analyses, grades = graded_bundle(ctx)
    in_sample = [g.score for g in grades]
    folds = min(MAX_FOLDS, len({group_of(r) for r in rows}))
    if folds >= 2:
        predicted = [float(round(p, 1)) for p in cross_validate(ctx.grader, analyses, rows,
                                                                folds).predictions]
    else:  # a slice with one question cannot hold anything out
        predicted = in_sample
    verdicts = [g.verdict if g.verdict in FLOOR_VERDICTS else verdict_for(p)
                for g, p in zip(grades, predicted, strict=True)]
    kept = [i for i, r in enumerate(rows) if r.level not in TRIVIAL_LEVELS]
    return {
        "answers": len(rows),
        "folds": folds if folds >= 2 else 0,
        "cv": summarise(ctx, rows, predicted, verdicts),
        "cv_non_trivial": agreement([predicted[i] for i in kept], [rows[i].score for i in kept]),
        "in_sample": agreement(in_sample, [r.score for r in rows]),
        "shown_points": shown_points(rows, grades),
        "samples": [{"id": r.id, "level": human_level(r), "human": r.score, "predicted": p,
                     "shipped": g.score, "verdict": v,
                     "topic": ctx.topic_of(r.section) if r.section else "supplied reference"}
                    for r, p, g, v in zip(rows, predicted, grades, verdicts, strict=True)],
    }


def reference_cv(ctx: EvalContext) -> dict[str, Any]:
    """The bundled answers graded against a supplied reference (one excellent answer per
    section) instead of the guide, as external graded sets are; held out by half."""
    return held_out_cv(ctx, ctx.grader, with_references(limited(load_graded(), ctx.limit)),
                       "grading against references")


def extracted_cv(ctx: EvalContext) -> dict[str, Any]:
    """The bundled answers graded against rubrics extracted from the guide's text (the curated
    rubric left out), as any other guide is graded; held out by half."""
    return held_out_cv(ctx, ctx.grader.with_extracted_rubrics(), limited(load_graded(), ctx.limit),
                       "grading against extracted rubrics")


def held_out_cv(ctx: EvalContext, grader: Any, rows: list[GradedAnswer],
                label: str) -> dict[str, Any]:
    """Agreement and per-level means of `grader` on `rows`, fitted and reported by fold."""
    tick = ctx.progress(label)
    analyses = []
    for n, row in enumerate(rows, 1):
        analyses.append(grader.analyse(row.question, row.answer, row.reference))
        tick(n, len(rows))
    folds = min(MAX_FOLDS, len({group_of(r) for r in rows}))
    if folds < 2:
        return {"answers": len(rows), "folds": 0}
    predicted = [float(round(p, 1)) for p in cross_validate(grader, analyses, rows,
                                                            folds).predictions]
    truth = [r.score for r in rows]
    return {"answers": len(rows), "folds": folds, "cv": agreement(predicted, truth),
            "by_level": breakdown([human_level(r) for r in rows], predicted, truth)}


def external_blind(ctx: EvalContext) -> dict[str, Any]:
    """The shipped grader on the blind external set, against each row's reference: zero-shot,
    and with a teacher's scale fitted on EXAMPLES_PER_QUESTION graded answers of each question
    (the rest of that question's answers scored; 5 draws pooled)."""
    rows = limited(load_graded([EXTERNAL_BLIND_FILE]), ctx.limit)
    tick = ctx.progress("grading the blind external set")
    grades = []
    for n, row in enumerate(rows, 1):
        grades.append(ctx.grader.grade(row.question, row.answer, row.reference))
        tick(n, len(rows))
    predicted = [g.score for g in grades]
    truth = [r.score for r in rows]
    sizes = Counter(group_of(r) for r in rows)
    zero, scaled, held = (with_examples(np.asarray(predicted), rows, EXAMPLES_PER_QUESTION)
                          if max(sizes.values(), default=0) > EXAMPLES_PER_QUESTION
                          else ([], [], []))  # a slice too small to hold examples out
    return {"answers": len(rows), "zero_shot": agreement(predicted, truth),
            "by_level": breakdown([human_level(r) for r in rows], predicted, truth),
            "examples_per_question": EXAMPLES_PER_QUESTION,
            "with_examples": agreement(scaled, held),
            "zero_shot_same_rows": agreement(zero, held),
            "shown_points": shown_points(rows, grades)}


def plain_predictions(ctx: EvalContext, rows: list[GradedAnswer], grader: Any,
                      label: str) -> dict[str, Any]:
    """Grade rows as they are; a row the grader rejects is counted, not fatal."""
    kept, grades, errors = [], [], []
    tick = ctx.progress(label)
    for n, row in enumerate(rows, 1):
        try:
            grades.append(grader.grade(row.question, row.answer, row.reference))
            kept.append(row)
        except TutorError as exc:
            errors.append({"id": row.id, "error": str(exc)})
        tick(n, len(rows))
    result = summarise(ctx, kept, [g.score for g in grades], [g.verdict for g in grades])
    fallbacks = sum(any("graded offline" in w for w in g.warnings) for g in grades)
    return {"answers": len(rows), "graded": len(kept), "errors": errors,
            "fallbacks": fallbacks, **result,
            "samples": [{"id": r.id, "level": human_level(r), "human": r.score,
                         "predicted": g.score, "verdict": g.verdict, "grader": g.grader}
                        for r, g in zip(kept, grades, strict=True)]}


def load_user_data(paths: list[Path]) -> dict[str, list[GradedAnswer]]:
    """Users' graded answers by file name, read up front so a bad file fails before any work.

    Raises:
        InputError: a file is missing or a row lacks question, answer or score.
    """
    return {path.name: load_graded([path]) for path in paths}


def run_grading(ctx: EvalContext, extra: dict[str, list[GradedAnswer]] | None = None
                ) -> dict[str, Any]:
    """Bundled answers (cross-validated), user files, gaming attacks, and the LLM grader."""
    from tutor.eval.gaming_eval import run_gaming

    out: dict[str, Any] = {"bundled": bundled_cv(ctx), "reference": reference_cv(ctx),
                           "extracted": extracted_cv(ctx), "external_blind": external_blind(ctx),
                           "user_data": {}}
    for name, rows in (extra or {}).items():
        out["user_data"][name] = plain_predictions(ctx, limited(rows, ctx.limit), ctx.grader,
                                                   name)
    if ctx.use_llm:
        rows = graded_bundle(ctx)[0]
        out["llm"] = plain_predictions(ctx, rows, ctx.llm_grader, "LLM grading")
        out["llm"]["grader"] = ctx.llm_grader.name
    out["gaming"] = run_gaming(ctx)
    return out


def mean_abs_error(samples: list[dict[str, Any]], key: str) -> dict[str, float]:
    """Mean |predicted - human| per value of `key`, labelled with the group size (for plots)."""
    groups: dict[str, list[float]] = {}
    for s in samples:
        groups.setdefault(s[key], []).append(abs(s["predicted"] - s["human"]))
    return {f"{k} (n={len(v)})": float(np.mean(v)) for k, v in sorted(groups.items())}
