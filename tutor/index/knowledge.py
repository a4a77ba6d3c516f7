"""The indexed knowledge: cards and chunks on disk, and the manifest that names the live generation.

A new generation is written beside the old one and goes live with one atomic rename of the
manifest, so a crash mid-ingest leaves the previous index usable.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tutor.core.errors import IndexMissingError
from tutor.core.text import content_words
from tutor.core.types import Card, Chunk

MANIFEST = "manifest.json"


@dataclass(eq=False)  # compared (and hashed) by identity: caches are kept per loaded index
class KnowledgeBase:
    """All cards and chunks of one index generation."""

    cards: list[Card]
    chunks: list[Chunk]
    collection: str = ""
    generation: str = ""
    files: dict[str, str] = field(default_factory=dict)  # path -> sha256
    # sha256 of the published generation (chunks, cards and vector collection): keys what is
    # derived from it and cached on disk (`tutor.index.cache`); empty for an unpublished one
    fingerprint: str = ""

    def __post_init__(self) -> None:
        self._cards = {c.id: c for c in self.cards}
        self._chunks = {c.id: c for c in self.chunks}
        self._df: Counter[str] | None = None

    def card(self, card_id: str) -> Card | None:
        return self._cards.get(card_id)

    def chunk(self, chunk_id: str) -> Chunk | None:
        return self._chunks.get(chunk_id)

    def chunks_of(self, card_id: str) -> list[Chunk]:
        return [c for c in self.chunks if c.card_id == card_id]

    def document_frequency(self) -> Counter[str]:
        """In how many chunks each content word (stemmed) occurs; computed once."""
        if self._df is None:
            self._df = Counter(w for c in self.chunks for w in set(content_words(c.text)))
        return self._df

    @classmethod
    def load(cls, index_dir: Path) -> KnowledgeBase:
        """Load the live generation.

        Raises:
            IndexMissingError: no index, or a damaged one.
        """
        manifest_path = index_dir / MANIFEST
        if not manifest_path.exists():
            raise IndexMissingError(f"No index at {index_dir}: run `tutor ingest`")
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            raw = (index_dir / manifest["knowledge"]).read_text(encoding="utf-8")
            data = json.loads(raw)
            return cls(
                cards=[Card.model_validate(c) for c in data["cards"]],
                chunks=[Chunk.model_validate(c) for c in data["chunks"]],
                collection=manifest["collection"],
                generation=manifest["generation"],
                files=manifest.get("files", {}),
                fingerprint=content_hash(raw, manifest["collection"]),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexMissingError(
                f"The index at {index_dir} is damaged ({type(exc).__name__}): "
                "run `tutor ingest --rebuild`"
            ) from exc

    def publish(self, index_dir: Path) -> None:
        """Write this generation and make it live atomically."""
        index_dir.mkdir(parents=True, exist_ok=True)
        knowledge_name = f"knowledge-{self.generation}.json"
        payload = {
            "cards": [c.model_dump() for c in self.cards],
            "chunks": [c.model_dump() for c in self.chunks],
        }
        raw = json.dumps(payload, ensure_ascii=False)
        atomic_write(index_dir / knowledge_name, raw)
        self.fingerprint = content_hash(raw, self.collection)
        manifest = {
            "version": 1,
            "generation": self.generation,
            "collection": self.collection,
            "knowledge": knowledge_name,
            "files": self.files,
        }
        atomic_write(index_dir / MANIFEST, json.dumps(manifest, indent=2))
        for old in index_dir.glob("knowledge-*.json"):
            if old.name != knowledge_name:
                old.unlink(missing_ok=True)


def content_hash(knowledge: str, collection: str) -> str:
    """The fingerprint of a generation: its knowledge file and the vector collection it names."""
    digest = hashlib.sha256(knowledge.encode("utf-8"))
    digest.update(b"\0" + collection.encode("utf-8"))
    return digest.hexdigest()[:32]


def atomic_write(path: Path, text: str) -> None:
    """Write a file so readers see the old or the new content, never a torn one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
