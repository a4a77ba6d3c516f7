"""Chroma as the dense vector store: persistent local client by default, HTTP by configuration."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from tutor.core.errors import VectorStoreError
from tutor.core.settings import Settings

log = logging.getLogger(__name__)
EXACT_SEARCH_LIMIT = 20_000  # below this many vectors an exact numpy search beats HNSW


def connect(settings: Settings) -> Any:
    """A Chroma client: `chroma run` over HTTP when `chroma_url` is set, else a local store."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        from urllib.parse import urlparse

        url = urlparse(settings.chroma_url)
        try:
            client = chromadb.HttpClient(
                host=url.hostname or "127.0.0.1", port=url.port or 8000,
                ssl=url.scheme == "https", settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as exc:  # chromadb raises many types for a dead server
            raise VectorStoreError(
                f"Cannot reach the Chroma server at {settings.chroma_url} ({type(exc).__name__}): "
                "start it with `chroma run` or unset TUTOR_CHROMA_URL"
            ) from None
        return client
    path = Path(settings.index_dir) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:
        raise VectorStoreError(
            f"Cannot open the vector store at {path} ({exc}): run `tutor ingest --rebuild`"
        ) from None


class ChromaVectors:
    """One Chroma collection of chunk vectors; we always pass vectors, never an embedder."""

    def __init__(self, client: Any, name: str) -> None:
        self._client = client
        self.name = name
        try:
            self._collection = client.get_collection(name=name, embedding_function=None)
        except Exception:
            raise VectorStoreError(
                f"Vector collection {name} is missing: run `tutor ingest --rebuild`"
            ) from None
        self._count: int | None = None  # a published collection never changes
        self._matrix: tuple[list[str], np.ndarray] | None = None

    @classmethod
    def create(cls, client: Any, name: str, ids: list[str], vectors: np.ndarray,
               documents: list[str], metadatas: list[dict[str, Any]]) -> ChromaVectors:
        """Create (or replace) a collection holding the given vectors."""
        try:
            client.delete_collection(name)
        except Exception:
            pass
        collection = client.create_collection(
            name=name, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )
        for start in range(0, len(ids), 500):
            end = start + 500
            collection.add(ids=ids[start:end], embeddings=vectors[start:end].tolist(),
                           documents=documents[start:end], metadatas=metadatas[start:end])
        return cls(client, name)

    def count(self) -> int:
        if self._count is None:
            self._count = int(self._collection.count())
        return self._count

    def _in_memory(self) -> tuple[list[str], np.ndarray]:
        if self._matrix is None:
            got = self._collection.get(include=["embeddings"])
            matrix = np.asarray(got["embeddings"], dtype=np.float32)
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)
            self._matrix = (list(got["ids"]), matrix / np.maximum(norms, 1e-12))
        return self._matrix

    def vectors_for(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Stored vectors by chunk id (used to skip re-embedding unchanged chunks)."""
        if not ids:
            return {}
        got = self._collection.get(ids=ids, include=["embeddings"])
        return {i: np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], got["embeddings"])}

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) pairs, best first.

        Small collections (a guide is a few hundred chunks) are searched exactly in memory from
        vectors read once out of Chroma; large ones through Chroma's own index.
        """
        k = max(1, min(k, self.count()))
        if self.count() <= EXACT_SEARCH_LIMIT:
            ids, matrix = self._in_memory()
            sims = matrix @ vector.astype(np.float32)
            top = np.argpartition(-sims, k - 1)[:k] if k < len(ids) else np.arange(len(ids))
            top = top[np.argsort(-sims[top])]
            return [(ids[i], float(sims[i])) for i in top]
        try:
            res = self._collection.query(query_embeddings=[vector.tolist()], n_results=k,
                                         include=["distances"])
        except Exception as exc:
            raise VectorStoreError(
                f"Vector search failed ({exc}): run `tutor ingest --rebuild`") from exc
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0])]


def drop_collection(client: Any, name: str) -> None:
    """Delete a collection if it exists (old generations after a swap)."""
    try:
        client.delete_collection(name)
    except Exception:
        log.debug("collection %s already gone", name)
