"""LangChain's retriever interface over our hybrid retriever, for chains and RAGAS.

This module sits at the edge: nothing in `tutor` imports it, and importing it without the
`langchain` extra raises `MissingExtraError` naming that extra.
"""

from __future__ import annotations

from typing import Any

from tutor.core.errors import MissingExtraError
from tutor.core.settings import Settings
from tutor.core.types import Hit

try:
    from langchain_core.callbacks import CallbackManagerForRetrieverRun
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever
except ImportError as exc:
    raise MissingExtraError("langchain-core", "langchain") from exc


def hit_to_document(hit: Hit) -> Document:
    """A LangChain document holding the chunk text, with our ids, section and scores."""
    chunk = hit.chunk
    return Document(
        id=chunk.id,
        page_content=chunk.text,
        metadata={
            "chunk_id": chunk.id,
            "card_id": chunk.card_id,
            "section": chunk.heading,
            "question": chunk.question,
            "score": hit.score,
            "dense_rank": hit.dense_rank,
            "bm25_rank": hit.bm25_rank,
            "source": chunk.source,
        },
    )


class TutorRetriever(BaseRetriever):
    """Any retriever with `search(query, k) -> list[Hit]` (ours: `HybridRetriever`) as a
    LangChain `BaseRetriever`.

    Example:
        docs = TutorRetriever(retriever=open_retriever(settings), k=3).invoke("what is LoRA")
    """

    retriever: Any
    """The wrapped retriever (kept as `Any`: pydantic cannot check a structural protocol)."""
    k: int = 5

    @classmethod
    def from_settings(cls, settings: Settings, k: int | None = None) -> TutorRetriever:
        """Open the live index.

        Raises:
            IndexMissingError: run `tutor ingest` first.
            VectorStoreError: the vector store is unreachable or its collection missing.
        """
        from tutor.retrieval.hybrid import open_retriever

        return cls(retriever=open_retriever(settings), k=k or settings.top_k)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [hit_to_document(hit) for hit in self.retriever.search(query, self.k)]
