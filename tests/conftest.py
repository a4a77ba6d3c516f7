"""Shared fixtures: each test gets its own data directory; the guide is indexed once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["RAGAS_DO_NOT_TRACK"] = "true"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

from tutor.core.settings import BUNDLED_GUIDE, Settings  # noqa: E402

pytest_plugins = ["tests.conftest_llm"]

_ENV_PREFIXES = ("TUTOR_", "OPENAI_")


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache of the exported embedding model for the whole test session."""
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_cache: Path) -> Path:
    """Point the data directory at tmp_path and drop any user configuration."""
    for key in list(os.environ):
        if key.startswith(_ENV_PREFIXES):
            monkeypatch.delenv(key, raising=False)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("TUTOR_DATA_DIR", str(data_dir))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))  # ragas writes a uuid file there
    monkeypatch.setenv("TUTOR_CACHE_PATH", str(model_cache))
    return data_dir


@pytest.fixture(scope="session")
def indexed_settings(tmp_path_factory: pytest.TempPathFactory, model_cache: Path) -> Settings:
    """Settings whose data directory holds an index of the bundled guide (built once)."""
    from tutor.index.build import ingest_paths

    data_dir = tmp_path_factory.mktemp("indexed")
    settings = Settings(data_dir=data_dir, cache_path=model_cache)
    ingest_paths([BUNDLED_GUIDE], settings)
    return settings


@pytest.fixture(scope="session")
def retriever(indexed_settings: Settings):
    from tutor.retrieval.hybrid import open_retriever

    return open_retriever(indexed_settings)


@pytest.fixture(scope="session")
def kb(indexed_settings: Settings):
    from tutor.index.knowledge import KnowledgeBase

    return KnowledgeBase.load(indexed_settings.index_dir)


@pytest.fixture(scope="session")
def embedded_grader(retriever, indexed_settings):
    from tutor.embedding.embedder import embedder_for
    from tutor.grading.embedded import EmbeddedGrader

    return EmbeddedGrader(retriever, embedder_for(indexed_settings))


@pytest.fixture(scope="session")
def verifier(kb):
    from tutor.index.grounding import QuoteVerifier

    return QuoteVerifier(kb.chunks)
