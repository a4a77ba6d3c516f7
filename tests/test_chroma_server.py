"""Ingest and search through a real `chroma run` server on 127.0.0.1 via the HTTP client."""

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import free_port, wait_http
from tutor.core.errors import VectorStoreError
from tutor.core.settings import Settings
from tutor.index.build import ingest_paths
from tutor.retrieval.hybrid import open_retriever


@pytest.fixture
def chroma_server(tmp_path: Path):
    exe = shutil.which("chroma")
    if exe is None:
        pytest.skip("the `chroma` CLI is not installed")
    port = free_port()
    proc = subprocess.Popen([exe, "run", "--path", str(tmp_path / "srv"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        assert wait_http(f"http://127.0.0.1:{port}/api/v2/heartbeat"), "chroma did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_ingest_and_search_over_http(chroma_server: str, tmp_path: Path):
    guide = tmp_path / "g.md"
    guide.write_text("# What is attention?\n\nAttention weighs tokens by relevance.\n\n"
                     "# What is a KV cache?\n\n"
                     "The KV cache stores keys and values of past tokens.\n")
    settings = Settings(data_dir=tmp_path / "d", chroma_url=chroma_server)
    summary = ingest_paths([guide], settings)
    assert summary.cards == 2
    assert not (settings.index_dir / "chroma").exists()  # vectors live on the server
    hits = open_retriever(settings).search("cache of keys and values", 1)
    assert hits[0].chunk.heading == "What is a KV cache?"


def test_unreachable_server_is_one_clear_line(tmp_path: Path):
    guide = tmp_path / "g.md"
    guide.write_text("# A?\n\nText about a.\n\n# B?\n\nText about b.\n")
    settings = Settings(data_dir=tmp_path / "d", chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(VectorStoreError, match="Cannot reach the Chroma server"):
        ingest_paths([guide], settings)
    assert not (settings.index_dir / "manifest.json").exists()
