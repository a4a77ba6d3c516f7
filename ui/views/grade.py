"""The Grade page: one answer to a guide question (or your own question) gets a grade card."""

from __future__ import annotations

import streamlit as st
from tutor.ui import state
from tutor.ui.components import grade_card, text
from tutor.ui.markup import shorten

RESULT = "grade_result"
GUIDE, OWN = "A question from the guide", "My own question"


def render() -> None:
    res = state.resources()
    st.title("Grade an answer")
    st.caption(f"Grader: {state.grader_label(res.grader.name)}")
    source = st.radio("Question", (GUIDE, OWN), horizontal=True, key="grade_source")
    card_id, question, reference = None, "", None
    if source == GUIDE:
        cards = {c.id: c for c in res.kb.cards if c.key_points}
        card_id = st.selectbox("Guide question (type to search)", list(cards), index=None,
                               key="grade_card", placeholder="Type a few words of the question",
                               format_func=lambda cid: shorten(cards[cid].question, 140))
        question = cards[card_id].question if card_id else ""
    else:
        question = st.text_input("Your question", key="grade_question")
        reference = st.text_area("Reference answer (optional)", key="grade_reference",
                                 help="Without one, the answer is graded against the guide "
                                      "question yours matches; a question the guide does not "
                                      "cover needs one.") or None
    answer = st.text_area("Your answer", height=200, key="grade_answer")
    if st.button("Grade", type="primary", key="grade_button"):
        if not question.strip() or not answer.strip():
            st.warning("Choose or type a question and write an answer first.")
        else:
            with st.spinner("Grading…"):
                st.session_state[RESULT] = (res.grader.grade(question, answer, reference,
                                                             card_id=card_id), card_id)
    if RESULT in st.session_state:
        grade, graded_card = st.session_state[RESULT]
        grade_card(grade)
        card = res.kb.card(graded_card) if graded_card else None
        if card is not None:
            with st.expander("The guide's full answer"):
                text(card.body)


if __name__ == "__main__":
    render()
