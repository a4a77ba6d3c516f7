"""The Progress page: scores over time, by topic, the weakest topics and the reviews due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st
from tutor.ui import state
from tutor.ui.components import topic_chart
from tutor.ui.markup import escape_markdown

WEAKEST = 3
UPCOMING_DAYS = 7


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
    st.line_chart(pd.DataFrame({"started": [h.started_at for h in history],
                                "mean score": [h.mean_score for h in history]}),
                  x="started", y="mean score", y_label="mean score (0-5)")
    st.subheader("Score per topic")
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
    now = datetime.now(UTC)
    due = res.store.due_cards(now)
    soon = [c for c in res.store.due_cards(now + timedelta(days=UPCOMING_DAYS)) if c not in due]
    st.subheader("Reviews due")
    if not due:
        st.success("Nothing due for review right now.")
    else:
        st.dataframe(_review_rows(res, due), hide_index=True)
    if soon:
        st.markdown(f"**Coming up in the next {UPCOMING_DAYS} days**")
        st.dataframe(_review_rows(res, soon), hide_index=True)


def _review_rows(res: state.Resources, card_ids: list[str]) -> pd.DataFrame:
    rows = []
    for card_id in card_ids:
        card, review = res.kb.card(card_id), res.store.review_state(card_id)
        rows.append({"section": card.heading if card else card_id,
                     "topic": card.topic if card else "",
                     "due": review.due.strftime("%Y-%m-%d %H:%M") if review else "",
                     "last score": review.last_score if review else None})
    return pd.DataFrame(rows)


if __name__ == "__main__":
    render()
