"""The Interview page: the tutor asks, the candidate answers, each answer gets a grade card.

The interview itself (planning, grading, follow-ups, persistence) is `tutor.interview.session`;
this page keeps the open `InterviewSession` and a transcript of what was shown in
`st.session_state`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st
from tutor.ui import state
from tutor.ui.components import grade_card, text
from tutor.ui.markup import escape_markdown

from tutor.core.types import Grade
from tutor.interview.planning import InterviewConfig, list_topics
from tutor.interview.session import InterviewSession, Prompt

SESSION, MESSAGES = "interview_session", "interview_messages"
MIXES = {"mixed": "Concepts and scenarios", "concept": "Concepts only",
         "scenario": "Scenarios only"}
ACTIONS = (("hint", "Hint", ":material/lightbulb:"), ("skip", "Skip", ":material/skip_next:"),
           ("show answer", "Show answer", ":material/menu_book:"))


@dataclass
class Message:
    """One bubble of the transcript."""

    role: str  # assistant | user
    kind: str  # question | answer | grade | hint | reference | note
    text: str = ""
    label: str = ""
    grade: Grade | None = None


def render() -> None:
    res = state.resources()
    _sidebar(res)
    st.title("Mock interview")
    session: InterviewSession | None = st.session_state.get(SESSION)
    if session is None:
        st.info("Pick topics and the number of questions in the sidebar, then press **Start "
                "interview**. Answer in the chat box: **Enter** sends your answer, "
                "**Shift+Enter** starts a new line (pasted paragraphs are kept). Type or click "
                "*hint*, *skip* or *show answer* when you are stuck. Unfinished interviews can "
                "be resumed from the sidebar too.")
        return
    for message in st.session_state[MESSAGES]:
        _show(message)
    if session.finished:
        _finished(res, session)
        return
    command = _action_buttons()
    typed = st.chat_input("Your answer: Enter sends, Shift+Enter for a new line (or type: hint, "
                          "skip, show answer)", key="answer_box")
    if typed and typed.strip().lower() in {key for key, _, _ in ACTIONS}:
        command, typed = typed.strip().lower(), None
    if command or typed:
        _take_turn(session, command, typed or "")
        st.rerun()


def _sidebar(res: state.Resources) -> None:
    with st.sidebar:
        st.caption(f"Grader: {state.grader_label(res.grader.name)}")
        with st.form("new_interview"):
            st.markdown("**New interview**")
            topics = st.multiselect("Topics", list_topics(res.kb), placeholder="All topics")
            count = st.number_input("Questions", min_value=1, max_value=20, value=5)
            mix = st.selectbox("Mix", list(MIXES), format_func=MIXES.__getitem__)
            levels = sorted({c.difficulty for c in res.kb.cards if c.difficulty})
            difficulty = (st.multiselect("Difficulty", levels, placeholder="Any difficulty")
                          if levels else [])  # only guides that mark difficulty offer it
            start = st.form_submit_button("Start interview", type="primary")
        if start:
            config = InterviewConfig(questions=int(count), topics=topics, mix=mix,
                                     difficulty=list(difficulty))
            with st.spinner("Planning the interview…"):
                _open(res, InterviewSession.start(res.store, res.kb, res.grader, config))
            st.rerun()
        _resume_picker(res)


def _resume_picker(res: state.Resources) -> None:
    current = st.session_state.get(SESSION)
    sessions = {s.id: s for s in res.store.list_sessions(limit=20)
                if s.status == "active" and (current is None or s.id != current.id)}
    if not sessions:
        return
    st.markdown("**Unfinished interviews**")
    chosen = st.selectbox("Unfinished interview", list(sessions), key="resume_choice",
                          format_func=lambda sid: _session_label(sessions[sid]),
                          label_visibility="collapsed")
    if st.button("Resume interview", key="resume"):
        _open(res, InterviewSession.resume(res.store, res.kb, res.grader, chosen))
        st.rerun()


def _session_label(record: Any) -> str:
    topics = ", ".join(record.config.get("topics") or []) or "all topics"
    return f"{record.created_at:%d %b %H:%M} · {len(record.plan)} questions · {topics}"


def _open(res: state.Resources, session: InterviewSession) -> None:
    """Make `session` this user's interview, with the transcript of what it already holds."""
    st.session_state[SESSION] = session
    st.session_state[MESSAGES] = _replay(res, session)


def _replay(res: state.Resources, session: InterviewSession) -> list[Message]:
    messages, number = [], 0
    for turn in res.store.turns(session.id):
        number += turn.kind == "main"
        label = (f"Question {number}/{len(session.plan)} · {turn.topic}" if turn.kind == "main"
                 else "Follow-up")
        messages.append(Message("assistant", "question", turn.question, label))
        if turn.grade.grader == "none":  # skipped or answer shown
            messages.append(Message("assistant", "note", turn.grade.feedback))
        else:
            messages += [Message("user", "answer", turn.answer),
                         Message("assistant", "grade", grade=turn.grade)]
    prompt = session.current()
    return messages + ([_question(prompt)] if prompt else [])


def _question(prompt: Prompt) -> Message:
    label = (f"Question {prompt.number}/{prompt.total} · {prompt.card.topic}"
             if prompt.kind == "main" else f"Follow-up on question {prompt.number}")
    return Message("assistant", "question", prompt.text, label)


def _show(message: Message) -> None:
    with st.chat_message(message.role):
        if message.label:
            st.markdown(f"**{escape_markdown(message.label)}**")
        if message.grade is not None:
            grade_card(message.grade, show_follow_up=False)  # asked as the next question
        elif message.kind == "reference":
            st.caption("The guide's answer (this question will come back in a review):")
            text(message.text)
        elif message.kind in ("hint", "note"):
            st.caption(escape_markdown(message.text))
        else:
            text(message.text)


def _action_buttons() -> str | None:
    columns = st.columns(len(ACTIONS))
    for column, (key, label, icon) in zip(columns, ACTIONS, strict=True):
        if column.button(label, icon=icon, key=f"action_{key}", width="stretch"):
            return key
    return None


def _take_turn(session: InterviewSession, command: str | None, answer: str) -> None:
    messages: list[Message] = st.session_state[MESSAGES]
    if command == "hint":
        messages.append(Message("assistant", "hint", "Hint: " + session.hint()))
        return
    if command == "skip":
        session.skip()
        messages.append(Message("assistant", "note", "Skipped: it will come back in a review."))
    elif command == "show answer":
        messages.append(Message("assistant", "reference", session.show_answer()))
    else:
        _show(Message("user", "answer", answer))
        with st.chat_message("assistant"), st.spinner("Grading your answer…"):
            outcome = session.answer(answer)
        messages += [Message("user", "answer", answer),
                     Message("assistant", "grade", grade=outcome.grade)]
    prompt = session.current()
    if prompt is not None:
        messages.append(_question(prompt))


def _finished(res: state.Resources, session: InterviewSession) -> None:
    from tutor.ui.report import report_view

    from tutor.interview.report import build_report

    st.success("Interview complete. Here is your report.")
    report_view(build_report(res.store, res.kb, session.id))
    if st.button("Start another interview", key="again", type="primary"):
        del st.session_state[SESSION]
        st.rerun()


if __name__ == "__main__":
    render()
