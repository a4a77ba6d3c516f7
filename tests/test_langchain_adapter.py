"""The LangChain retriever adapter over a small real index."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from tutor.core.errors import MissingExtraError
from tutor.core.settings import Settings
from tutor.index.knowledge import KnowledgeBase

GUIDE = """# What is attention?

Attention lets every token weigh every other token by relevance when building its representation.

# What is a KV cache?

The KV cache stores the keys and values of past tokens so decoding does not recompute them.

# What is LoRA?

LoRA freezes the base model and trains small low-rank adapter matrices instead of all weights.
"""


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    from tutor.index.build import ingest_paths

    root = tmp_path_factory.mktemp("adapter")
    guide = root / "guide.md"
    guide.write_text(GUIDE, encoding="utf-8")
    settings = Settings(data_dir=root / "data")
    ingest_paths([guide], settings)
    return settings


def test_documents_carry_our_metadata(small_index: Settings):
    from langchain_core.documents import Document

    from tutor.retrieval.hybrid import open_retriever
    from tutor.retrieval.langchain_adapter import TutorRetriever

    kb = KnowledgeBase.load(small_index.index_dir)
    retriever = TutorRetriever(retriever=open_retriever(small_index, kb), k=2)
    docs = retriever.invoke("what do keys and values of past tokens save during decoding")
    assert len(docs) == 2 and all(isinstance(d, Document) for d in docs)
    top = docs[0]
    chunk = kb.chunk(top.metadata["chunk_id"])
    assert chunk is not None
    assert top.metadata["section"] == "What is a KV cache?"
    assert top.metadata["card_id"] == chunk.card_id
    assert top.page_content == chunk.text and top.id == chunk.id
    assert isinstance(top.metadata["score"], float)
    assert top.metadata["score"] >= docs[1].metadata["score"]
    assert {"dense_rank", "bm25_rank", "question"} <= set(top.metadata)


def test_from_settings_uses_the_configured_k(small_index: Settings):
    from tutor.retrieval.langchain_adapter import TutorRetriever

    retriever = TutorRetriever.from_settings(small_index.model_copy(update={"top_k": 3}))
    docs = retriever.invoke("low-rank adapters")
    assert len(docs) == 3
    assert docs[0].metadata["section"] == "What is LoRA?"


def test_missing_langchain_core_names_the_extra(monkeypatch: pytest.MonkeyPatch):
    loaded = [m for m in sys.modules if m.split(".")[0] == "langchain_core"]
    for name in loaded + ["langchain_core"]:
        monkeypatch.setitem(sys.modules, name, None)  # as if the package were not installed
    monkeypatch.delitem(sys.modules, "tutor.retrieval.langchain_adapter", raising=False)
    with pytest.raises(MissingExtraError, match=r"langchain-core.*\.\[langchain\]"):
        importlib.import_module("tutor.retrieval.langchain_adapter")


def test_adapter_module_is_importable_again_afterwards():
    """The previous test must not leave a broken module behind for later imports."""
    module = importlib.import_module("tutor.retrieval.langchain_adapter")
    assert hasattr(module, "TutorRetriever")
    assert Path(module.__file__).name == "langchain_adapter.py"
