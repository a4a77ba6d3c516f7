"""Chroma as the dense vector store: persistent local client by default, HTTP by configuration.

A guide's vectors are few: they are read once out of Chroma, kept in the index cache, and
searched exactly in memory, so a later process opens (and imports) Chroma only to ingest.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from tutor.core.errors import VectorStoreError
from tutor.core.settings import Settings
from tutor.index.cache import IndexCache

log = logging.getLogger(__name__)
EXACT_SEARCH_LIMIT = 20_000  # below this many vectors an exact numpy search beats HNSW


def connect(settings: Settings) -> Any:
    """A Chroma client: `chroma run` over HTTP when `chroma_url` is set, else a local store.

    Raises:
        VectorStoreError: the server is unreachable or the local store cannot be opened.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from chromadb.errors import ChromaError

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        from urllib.parse import urlparse

        import httpx

        url = urlparse(settings.chroma_url)
        try:
            client = chromadb.HttpClient(
                host=url.hostname or "127.0.0.1", port=url.port or 8000,
                ssl=url.scheme == "https", settings=chroma_settings,
            )
            client.heartbeat()
        except (ChromaError, ValueError, OSError, httpx.HTTPError) as exc:
            # a dead server surfaces as ValueError("Could not connect ..."), others as HTTP errors
            raise VectorStoreError(
                f"Cannot reach the Chroma server at {settings.chroma_url} ({type(exc).__name__}): "
                "start it with `chroma run` or unset TUTOR_CHROMA_URL"
            ) from exc
        return client
    path = Path(settings.index_dir) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except (ChromaError, ValueError, OSError) as exc:
        raise VectorStoreError(
            f"Cannot open the vector store at {path} ({exc}): run `tutor ingest --rebuild`"
        ) from exc


@contextmanager
def chroma_errors(what: str) -> Iterator[None]:
    """Turn Chroma's errors during `what` into a VectorStoreError that keeps the cause."""
    from chromadb.errors import ChromaError

    try:
        yield
    except (ChromaError, ValueError, OSError) as exc:
        raise VectorStoreError(f"{what} failed ({exc}): run `tutor ingest --rebuild`") from exc


class VectorSearch(Protocol):
    """What retrieval needs from a vector store."""

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]: ...


class ExactVectors:
    """Unit vectors held in memory and searched exactly by cosine (a guide's few hundred chunks:
    faster than any index, and no vector store to open)."""

    def __init__(self, ids: list[str], matrix: np.ndarray) -> None:
        self.ids = ids
        self.matrix = matrix  # (len(ids), dimension), rows L2-normalised

    @classmethod
    def normalised(cls, ids: list[str], vectors: Any) -> ExactVectors:
        matrix = np.asarray(vectors, dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return cls(list(ids), matrix / np.maximum(norms, 1e-12))

    def count(self) -> int:
        return len(self.ids)

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) pairs, best first."""
        if not self.ids:
            return []
        k = max(1, min(k, len(self.ids)))
        sims = self.matrix @ vector.astype(np.float32)
        top = np.argpartition(-sims, k - 1)[:k] if k < len(self.ids) else np.arange(len(self.ids))
        top = top[np.argsort(-sims[top])]
        return [(self.ids[i], float(sims[i])) for i in top]


class ChromaVectors:
    """One Chroma collection of chunk vectors; we always pass vectors, never an embedder.

    Raises:
        VectorStoreError: the collection is missing or cannot be read.
    """

    def __init__(self, client: Any, name: str) -> None:
        from chromadb.errors import ChromaError, NotFoundError

        self._client = client
        self.name = name
        try:
            self._collection = client.get_collection(name=name, embedding_function=None)
        except NotFoundError as exc:
            raise VectorStoreError(
                f"Vector collection {name} is missing: run `tutor ingest --rebuild`") from exc
        except (ChromaError, ValueError, OSError) as exc:
            raise VectorStoreError(
                f"Cannot open the vector collection {name} ({exc}): run `tutor ingest --rebuild`"
            ) from exc
        self._count: int | None = None  # a published collection never changes
        self._exact: ExactVectors | None = None

    @classmethod
    def create(cls, client: Any, name: str, ids: list[str], vectors: np.ndarray,
               documents: list[str], metadatas: list[dict[str, Any]]) -> ChromaVectors:
        """Create (or replace) a collection holding the given vectors."""
        drop_collection(client, name)
        with chroma_errors(f"Writing the vector collection {name}"):
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
            with chroma_errors(f"Counting the vectors of {self.name}"):
                self._count = int(self._collection.count())
        return self._count

    def in_memory(self) -> ExactVectors:
        """All vectors of the collection, read once, for exact search in memory."""
        if self._exact is None:
            with chroma_errors(f"Reading the vectors of {self.name}"):
                got = self._collection.get(include=["embeddings"])
            self._exact = ExactVectors.normalised(got["ids"], got["embeddings"])
        return self._exact

    def vectors_for(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Stored vectors by chunk id (used to skip re-embedding unchanged chunks)."""
        if not ids:
            return {}
        with chroma_errors(f"Reading the vectors of {self.name}"):
            got = self._collection.get(ids=ids, include=["embeddings"])
        return {i: np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], got["embeddings"])}

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) pairs, best first.

        Small collections (a guide is a few hundred chunks) are searched exactly in memory from
        vectors read once out of Chroma; large ones through Chroma's own index.
        """
        k = max(1, min(k, self.count()))
        if self.count() <= EXACT_SEARCH_LIMIT:
            return self.in_memory().search(vector, k)
        with chroma_errors("Vector search"):
            res = self._collection.query(query_embeddings=[vector.tolist()], n_results=k,
                                         include=["distances"])
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0])]


def open_vectors(settings: Settings, collection: str,
                 cache: IndexCache | None = None) -> ExactVectors | ChromaVectors:
    """A collection's vectors for search. A small collection read once out of Chroma is kept in
    the index cache, so later processes search it without opening (or importing) Chroma.

    Raises:
        VectorStoreError: the vector store is unreachable or the collection missing.
    """
    if cache is not None:
        stored = cache.load_arrays("vectors")
        if stored is not None:
            return ExactVectors([str(i) for i in stored["ids"]], stored["matrix"])
    vectors = ChromaVectors(connect(settings), collection)
    if cache is not None and vectors.count() <= EXACT_SEARCH_LIMIT:
        exact = vectors.in_memory()
        cache.save_arrays("vectors", ids=np.asarray(exact.ids, dtype=str), matrix=exact.matrix)
    return vectors


def drop_collection(client: Any, name: str) -> None:
    """Delete a collection if it exists (old generations after a swap).

    A collection that cannot be deleted is left behind with a warning: it costs only disk.
    """
    from chromadb.errors import ChromaError, NotFoundError

    try:
        client.delete_collection(name)
    except NotFoundError:
        log.debug("collection %s already gone", name)
    except (ChromaError, ValueError, OSError) as exc:
        log.warning("could not delete the old vector collection %s (%s)", name, exc)
