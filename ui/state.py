"""Shared resources (once per server process) and per-user state (st.session_state).

The retriever, grader and store are expensive or hold connections, so they are built once per
server process with `st.cache_resource` and shared by every browser session; they are keyed by
the settings, so a process serving another data directory or database gets its own. Everything
that belongs to one user (their profile, the open interview, chat transcripts) lives in
`st.session_state`; the shared store is bound to that user's profile on every run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st
from pydantic import ValidationError

from tutor.core.errors import ConfigError, TutorError
from tutor.core.settings import Settings

LOADING = "Loading the guide index and the embedding model (about 10 s the first time)…"
PROFILE = "profile"  # st.session_state key: the learner of this browser session


@dataclass(frozen=True)
class Resources:
    """What every page works with."""

    settings: Settings
    retriever: Any  # tutor.retrieval.HybridRetriever
    grader: Any  # tutor.grading.Grader
    store: Any  # tutor.storage.store.Store, bound to this browser session's learner
    chat_model: Any  # tutor.llm.ChatModel | None

    @property
    def kb(self) -> Any:
        return self.retriever.kb

    @property
    def embedder(self) -> Any:
        from tutor.embedding.embedder import embedder_for  # cached per process: the retriever's own

        return embedder_for(self.settings)


def load_settings() -> Settings:
    """Settings from TUTOR_* variables; a bad value becomes a TutorError naming it."""
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first["loc"])
        raise ConfigError(
            f"Invalid setting {name}: {first['msg']} (fix the TUTOR_* variable and restart "
            "`tutor ui`)"
        ) from exc


def resources() -> Resources:
    """The shared resources, building the index with a progress bar on the very first run."""
    settings = load_settings()
    if not st.session_state.get("_index_ready"):
        _ensure_index(settings)
        st.session_state["_index_ready"] = True
    key = settings.model_dump_json(exclude={"db_path", "db_url", "profile", "profile_picker"})
    retriever = _retriever(key, settings)
    learner = st.session_state.get(PROFILE) or settings.profile
    return Resources(settings, retriever, _grader(key, settings, retriever),
                     shared_store(settings).for_profile(learner), _chat_model(key, settings))


def shared_store(settings: Settings) -> Any:
    """The process's one connection to the learner database (bound per learner by callers)."""
    return _store(settings.db_url or str(settings.database))


def _ensure_index(settings: Settings) -> None:
    """Load the index, or build it from the bundled guide with a visible progress bar."""
    from tutor.runtime import ensure_index

    bar: dict[str, Any] = {}

    def progress(done: int, total: int) -> None:
        text = f"Building the guide index (first run only): {done}/{total} passages embedded"
        if "bar" not in bar:
            bar["bar"] = st.progress(0.0, text=text)
        bar["bar"].progress(min(done / max(total, 1), 1.0), text=text)

    with st.spinner("Opening the guide index…"):
        ensure_index(settings, progress)
    if "bar" in bar:
        bar["bar"].empty()


@st.cache_resource(show_spinner=LOADING)
def _retriever(key: str, _settings: Settings) -> Any:
    from tutor.runtime import retriever_for

    return retriever_for(_settings)


@st.cache_resource(show_spinner=LOADING)
def _grader(key: str, _settings: Settings, _retriever: Any) -> Any:
    from tutor.runtime import grader_for

    return grader_for(_settings, _retriever)


@st.cache_resource(show_spinner=False)
def _store(location: str) -> Any:
    from tutor.storage.store import Store

    return Store(location)


@st.cache_resource(show_spinner=False)
def _chat_model(key: str, _settings: Settings) -> Any:
    from tutor.llm.client import chat_model_for

    return chat_model_for(_settings)


def grader_label(grader_name: str) -> str:
    """How the sidebar names the grader in use."""
    if grader_name.startswith("llm:"):
        return f"LLM ({grader_name.removeprefix('llm:')}), falls back to offline grading"
    return "embedded (offline)"


def session_value(key: str, default: Any) -> Any:
    """A per-user value, created on first use."""
    if key not in st.session_state:
        st.session_state[key] = default
    return st.session_state[key]


def report_error(exc: TutorError) -> None:
    """Show a library error as one sentence (tracebacks only with TUTOR_DEBUG)."""
    st.error(str(exc), icon=":material/error:")
