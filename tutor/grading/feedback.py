"""Turn per-point results into a Grade: verdict, kind and specific feedback, one follow-up."""

from __future__ import annotations

from tutor.core.types import Citation, Grade, PointResult
from tutor.grading.follow_ups import (
    GENERIC,
    question_from_statement,
    same_question,
    template_follow_up,
)
from tutor.grading.rubric import Rubric, RubricPoint
from tutor.grading.statements import short_label

VERDICTS = [(4.5, "excellent"), (3.5, "good"), (2.0, "partial"), (0.0, "weak")]


def verdict_for(score: float) -> str:
    return next(name for floor, name in VERDICTS if score >= floor)


def point_result(point: RubricPoint, status: str, evidence: str = "", similarity: float = 0.0,
                 quote: str | None = None, credit: float = 0.0,
                 terms_found: list[str] | None = None) -> PointResult:
    """A rubric point's outcome; its citation quotes one verbatim guide sentence."""
    citation = None
    if point.citation is not None:
        citation = Citation(chunk_id=point.citation.chunk_id, section=point.citation.section,
                            quote=quote or best_quote(point))
    return PointResult(point=point.label, status=status, evidence=evidence[:400],  # type: ignore[arg-type]
                       citation=citation, similarity=round(similarity, 3), weight=point.weight,
                       essential=point.essential, credit=credit, terms_found=terms_found or [])


def best_quote(point: RubricPoint) -> str:
    """The most informative verbatim guide sentence of a point (titles alone say little)."""
    source = point.citation.quote if point.citation is not None else point.text
    verbatim = [u for u in point.units if u in source]
    return next((u for u in verbatim if len(u) > 40), source if len(source) <= 400 else
                (verbatim[0] if verbatim else source))


def build_grade(rubric: Rubric, results: list[PointResult], score: float, grader: str,
                warnings: list[str], verdict: str | None = None) -> Grade:
    """Assemble the Grade with feedback and a follow-up on the most important gap."""
    score = round(min(5.0, max(0.0, score)), 1)
    by_status: dict[str, list[PointResult]] = {"covered": [], "partial": [], "missing": [],
                                                "incorrect": []}
    for r in results:
        by_status[r.status].append(r)
    gap = most_important_gap(results) if score < 4.5 else None
    grade = Grade(
        score=score,
        verdict=verdict or verdict_for(score),
        question=rubric.question,
        section=rubric.section,
        card_id=rubric.card.id if rubric.card else None,
        match_confidence=rubric.confidence,
        covered=by_status["covered"], partial=by_status["partial"],
        missing=by_status["missing"], incorrect=by_status["incorrect"],
        grader=grader, warnings=list(warnings),
        follow_up=follow_up_question(gap, rubric) if gap else None,
        follow_up_point=gap,
    )
    grade.feedback = feedback_text(grade)
    return grade


def most_important_gap(results: list[PointResult],
                       exclude: frozenset[str] = frozenset()) -> PointResult | None:
    """The heaviest essential point not covered (contradicted first), else a supporting one."""
    open_points = [r for r in results if r.status != "covered" and r.point not in exclude]
    if not open_points:
        return None
    return max(open_points, key=lambda r: (r.essential, r.status == "incorrect", r.weight,
                                           -results.index(r)))


def follow_up_question(gap: PointResult, rubric: Rubric) -> str:
    """The interviewer's question about the gap: the rubric's own, else one from its title."""
    point = next((p for p in rubric.points if p.label == gap.point), None)
    if gap.status == "incorrect":  # the candidate's own sentence, and the point's question
        said = f' You said: "{short_label(gap.evidence, 20)}"' if gap.evidence else ""
        probe = point.follow_up if point is not None and point.follow_up not in ("", GENERIC) \
            else "Can you restate it and explain why it holds?"
        return f"Let's revisit one claim.{said} {probe}"
    if point is not None and point.follow_up:
        return point.follow_up
    if point is not None and rubric.card is not None:  # the same question an extracted point has
        return template_follow_up(point.label, point.text, rubric.card)
    asked = question_from_statement(point.text) if point is not None else None
    if asked is None or same_question(asked, rubric.question):  # never the question itself
        return "What else would you add to your answer, and how does it work?"
    return asked


def feedback_text(grade: Grade) -> str:
    """Short, specific, kind feedback naming what was covered and what to add."""
    if grade.verdict == "empty":
        return ("No answer given. Try a sentence or two in your own words; "
                "partial answers still earn credit.")
    if grade.verdict == "ungraded" or not (grade.covered or grade.partial or grade.incorrect
                                           or grade.missing):
        return ("Not graded: the guide states no points for this question to compare your "
                "answer with; grade it against a reference answer instead.")
    if grade.verdict == "off-topic":
        return ("This answer does not address the question. Re-read the question and focus on "
                f"{_names(grade.missing[:2]) or 'its main idea'}.")
    parts = []
    if grade.covered:
        parts.append(f"Good: you covered {_names(grade.covered[:3])}.")
    if grade.partial:
        parts.append(f"Partly there on {_names(grade.partial[:2])}: be more specific.")
    if grade.incorrect:
        parts.append(f"Check your claim about {_names(grade.incorrect[:2])}.")
    if grade.missing:
        parts.append(f"To improve, add {_names(grade.missing[:3])} (see the cited passages).")
    return " ".join(parts)


def _names(results: list[PointResult]) -> str:
    names = [r.point.rstrip(":.… ") if _is_title(r.point) else f"“{r.point}”" for r in results]
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


def _is_title(label: str) -> bool:
    return not label.endswith("…") and len(label.split()) <= 6
