"""The end-of-interview report: scores by topic (chart), strengths and gaps, the study plan."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from tutor.ui.charts import topic_chart
from tutor.ui.components import citation_expander
from tutor.ui.markup import escape_markdown, shorten

from tutor.interview.report import REVIEW_NOTE, InterviewReport, StudyItem


def report_view(report: InterviewReport) -> None:
    """Render a report built by `tutor.report.build_report`."""
    st.subheader("Interview report")
    mean = f"{report.mean_score:.1f}/5" if report.mean_score is not None else "n/a"
    left, middle, right = st.columns(3)
    left.metric("Mean score", mean)
    middle.metric("Questions answered", report.answered)
    right.metric("Session", report.status)
    if report.topics:
        st.markdown("**Score by topic**")
        topic_chart({t.topic: t.mean_score for t in report.topics})
        for topic in report.topics:
            _topic_line(topic.topic, topic.mean_score, topic.strengths, topic.gaps)
    _study_plan(report.study_plan)
    if report.next_reviews:
        st.markdown("**Next reviews**")
        st.dataframe(pd.DataFrame([{"section": r["section"], "next review": r["when"]}
                                   for r in report.next_reviews]), hide_index=True)
        st.caption(REVIEW_NOTE)


def _topic_line(topic: str, score: float, strengths: list[str], gaps: list[str]) -> None:
    line = f"- **{escape_markdown(topic)}**: {score:.1f}/5"
    if strengths:
        line += " · strengths: " + ", ".join(escape_markdown(s) for s in strengths)
    if gaps:
        line += " · gaps: " + ", ".join(escape_markdown(g) for g in gaps)
    st.markdown(line)


def _study_plan(items: list[StudyItem]) -> None:
    if not items:
        st.success("No section to reread: every answer scored well.")
        return
    st.markdown("**Study plan** (reread these guide sections)")
    for number, item in enumerate(items, 1):
        due = f" · next review {item.next_review_in}" if item.next_review_in else ""
        st.markdown(f"{number}\\. **{escape_markdown(item.section)}** "
                    f"(scored {item.score:.1f}/5){due}")
        for citation in item.reread:
            citation_expander(f"Reread: {shorten(citation.quote, 80)}", citation,
                              icon=":material/menu_book:")
