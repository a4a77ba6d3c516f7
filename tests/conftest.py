"""Shared fixtures: every test gets its own data directory; the guide is indexed once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["RAGAS_DO_NOT_TRACK"] = "true"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

from tutor.settings import BUNDLED_GUIDE, Settings  # noqa: E402

pytest_plugins = ["tests.conftest_llm"]

_ENV_PREFIXES = ("TUTOR_", "OPENAI_")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the data directory at tmp_path and drop any user configuration."""
    for key in list(os.environ):
        if key.startswith(_ENV_PREFIXES):
            monkeypatch.delenv(key, raising=False)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("TUTOR_DATA_DIR", str(data_dir))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))  # ragas writes a uuid file there
    return data_dir


@pytest.fixture(scope="session")
def indexed_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose data directory holds an index of the bundled guide (built once)."""
    from ingest.pipeline import ingest_paths

    data_dir = tmp_path_factory.mktemp("indexed")
    settings = Settings(data_dir=data_dir)
    ingest_paths([BUNDLED_GUIDE], settings)
    return settings


@pytest.fixture(scope="session")
def retriever(indexed_settings: Settings):
    from tutor.retrieval import open_retriever

    return open_retriever(indexed_settings)


@pytest.fixture(scope="session")
def kb(indexed_settings: Settings):
    from tutor.knowledge import KnowledgeBase

    return KnowledgeBase.load(indexed_settings.index_dir)


@pytest.fixture(scope="session")
def embedded_grader(retriever):
    from tutor.embedding import load_embedder
    from tutor.grader_embedded import EmbeddedGrader

    return EmbeddedGrader(retriever, load_embedder())


@pytest.fixture(scope="session")
def verifier(kb):
    from tutor.grounding import QuoteVerifier

    return QuoteVerifier(kb.chunks)
