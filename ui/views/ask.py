"""The Ask page: questions answered from the guide, with numbered, verbatim citations."""

from __future__ import annotations

from typing import Any

import streamlit as st
from tutor.ui import state
from tutor.ui.components import numbered_sources, show_warnings, text
from tutor.ui.markup import escape_markdown

from tutor.ask.answer import answer_question

MESSAGES = "ask_messages"


def render() -> None:
    res = state.resources()
    st.title("Ask the guide")
    st.caption("Answers come from the guide only, with the passages they cite. "
               + ("An LLM writes them; unsupported sentences are flagged." if res.chat_model
                  else "Offline: the answer is made of the guide's own sentences."))
    messages: list[dict[str, Any]] = state.session_value(MESSAGES, [])
    for message in messages:
        _show(message)
    question = st.chat_input("Ask about the guide, e.g. “What is LoRA?”", key="ask_box")
    if question:
        _show({"role": "user", "text": question})
        with st.chat_message("assistant"), st.spinner("Searching the guide…"):
            answer = answer_question(question, res.retriever, res.embedder, res.chat_model,
                                     k=res.settings.top_k)
        messages += [{"role": "user", "text": question}, {"role": "assistant", "answer": answer}]
        st.rerun()


def _show(message: dict[str, Any]) -> None:
    with st.chat_message(message["role"]):
        if "answer" in message:
            answer_view(message["answer"])
        else:
            text(message["text"])


def answer_view(answer: Any) -> None:
    """A `tutor.answering.Answer`; a question the guide does not cover gets an honest no."""
    if not answer.citations:
        st.info("The guide does not cover this question, so there is no answer from it.",
                icon=":material/search_off:")
        if answer.nearest_sections:
            st.markdown("Closest sections of the guide:\n" + "\n".join(
                f"- {escape_markdown(section)}" for section in answer.nearest_sections))
    else:
        text(answer.answer)
        st.markdown("**Sources**")
        numbered_sources(list(answer.citations))
    if answer.unsupported:
        st.warning("Not supported by the cited passages, treat with care:\n"
                   + "\n".join(f"- {escape_markdown(s)}" for s in answer.unsupported))
    show_warnings(answer.warnings, fallback="so this was answered offline from the guide")
    st.caption(f"Answered by {escape_markdown(str(answer.answered_by))} · guide coverage "
               f"{answer.coverage:.0%}")


if __name__ == "__main__":
    render()
