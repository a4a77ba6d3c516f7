"""The embedder: the onnx fast path gives sentence-transformers' vectors, caches, and falls back."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import numpy as np
import pytest

from tutor.core.settings import BUNDLED_GUIDE, PACKAGE_DATA
from tutor.embedding.embedder import Embedder, load_embedder, packaged_model_path

GOLDEN = PACKAGE_DATA / "eval" / "retrieval_queries.jsonl"
TEXTS = [json.loads(line)["query"] for line in GOLDEN.read_text().splitlines()[::4]] + [
    "What is LoRA and QLoRA?",
    "how do i stop my rag bot from making things up",
    "",
    "Ünïcödé, emoji 🤖 and tabs\tin one line",
    "KV cache",
    # longer than the model's 256-token window: truncation must match too
    BUNDLED_GUIDE.read_text(encoding="utf-8")[5000:9000],
    "Retrieval-Augmented Generation grounds the answer in passages fetched at question time. "
    * 6,
]


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    """sentence-transformers fp32, exactly as shipped (the numbers to match)."""
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(packaged_model_path()), device="cpu", local_files_only=True)
    return model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("embedding-cache")


@pytest.fixture(scope="module")
def fast(cache_dir: Path) -> Embedder:
    return Embedder(packaged_model_path(), threads=1, cache_size=8, cache_dir=cache_dir)


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_fast_path_batch_matches_sentence_transformers(fast: Embedder, reference: np.ndarray):
    assert fast.backend == "onnx"
    got = fast.embed_batch(TEXTS, batch_size=4)  # mixed lengths: padding inside batches
    assert got.shape == (len(TEXTS), fast.dimension) == reference.shape
    assert got.dtype == np.float32
    assert cosines(got, reference).min() >= 0.999
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_fast_path_query_matches_sentence_transformers(cache_dir: Path, reference: np.ndarray):
    embedder = Embedder(packaged_model_path(), cache_size=0, cache_dir=cache_dir)
    got = np.stack([embedder.embed_query(t) for t in TEXTS])
    assert cosines(got, reference).min() >= 0.999


def test_fast_path_token_vectors_match_sentence_transformers(fast: Embedder):
    torch_embedder = Embedder(packaged_model_path(), cache_size=0, cache_dir=None)
    texts = TEXTS[-4:]  # empty, unicode, short, truncated long text
    fast_vectors, fast_tokens = fast.embed_with_tokens(texts, batch_size=2)
    torch_vectors, torch_tokens = torch_embedder.embed_with_tokens(texts)
    assert cosines(fast_vectors, torch_vectors).min() >= 0.999
    for got, want in zip(fast_tokens, torch_tokens, strict=True):
        assert got.pieces == want.pieces and "[CLS]" not in got.pieces
        assert got.vectors.shape == (len(got.pieces), fast.dimension)
        if got.pieces:
            assert cosines(got.vectors, want.vectors).min() >= 0.999
            assert np.allclose(np.linalg.norm(got.vectors, axis=1), 1.0, atol=1e-5)
    assert fast.word_pieces("QLoRA adapters") == torch_embedder.word_pieces("QLoRA adapters")


def test_export_is_written_once_under_the_cache_dir(cache_dir: Path, fast: Embedder,
                                                    caplog: pytest.LogCaptureFixture):
    files = sorted(p.name for p in cache_dir.iterdir())
    # the graph and, beside it, its weights (mapped at load rather than parsed)
    assert len(files) == 2 and files[0].startswith("embedder-") and files[0].endswith(".onnx")
    assert files[1] == files[0] + ".data"
    before = (cache_dir / files[0]).stat().st_mtime_ns
    with caplog.at_level(logging.INFO, logger="tutor.embedding.embedder"):
        again = Embedder(packaged_model_path(), cache_dir=cache_dir)
    assert again.backend == "onnx"
    assert "writing the embedding model" not in caplog.text
    assert (cache_dir / files[0]).stat().st_mtime_ns == before
    assert "torch" not in caplog.text


def test_a_new_export_removes_stale_ones(tmp_path: Path):
    stale = tmp_path / "embedder-0000000000000000.onnx"  # e.g. written by an older version
    stale.write_bytes(b"old graph")
    unrelated = tmp_path / "notes.txt"
    unrelated.write_text("kept")
    embedder = Embedder(packaged_model_path(), cache_dir=tmp_path)
    assert embedder.backend == "onnx"
    assert not stale.exists() and unrelated.exists()
    assert len(list(tmp_path.glob("embedder-*.onnx"))) == 1


def test_damaged_export_is_rewritten(tmp_path: Path, reference: np.ndarray,
                                     caplog: pytest.LogCaptureFixture):
    Embedder(packaged_model_path(), cache_dir=tmp_path)
    (export,) = tmp_path.glob("*.onnx")
    export.write_bytes(b"not a model")
    with caplog.at_level(logging.WARNING, logger="tutor.embedding.embedder"):
        embedder = Embedder(packaged_model_path(), cache_dir=tmp_path)
    assert embedder.backend == "onnx"
    assert "rewriting the cached embedding model" in caplog.text
    assert cosines(embedder.embed_batch(TEXTS), reference).min() >= 0.999


def test_query_cache_returns_stored_vectors_and_evicts(cache_dir: Path):
    embedder = Embedder(packaged_model_path(), cache_size=2, cache_dir=cache_dir)
    first = embedder.embed_query("attention")
    assert embedder.embed_query("attention") is first
    embedder.embed_query("beam search")
    embedder.embed_query("kv cache")  # evicts "attention", the least recently used
    again = embedder.embed_query("attention")
    assert again is not first and np.allclose(again, first)


def test_empty_batch_has_the_right_shape(fast: Embedder):
    assert fast.embed_batch([]).shape == (0, fast.dimension)


def test_load_embedder_is_one_per_configuration(cache_dir: Path):
    a = load_embedder(1, 16, cache_dir)
    assert load_embedder(1, 16, cache_dir) is a
    assert a.backend == "onnx"


def test_without_onnxruntime_falls_back_to_torch_with_a_notice(
        tmp_path: Path, reference: np.ndarray, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if it were not installed
    with caplog.at_level(logging.WARNING, logger="tutor.embedding.embedder"):
        embedder = Embedder(packaged_model_path(), cache_dir=tmp_path)
    assert embedder.backend == "torch"
    assert "fast embedding path unavailable" in caplog.text
    assert "onnxruntime" in caplog.text
    assert cosines(embedder.embed_batch(TEXTS), reference).min() >= 0.9999
    assert cosines(embedder.embed_query(TEXTS[0])[None], reference[:1]).min() >= 0.9999


def test_unwritable_cache_dir_falls_back_to_torch(tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache directory should be")
    with caplog.at_level(logging.WARNING, logger="tutor.embedding.embedder"):
        embedder = Embedder(packaged_model_path(), cache_dir=blocker)
    assert embedder.backend == "torch"
    assert "cannot write" in caplog.text


def test_a_layout_the_graph_does_not_reproduce_falls_back(tmp_path: Path,
                                                          caplog: pytest.LogCaptureFixture):
    """CLS pooling instead of mean: the fast path must refuse rather than compute wrong vectors."""
    source = packaged_model_path()
    model = tmp_path / "cls-model"
    for path in source.rglob("*"):
        if path.is_file():
            target = model / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(path)
    pooling = model / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    pooling.unlink()
    pooling.write_text(json.dumps(config | {"pooling_mode_mean_tokens": False,
                                            "pooling_mode_cls_token": True}))
    with caplog.at_level(logging.WARNING, logger="tutor.embedding.embedder"):
        embedder = Embedder(model, cache_dir=tmp_path / "cache")
    assert embedder.backend == "torch"
    assert "unsupported model" in caplog.text and "pooling" in caplog.text
    assert not (tmp_path / "cache").exists()  # refused before anything was written


def test_no_cache_dir_means_torch(caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.INFO, logger="tutor.embedding.embedder"):
        embedder = Embedder(packaged_model_path(), cache_dir=None)
    assert embedder.backend == "torch"
    assert "no embedding cache directory" in caplog.text
