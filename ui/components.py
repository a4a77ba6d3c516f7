"""Reusable pieces: the grade card, cited passages in expanders, grade warnings."""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st
from tutor.ui.markup import escape_markdown, shorten

from tutor.core.types import Citation, Grade, PointResult

MISSED = (("partial", "Partly covered", ":material/contrast:"),
          ("incorrect", "Incorrect", ":material/report:"),
          ("missing", "Missed", ":material/cancel:"))
GRADED_OFFLINE = "so this answer was graded offline by the embedded grader"


def text(value: str) -> None:
    """Text that is not ours (an answer, a question, a passage), rendered literally."""
    st.markdown(escape_markdown(value))


def quote(citation: Citation) -> None:
    """A verbatim guide passage and where it stands."""
    st.markdown("> " + escape_markdown(citation.quote).replace("  \n", "  \n> "))
    st.caption(f"Guide section: {escape_markdown(citation.section)} · passage "
               f"`{citation.chunk_id}`")


def citation_expander(label: str, citation: Citation | None, evidence: str = "",
                      icon: str | None = None) -> None:
    """An expander titled `label` (escaped) holding the cited passage and the answer's words."""
    with st.expander(escape_markdown(label), icon=icon):
        if citation is not None:
            quote(citation)
        else:
            st.caption("No passage of the guide is attached to this point.")
        if evidence:
            st.caption("Your words: " + escape_markdown(shorten(evidence, 300)))


def grade_card(grade: Grade, show_follow_up: bool = True) -> None:
    """The compact grade card: score bar, covered and missed points, feedback, follow-up."""
    with st.container(border=True):
        score = f"{grade.score:.1f}/5"
        st.markdown(f"**Score {score}** · {escape_markdown(grade.verdict)}")
        st.progress(min(max(grade.score / 5.0, 0.0), 1.0))
        if grade.section:
            st.caption("Graded against: " + escape_markdown(grade.section))
        _covered(grade.covered)
        _missed(grade)
        if grade.feedback:
            text(grade.feedback)
        if show_follow_up and grade.follow_up:
            st.markdown("**Follow-up:** " + escape_markdown(grade.follow_up))
        show_warnings(grade.warnings)
        st.caption(f"Grader: {escape_markdown(grade.grader)}")


def _covered(points: Iterable[PointResult]) -> None:
    labels = [f":material/check_circle: {escape_markdown(p.point)}" for p in points]
    if labels:
        st.markdown("**Covered**  \n" + "  \n".join(labels))


def _missed(grade: Grade) -> None:
    rows = [(title, icon, p) for status, title, icon in MISSED for p in getattr(grade, status)]
    if not rows:
        return
    st.markdown("**To work on** (open one to read the guide's passage)")
    for title, icon, point in rows:
        citation_expander(f"{title}: {shorten(point.point, 90)}", point.citation, point.evidence,
                          icon)


def show_warnings(warnings: Iterable[str], fallback: str = GRADED_OFFLINE) -> None:
    """Each warning as st.warning; an LLM that fell back to offline work is called out."""
    for warning in warnings:
        if warning.lower().startswith("llm unavailable"):
            st.warning(f"The LLM could not be reached, {fallback}. Details: "
                       + escape_markdown(warning), icon=":material/cloud_off:")
        else:
            st.warning(escape_markdown(warning))


def numbered_sources(citations: list[Citation]) -> None:
    """Citations [1], [2], … each expanding to its verbatim passage."""
    for number, citation in enumerate(citations, 1):
        with st.expander(f"\\[{number}\\] {escape_markdown(shorten(citation.section, 90))}",
                         icon=":material/format_quote:"):
            quote(citation)
