"""The LLM grader: the same rubric, verdicts per key point as JSON, the score computed by us.

The model never sets the score: we compute it from its per-point verdicts, keep only verdicts
backed by evidence copied from the answer, drop quotes that are not verbatim, and fall back to
the embedded grader (with a visible warning) when the endpoint fails.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from typing import Any

import numpy as np

from tutor.core.errors import LLMError
from tutor.core.templates import render
from tutor.core.text import normalise_ws
from tutor.core.types import Grade, PointResult
from tutor.grading.embedded import EmbeddedGrader
from tutor.grading.feedback import build_grade, point_result
from tutor.grading.rubric import Rubric
from tutor.grading.scoring import combine
from tutor.llm.client import ChatModel

log = logging.getLogger(__name__)
STATUS_CREDIT = {"covered": 1.0, "partial": 0.5, "missing": 0.0, "incorrect": 0.0}
INCORRECT_PENALTY = 0.75  # per verified wrong claim (at most 3), after the shared formula
MIN_EVIDENCE_SIMILARITY = 0.3  # evidence must be about the point it is claimed for


def verdict_schema(n_points: int) -> dict[str, Any]:
    """JSON schema of the reply; every field is bounded so small models cannot run away."""
    return {
        "type": "object",
        "properties": {
            "points": {
                "type": "array", "minItems": n_points, "maxItems": n_points,
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer", "minimum": 1, "maximum": n_points},
                        "status": {"type": "string",
                                   "enum": ["covered", "partial", "missing", "incorrect"]},
                        "evidence": {"type": "string", "maxLength": 300},
                        "guide_quote": {"type": "string", "maxLength": 300},
                    },
                    "required": ["id", "status", "evidence", "guide_quote"],
                    "additionalProperties": False,
                },
            },
            "incorrect_claims": {"type": "array", "maxItems": 5,
                                 "items": {"type": "string", "maxLength": 200}},
        },
        "required": ["points", "incorrect_claims"],
        "additionalProperties": False,
    }


def score_from_verdicts(points: Sequence[tuple[float, bool, str]], incorrect_claims: int,
                        curve: float = 1.0,
                        strictness: float = 0.0) -> tuple[float, dict[str, float | str]]:
    """0-5 from (weight, essential, status) per point with the embedded grader's formula
    (tutor.grading.scoring.combine), minus INCORRECT_PENALTY per verified wrong claim."""
    return combine([(w, e, STATUS_CREDIT[s]) for w, e, s in points], 1.0, curve, strictness,
                   incorrect_claims, INCORRECT_PENALTY)


class LLMGrader:
    """Grades with a chat model through the rubric; falls back to the embedded grader."""

    def __init__(self, model: ChatModel, embedded: EmbeddedGrader) -> None:
        self.model = model
        self.embedded = embedded

    @property
    def name(self) -> str:
        return f"llm:{self.model.name}"

    def rubric_for(self, question: str, reference: str | None = None,
                   card_id: str | None = None) -> Rubric:
        """The same rubric the embedded grader uses."""
        return self.embedded.rubric_for(question, reference, card_id)

    def grade(self, question: str, answer: str, reference: str | None = None,
              card_id: str | None = None, rubric: Rubric | None = None) -> Grade:
        analysis = self.embedded.analyse(question, answer, reference, card_id, rubric)
        offline = self.embedded.grade_analysis(analysis)
        if offline.verdict in ("empty", "ungraded") or not analysis.rubric.points:
            return offline  # nothing for a model to judge
        try:
            return self._grade_with_model(analysis.rubric, analysis.answer, analysis.warnings)
        except LLMError as exc:
            log.warning("LLM grading failed: %s", exc)
            offline.warnings.insert(0, f"LLM unavailable ({exc}); graded offline")
            return offline

    def _grade_with_model(self, rubric: Rubric, answer: str, warnings: list[str]) -> Grade:
        marker = f"<<<ANSWER-{secrets.token_hex(6)}>>>"
        safe_answer = answer.replace("<<<ANSWER-", "<<<answer-")  # no forged markers
        rubric_text = "\n".join(
            f"{i}. [{'essential' if p.essential else 'supporting'}] {p.label}: "
            f"{normalise_ws(p.text)}" for i, p in enumerate(rubric.points, 1))
        messages = [
            {"role": "system", "content": render("grade_system")},
            {"role": "user", "content": render("grade_user", question=rubric.question,
                                                rubric=rubric_text, marker=marker,
                                                answer=safe_answer, count=len(rubric.points))},
        ]
        reply = self.model.complete(messages, schema=verdict_schema(len(rubric.points)))
        if reply.data is None:
            raise LLMError("LLM reply carried no JSON verdicts")
        return self._to_grade(rubric, answer, reply.data, list(warnings))

    def _to_grade(self, rubric: Rubric, answer: str, data: dict[str, Any],
                  warnings: list[str]) -> Grade:
        verdicts = {int(p.get("id", 0)): p for p in data.get("points", [])
                    if isinstance(p, dict)}
        haystack = normalise_ws(answer).lower()
        dropped_quotes = unsupported = 0
        results: list[PointResult] = []
        for i, point in enumerate(rubric.points, 1):
            v = verdicts.get(i, {})
            status = str(v["status"]) if v.get("status") in STATUS_CREDIT else "missing"
            evidence = normalise_ws(str(v.get("evidence", "")))
            if evidence and evidence.lower() not in haystack:
                evidence, dropped_quotes = "", dropped_quotes + 1
            if status in ("covered", "partial") and not self._supports(evidence, point.units):
                status, unsupported = "missing", unsupported + 1
            quote = normalise_ws(str(v.get("guide_quote", "")))
            guide_text = [point.citation.quote] if point.citation is not None else point.units
            if quote and not any(quote in normalise_ws(u) for u in guide_text):
                quote, dropped_quotes = "", dropped_quotes + 1
            results.append(point_result(point, status, evidence,
                                        quote=quote if len(quote) > 20 else None,
                                        credit=STATUS_CREDIT[status]))
        claims = [c for c in data.get("incorrect_claims", [])
                  if isinstance(c, str) and c.strip() and normalise_ws(c).lower() in haystack]
        if dropped_quotes:
            warnings.append(f"{dropped_quotes} quote(s) from the LLM were not verbatim "
                            "and were dropped")
        if unsupported:
            warnings.append(f"{unsupported} verdict(s) without matching evidence in the answer "
                            "were counted as missing")
        score, breakdown = score_from_verdicts(
            [(p.weight, p.essential, r.status) for p, r in zip(rubric.points, results)],
            len(claims), self.embedded.params_for(rubric).curve, self.embedded.strictness)
        grade = build_grade(rubric, results, score, self.name, warnings)
        grade.breakdown = breakdown
        grade.unsupported = claims
        return grade

    def _supports(self, evidence: str, units: list[str]) -> bool:
        """Evidence must exist and be about the point (guards against injected verdicts)."""
        if len(evidence) < 8:
            return False
        vecs = self.embedded.embedder.embed_batch([evidence] + units)
        return float(np.max(vecs[1:] @ vecs[0])) >= MIN_EVIDENCE_SIMILARITY
