"""Plain-text rendering of results for the terminal."""

from __future__ import annotations

import textwrap
from typing import Any

from tutor.core.types import Grade, Hit


def format_hits(hits: list[Hit]) -> str:
    if not hits:
        return "No matching passages."
    out = []
    for i, hit in enumerate(hits, 1):
        snippet = textwrap.shorten(" ".join(hit.chunk.text.split()), 240, placeholder=" …")
        out.append(f"{i}. {hit.chunk.heading}  [{hit.chunk.id}]  score={hit.score:.4f} "
                   f"(dense #{hit.dense_rank or '-'}, bm25 #{hit.bm25_rank or '-'})\n   {snippet}")
    return "\n".join(out)


def format_ingest_summary(summary: Any, as_dict: bool = False) -> Any:
    data = {
        "files_new": summary.files_new,
        "files_changed": summary.files_changed,
        "files_unchanged": summary.files_unchanged,
        "cards": summary.cards,
        "chunks": summary.chunks,
        "embedded": summary.embedded,
        "noise_removed": dict(summary.removed),
        "warnings": summary.warnings,
        "seconds": round(summary.seconds, 2),
    }
    if as_dict:
        return data
    if not summary.changed:
        return (f"Index up to date: {summary.cards} cards, {summary.chunks} chunks "
                f"({len(summary.files_unchanged)} file(s) unchanged).")
    lines = [
        f"Ingested {len(summary.files_new)} new and {len(summary.files_changed)} changed file(s) "
        f"in {summary.seconds:.1f}s",
        f"  cards:  {summary.cards}",
        f"  chunks: {summary.chunks} ({summary.embedded} embedded)",
    ]
    if summary.removed:
        noise = ", ".join(f"{n} {reason}" for reason, n in sorted(summary.removed.items()))
        lines.append(f"  skipped noise: {noise}")
    lines += [f"  warning: {w}" for w in summary.warnings]
    return "\n".join(lines)


def format_grade(grade: Grade) -> str:
    """A grade as a compact terminal report with cited passages."""
    lines = [f"Score: {grade.score:.1f}/5  ({grade.verdict})   grader: {grade.grader}"]
    if grade.section:
        lines.append(f"Section: {grade.section}")
    for label, items in (("Covered", grade.covered), ("Partly covered", grade.partial),
                         ("Incorrect", grade.incorrect), ("Missing", grade.missing)):
        if not items:
            continue
        lines.append(f"{label}:")
        for item in items:
            lines.append(f"  - {item.point}")
            if item.citation and label != "Covered":
                quote = textwrap.shorten(item.citation.quote, 220, placeholder=" …")
                lines.append(f"      guide [{item.citation.chunk_id}]: “{quote}”")
    lines.append(f"Feedback: {grade.feedback}")
    if grade.follow_up:
        lines.append(f"Follow-up: {grade.follow_up}")
    lines += [f"warning: {w}" for w in grade.warnings]
    return "\n".join(lines)
