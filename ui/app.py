"""The tutor's Streamlit app: who is practising, page navigation and the error boundary.
Start it with `tutor ui`.

Library errors (TutorError) are shown as one sentence saying what to do; TUTOR_DEBUG=1 lets
them through with their traceback.
"""

from __future__ import annotations

import os

import streamlit as st
from tutor.ui import profiles, state

from tutor.core.errors import TutorError

PAGES = (
    ("views/interview.py", "Interview", ":material/forum:", "interview"),
    ("views/grade.py", "Grade an answer", ":material/grading:", "grade"),
    ("views/ask.py", "Ask the guide", ":material/question_answer:", "ask"),
    ("views/progress.py", "Progress", ":material/insights:", "progress"),
)


def main() -> None:
    st.set_page_config(page_title="tutor · interview practice", page_icon=":material/school:",
                       layout="wide")
    page = st.navigation([st.Page(path, title=title, icon=icon, url_path=url, default=i == 0)
                          for i, (path, title, icon, url) in enumerate(PAGES)])
    try:
        settings = state.load_settings()
        learner = profiles.current_learner(settings)
        if learner is None:
            profiles.picker(settings)
            return
        profiles.badge(settings, learner)
        page.run()
    except TutorError as exc:
        if os.environ.get("TUTOR_DEBUG"):
            raise
        state.report_error(exc)


if __name__ == "__main__":
    main()
