"""Exact groundedness: every quote the tutor shows must stand verbatim in the guide.

No model judges this: a quote is either found (whitespace-normalised) in the chunk it cites, or
not. Answers' citations and grades' feedback citations must both score 1.0.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tutor.core.text import normalise_ws
from tutor.core.types import Citation, Grade
from tutor.grading.rubric import REFERENCE_ID
from tutor.index.grounding import QuoteVerifier

MAX_LISTED = 10


def check_citations(verifier: QuoteVerifier,
                    items: Iterable[tuple[str, Citation, str | None]]) -> dict[str, Any]:
    """Share of citations found verbatim, with the first few that are not.

    Args:
        items: (sample id, citation, supplied reference text or None); a citation of a
            supplied reference is checked against that reference instead of the guide.
    """
    total = verified = 0
    violations: list[dict[str, str]] = []
    for sample_id, citation, reference in items:
        total += 1
        if citation.chunk_id == REFERENCE_ID and reference is not None:
            ok = bool(normalise_ws(citation.quote)) and (
                normalise_ws(citation.quote) in normalise_ws(reference))
        else:
            ok = verifier.exists(citation.quote, citation.chunk_id or None)
        verified += ok
        if not ok and len(violations) < MAX_LISTED:
            violations.append({"id": sample_id, "chunk_id": citation.chunk_id,
                               "quote": citation.quote[:200]})
    return {"citations": total, "verified": verified,
            "share": round(verified / total, 4) if total else None,
            "ok": verified == total, "violations": violations}


def grade_citations(rows: list[Any], grades: list[Grade]) -> Iterable[tuple[str, Citation,
                                                                            str | None]]:
    for row, grade in zip(rows, grades, strict=True):
        for citation in grade.citations():
            yield row.id, citation, row.reference


def answer_citations(records: list[dict[str, Any]]) -> Iterable[tuple[str, Citation, None]]:
    for record in records:
        for citation in record["answer"].citations:
            yield record["id"], citation, None
