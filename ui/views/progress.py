"""The Progress page: the learner's scores over time and by topic, weakest topics, reviews due."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st
from tutor.ui import state
from tutor.ui.charts import calendar_chart, score_chart, topic_chart
from tutor.ui.markup import escape_markdown

from tutor.interview.report import REVIEW_NOTE
from tutor.storage.scheduling import describe_due, due_calendar

WEAKEST = 3
CALENDAR_DAYS = 14
TABLE_ROWS = 20


def render() -> None:
    res = state.resources()
    st.title("Your progress")
    history = res.store.score_history()
    if not history:
        _empty_state()
        return
    topics = res.store.topic_history()
    latest, overall = history[-1], sum(h.mean_score for h in history) / len(history)
    left, middle, right = st.columns(3)
    left.metric("Interviews", len(history))
    middle.metric("Latest score", f"{latest.mean_score:.1f}/5",
                  delta=(f"{latest.mean_score - history[-2].mean_score:+.1f}"
                         if len(history) > 1 else None))
    right.metric("Average", f"{overall:.1f}/5")
    st.subheader("Score per interview")
    score_chart([h.started_at for h in history], [h.mean_score for h in history],
                [h.turns for h in history])
    st.subheader("Score per topic")
    st.caption("Mean score of your answers per topic, on the 0-5 scale; weakest first.")
    topic_chart({t.topic or "other": t.mean_score for t in topics})
    st.subheader("Weakest topics")
    st.markdown("\n".join(f"- **{escape_markdown(t.topic or 'other')}**: {t.mean_score:.1f}/5 "
                          f"over {t.turns} answer(s)" for t in topics[:WEAKEST]))
    _reviews(res)


def _empty_state() -> None:
    st.info("No interviews yet. Start your first mock interview: your scores per session and "
            "per topic, your weakest topics and the questions due for review will appear here.",
            icon=":material/school:")
    st.page_link("views/interview.py", label="Start a mock interview", icon=":material/forum:")
    st.page_link("views/grade.py", label="Or grade a single answer", icon=":material/grading:")


def _reviews(res: state.Resources) -> None:
    now = datetime.now().astimezone()
    reviews = res.store.reviews()  # soonest first
    st.subheader("Review calendar")
    st.caption(REVIEW_NOTE + " Overdue cards count today.")
    days = due_calendar([r.due for r in reviews], now, CALENDAR_DAYS)
    calendar_chart(days, now.date())
    due_now = sum(r.due <= now for r in reviews)
    if due_now:
        st.markdown(f"**{due_now} question(s) due now**: your next interview asks them first.")
    else:
        st.success("Nothing due for review right now.")
    if reviews:
        st.markdown("**Next reviews**")
        rows = []
        for review in reviews[:TABLE_ROWS]:
            card = res.kb.card(review.card_id)
            rows.append({"section": card.heading if card else review.card_id,
                         "topic": card.topic if card else "",
                         "next review": describe_due(review.due, now),
                         "last score": f"{review.last_score:.1f}/5"})
        st.dataframe(pd.DataFrame(rows), hide_index=True)


if __name__ == "__main__":
    render()
