"""Pytest plugin with the LLM fixtures: a real local server and a misbehaving one.

Registered from tests/conftest.py with `pytest_plugins = ["tests.conftest_llm"]`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.helpers import free_port
from tests.llm_server import LLMServer, missing_reason, start_llm_server
from tests.misbehaving_server import MisbehavingServer, run_misbehaving_server


@pytest.fixture(scope="session")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LLMServer]:
    """xllamacpp serving SmolLM2-135M-Instruct on 127.0.0.1 for the whole session.

    Yields `LLMServer(base_url=".../v1", model=...)`; skips when xllamacpp or the GGUF is missing.
    """
    reason = missing_reason()
    if reason is not None:
        pytest.skip(reason)
    log_path = tmp_path_factory.mktemp("llm_server") / "server.log"
    started = time.monotonic()
    with start_llm_server(free_port(), log_path, threads=1, ctx=2048) as server:
        print(f"\nLLM test server ready in {time.monotonic() - started:.1f}s at {server.base_url}")
        yield server


@pytest.fixture
def misbehaving_server() -> Iterator[MisbehavingServer]:
    """A fresh fake /v1/chat/completions endpoint; set its mode with `.set(...)`."""
    with run_misbehaving_server() as server:
        yield server
