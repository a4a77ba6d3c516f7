"""Turn per-point results into a Grade: verdict, kind and specific feedback, one follow-up."""

from __future__ import annotations

import re

from tutor.core.text import STOPWORDS, content_words, stem
from tutor.core.types import Citation, Grade, PointResult
from tutor.grading.rubric import Rubric, RubricPoint

VERDICTS = [(4.5, "excellent"), (3.5, "good"), (2.0, "partial"), (0.0, "weak")]


def verdict_for(score: float) -> str:
    return next(name for floor, name in VERDICTS if score >= floor)


def point_result(point: RubricPoint, status: str, evidence: str = "", similarity: float = 0.0,
                 quote: str | None = None) -> PointResult:
    """A rubric point's outcome; its citation quotes one verbatim rubric sentence."""
    citation = Citation(chunk_id=point.citation.chunk_id, section=point.citation.section,
                        quote=quote or best_quote(point))
    return PointResult(point=point.label, status=status, evidence=evidence[:400],  # type: ignore[arg-type]
                       citation=citation, similarity=round(similarity, 3))


def best_quote(point: RubricPoint) -> str:
    """The most informative verbatim sentence of a point (titles alone say little)."""
    return next((u for u in point.units if len(u) > 40),
                point.units[0] if point.units else point.text)


def build_grade(rubric: Rubric, results: list[PointResult], score: float, grader: str,
                warnings: list[str], verdict: str | None = None) -> Grade:
    """Assemble the Grade with feedback and a follow-up on the most important gap."""
    score = round(min(5.0, max(0.0, score)), 1)
    by_status: dict[str, list[PointResult]] = {"covered": [], "partial": [], "missing": [],
                                                "incorrect": []}
    for r in results:
        by_status[r.status].append(r)
    gap = _most_important_gap(by_status)
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
        follow_up=follow_up_question(gap, rubric) if gap and score < 4.5 else None,
        follow_up_point=gap if score < 4.5 else None,
    )
    grade.feedback = feedback_text(grade)
    return grade


def _most_important_gap(by_status: dict[str, list[PointResult]]) -> PointResult | None:
    for status in ("incorrect", "missing", "partial"):
        if by_status[status]:
            return by_status[status][0]
    return None


def follow_up_question(gap: PointResult, rubric: Rubric) -> str:
    """One question that probes the gap without giving the answer away."""
    label = gap.point.rstrip(":.… ")
    if not _is_title(gap.point):  # a sentence-derived point: ask about its key terms
        label = _key_terms(gap.citation.quote if gap.citation else gap.point, rubric.question)
    if gap.status == "incorrect":
        return f"Let's revisit one claim: what exactly is true about {label}?"
    if rubric.card is not None and rubric.card.kind == "scenario":
        return f"How would {label} fit into your design, and why does it matter here?"
    return f"Can you explain {label} and how it relates to this question?"


def _is_title(label: str) -> bool:
    return not label.endswith("…") and len(label.split()) <= 6


def _key_terms(sentence: str, question: str, n: int = 3) -> str:
    """The sentence's most specific words that the question does not already use."""
    asked = set(content_words(question))
    seen: list[str] = []
    for word in re.findall(r"[A-Za-z][A-Za-z0-9-]+", sentence):
        lowered = word.lower()
        if (lowered in STOPWORDS or stem(lowered) in asked or len(word) < 4
                or lowered.endswith("ly")):
            continue
        if lowered not in (w.lower() for w in seen):
            seen.append(word)
    picked = sorted(seen, key=len, reverse=True)[:n]
    picked = [w for w in seen if w in picked]  # keep sentence order
    if not picked:
        return "this point"
    return ", ".join(picked[:-1]) + f" and {picked[-1]}" if len(picked) > 1 else picked[0]


def feedback_text(grade: Grade) -> str:
    """Short, specific, kind feedback naming what was covered and what to add."""
    if grade.verdict == "empty":
        return ("No answer given. Try a sentence or two in your own words; "
                "partial answers still earn credit.")
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
    if not parts:
        parts.append("Solid answer.")
    return " ".join(parts)


def _names(results: list[PointResult]) -> str:
    names = [r.point.rstrip(":.… ") if _is_title(r.point) else f"“{r.point}”" for r in results]
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)
