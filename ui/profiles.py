"""Who is practising: the learner picker (a name prompt on first use) and the sidebar badge.

The learner of a browser session lives in `st.session_state` and in the page URL
(`?profile=NAME`, so a reload keeps it). A deployment can pin one learner with TUTOR_PROFILE;
with TUTOR_PROFILE_PICKER=prompt (a cohort) the picker only asks for a name and never lists
the others.
"""

from __future__ import annotations

import re

import streamlit as st
from tutor.ui import state
from tutor.ui.markup import escape_markdown

from tutor.core.settings import PROFILE_NAME_PATTERN, Settings

KEEP = {"_index_ready"}  # per-session keys that do not belong to a learner
LISTED = 24  # profiles shown as buttons; beyond that, type the name


def current_learner(settings: Settings) -> str | None:
    """This browser session's learner; None until one is chosen (the picker is shown then)."""
    chosen = st.session_state.get(state.PROFILE)
    if chosen:
        return str(chosen)
    pinned = _pinned(settings)
    if pinned:
        _select(settings, pinned)
        return pinned
    return None


def _pinned(settings: Settings) -> str | None:
    if "profile" in settings.model_fields_set:  # TUTOR_PROFILE: this deployment's learner
        return settings.profile
    in_url = st.query_params.get("profile")
    return in_url if in_url and _valid(in_url) else None


def _valid(name: str) -> bool:
    return re.fullmatch(PROFILE_NAME_PATTERN, name) is not None


def _select(settings: Settings, name: str) -> None:
    """Make `name` this session's learner, forgetting what the previous one had open."""
    state.shared_store(settings).create_profile(name)
    for key in list(st.session_state):
        if key not in KEEP:
            del st.session_state[key]
    st.session_state[state.PROFILE] = name
    st.query_params["profile"] = name


def picker(settings: Settings) -> None:
    """The "who is practising?" screen."""
    st.title("Who is practising?")
    st.markdown("Each learner has their own interviews, progress and reviews.")
    names: list[str] = []
    if settings.profile_picker == "list":
        names = [p.name for p in state.shared_store(settings).list_profiles()]
    if names[:LISTED]:
        st.markdown("**Continue as**")
        columns = st.columns(4)
        for number, name in enumerate(names[:LISTED]):
            if columns[number % 4].button(name, key=f"pick_{name}", icon=":material/person:",
                                          width="stretch"):
                _select(settings, name)
                st.rerun()
    with st.form("new_learner"):
        typed = st.text_input("Your name" if not names else "Or a new learner", max_chars=64,
                              key="learner_name", placeholder="e.g. alice")
        if st.form_submit_button("Start practising", type="primary"):
            name = " ".join(typed.split())
            if _valid(name):
                _select(settings, name)
                st.rerun()
            st.error("Use 1-64 letters, digits, spaces or . _ @ -, starting with a letter or "
                     "digit.")
    st.caption("Use the same name next time to find your progress again. A name is not a "
               "password: anyone using this app can type it.")


def badge(settings: Settings, name: str) -> None:
    """The sidebar line naming the learner, with a switch unless the deployment pins one."""
    with st.sidebar:
        st.markdown(f":material/person: **{escape_markdown(name)}**")
        if "profile" not in settings.model_fields_set and st.button(
                "Switch learner", key="switch_learner", icon=":material/switch_account:"):
            for key in list(st.session_state):
                if key not in KEEP:
                    del st.session_state[key]
            st.query_params.pop("profile", None)
            st.rerun()
