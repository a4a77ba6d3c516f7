"""What start-up would recompute is kept beside the index, keyed by the index's content hash."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tutor.core.errors import VectorStoreError
from tutor.core.settings import Settings
from tutor.index.build import ingest_paths
from tutor.index.cache import IndexCache, index_cache
from tutor.index.knowledge import KnowledgeBase
from tutor.index.vectorstore import ChromaVectors, ExactVectors, connect, open_vectors
from tutor.retrieval.hybrid import open_retriever

GUIDE = ("# What is attention?\n\nAttention weighs tokens by relevance to each other.\n\n"
         "# What is a KV cache?\n\nThe KV cache stores keys and values of past tokens.\n")


@pytest.fixture
def small(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path / "d")
    guide = tmp_path / "g.md"
    guide.write_text(GUIDE)
    ingest_paths([guide], settings)
    return settings


def test_second_open_reads_the_cache_and_gives_the_same_hits(small: Settings):
    kb = KnowledgeBase.load(small.index_dir)
    assert kb.fingerprint
    first = open_retriever(small, kb)  # reads Chroma once and stores what it read
    names = sorted(p.name for p in (small.index_dir / "cache").iterdir())
    assert names == sorted([f"{kb.fingerprint}-vectors.npz", f"{kb.fingerprint}-terms-v3.json"])
    cached = open_vectors(small, kb.collection, index_cache(small, kb))
    assert isinstance(cached, ExactVectors)
    again = open_retriever(small, KnowledgeBase.load(small.index_dir))
    query = "cache of keys and values"
    assert [(h.chunk.id, h.score) for h in again.search(query, 2)] == [
        (h.chunk.id, h.score) for h in first.search(query, 2)]


def test_a_cached_start_does_not_import_chroma(small: Settings):
    open_retriever(small)  # fills the cache
    code = ("import sys; from tutor.core.settings import Settings; "
            "from tutor.retrieval.hybrid import open_retriever; "
            "hits = open_retriever(Settings()).search('keys and values', 1); "
            "print(hits[0].chunk.heading, 'chromadb' in sys.modules)")
    env = {**os.environ, "TUTOR_DATA_DIR": str(small.data_dir)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "What is a KV cache? False"


def test_a_new_generation_replaces_the_old_entries(small: Settings, tmp_path: Path):
    old = KnowledgeBase.load(small.index_dir)
    open_retriever(small, old)
    guide = tmp_path / "g.md"
    guide.write_text(GUIDE + "\n# What is top-p?\n\nTop-p samples from the nucleus.\n")
    ingest_paths([guide], small)
    new = KnowledgeBase.load(small.index_dir)
    assert new.fingerprint != old.fingerprint
    hits = open_retriever(small, new).search("nucleus sampling", 1)
    assert hits[0].chunk.heading == "What is top-p?"
    names = [p.name for p in (small.index_dir / "cache").iterdir()]
    assert names and all(n.startswith(new.fingerprint) for n in names)


def test_an_unreadable_entry_is_recomputed_with_a_warning(small: Settings,
                                                          caplog: pytest.LogCaptureFixture):
    kb = KnowledgeBase.load(small.index_dir)
    open_retriever(small, kb)
    for path in (small.index_dir / "cache").iterdir():
        path.write_bytes(b"torn")
    with caplog.at_level(logging.WARNING, logger="tutor.index.cache"):
        hits = open_retriever(small, kb).search("keys and values", 1)
    assert hits[0].chunk.heading == "What is a KV cache?"
    assert "unreadable index cache" in caplog.text
    cache = index_cache(small, kb)
    assert cache is not None and cache.load_arrays("vectors") is not None  # written anew
    assert json.loads(next((small.index_dir / "cache").glob("*terms*")).read_text())


def test_cache_round_trip_and_key_required(tmp_path: Path):
    cache = IndexCache(tmp_path / "c", "abc")
    assert cache.load_arrays("x") is None and cache.load_json("y") is None
    cache.save_arrays("x", ids=np.asarray(["a", "b"]), matrix=np.eye(2, dtype=np.float32))
    cache.save_json("y", [["t"]])
    got = cache.load_arrays("x")
    assert got is not None and list(got["ids"]) == ["a", "b"] and got["matrix"].dtype == np.float32
    assert cache.load_json("y") == [["t"]]
    with pytest.raises(ValueError):
        IndexCache(tmp_path, "")


def test_a_missing_collection_keeps_chromas_error_as_the_cause(small: Settings):
    from chromadb.errors import NotFoundError

    with pytest.raises(VectorStoreError, match="is missing: run `tutor ingest --rebuild`") as err:
        ChromaVectors(connect(small), "tutor-no-such-generation")
    assert isinstance(err.value.__cause__, NotFoundError)
