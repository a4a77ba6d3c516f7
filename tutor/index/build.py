"""Ingest guide files into the index: unchanged files skipped, changed ones replaced atomically."""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tutor.core.errors import InputError, VectorStoreError
from tutor.core.settings import Settings
from tutor.core.types import Card, Chunk, source_named
from tutor.embedding.embedder import embedder_for
from tutor.index.knowledge import MANIFEST, KnowledgeBase
from tutor.index.vectorstore import ChromaVectors, connect, drop_collection
from tutor.ingest.parse import PARSER_VERSION, parse_guide
from tutor.ingest.readers import read_guide

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]  # (done, total) chunks embedded


@dataclass
class IngestSummary:
    """What an ingest did, for the one-screen summary."""

    files_new: list[str] = field(default_factory=list)
    files_changed: list[str] = field(default_factory=list)
    files_unchanged: list[str] = field(default_factory=list)
    files_removed: list[str] = field(default_factory=list)
    cards: int = 0
    chunks: int = 0
    embedded: int = 0
    removed: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.files_new or self.files_changed)


def embed_text(chunk: Chunk) -> str:
    """What the dense model sees for a chunk: heading (and scenario question), then the text."""
    head = (chunk.heading if chunk.question == chunk.heading
            else f"{chunk.heading}\n{chunk.question}")
    return f"{head}\n{chunk.text}"


def ingest_paths(paths: Sequence[Path], settings: Settings, rebuild: bool = False,
                 progress: Progress | None = None) -> IngestSummary:
    """Ingest guide files (reading all of them before touching the index).

    Raises:
        InputError: a file cannot be used; the existing index is untouched.
        VectorStoreError: the vector store cannot be reached.
    """
    started = time.perf_counter()
    texts = {str(p.resolve()): read_guide(p) for p in paths}
    hashes = {key: hashlib.sha256(f"parser {PARSER_VERSION}\n{t}".encode()).hexdigest()
              for key, t in texts.items()}
    old = _load_old(settings)
    summary = IngestSummary()
    previous = old.files if old else {}
    for key, digest in hashes.items():
        bucket = (summary.files_new if key not in previous else
                  summary.files_changed if previous[key] != digest or rebuild else
                  summary.files_unchanged)
        bucket.append(key)
    if old and not summary.changed:
        summary.cards, summary.chunks = len(old.cards), len(old.chunks)
        summary.seconds = time.perf_counter() - started
        return summary

    replaced = set(summary.files_new + summary.files_changed)
    kept_cards = [c for c in (old.cards if old else []) if c.source not in replaced]
    kept_chunks = [c for c in (old.chunks if old else []) if c.source not in replaced]
    taken = {c.id for c in kept_cards}
    new_cards: list[Card] = []
    new_chunks: list[Chunk] = []
    for key in sorted(replaced):
        parsed = parse_guide(texts[key], key, taken)
        new_cards += parsed.cards
        new_chunks += parsed.chunks
        summary.removed.update(parsed.removed)
        summary.warnings += parsed.warnings

    files = ({k: v for k, v in previous.items() if k not in replaced}
             | {k: hashes[k] for k in replaced})
    _publish(settings, old, kept_cards + new_cards, kept_chunks, new_chunks, files,
             summary, rebuild=rebuild, progress=progress)
    summary.seconds = time.perf_counter() - started
    return summary


def remove_guides(names: Sequence[str], settings: Settings) -> IngestSummary:
    """Drop the guides matching each name (path, file name or stem) from the index.

    The other guides' vectors are reused; the new generation goes live atomically.

    Raises:
        IndexMissingError: there is no index.
        InputError: a name matches no ingested guide (the message lists them), or removing
            would leave the index empty.
    """
    started = time.perf_counter()
    old = KnowledgeBase.load(settings.index_dir)
    sources = list(dict.fromkeys([*old.files, *(c.source for c in old.cards)]))
    chosen: set[str] = set()
    for name in names:
        hits = [s for s in sources if source_named(s, name)]
        if not hits:
            listed = ", ".join(Path(s).name for s in sources) or "none"
            raise InputError(f"No guide {name!r} in the index (guides: {listed}); "
                             "see `tutor guides`")
        chosen.update(hits)
    kept_cards = [c for c in old.cards if c.source not in chosen]
    if not kept_cards:
        raise InputError("That would leave the index empty: ingest another guide first "
                         "(`tutor ingest FILE`), then remove this one")
    summary = IngestSummary(files_removed=sorted(chosen))
    kept_chunks = [c for c in old.chunks if c.source not in chosen]
    files = {k: v for k, v in old.files.items() if k not in chosen}
    _publish(settings, old, kept_cards, kept_chunks, [], files, summary)
    summary.seconds = time.perf_counter() - started
    return summary


def list_guides(kb: KnowledgeBase) -> list[GuideInfo]:
    """The guides in an index, in ingestion order, with their card counts and topics."""
    by_source: dict[str, GuideInfo] = {}
    for card in kb.cards:
        info = by_source.setdefault(card.source, GuideInfo(card.source))
        info.cards += 1
        info.no_reference += card.no_reference
        if card.topic and card.topic not in info.topics:
            info.topics.append(card.topic)
    return list(by_source.values())


@dataclass
class GuideInfo:
    """One ingested guide."""

    source: str
    cards: int = 0
    no_reference: int = 0
    topics: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return Path(self.source).name


def _publish(settings: Settings, old: KnowledgeBase | None, cards: list[Card],
             kept_chunks: list[Chunk], new_chunks: list[Chunk], files: dict[str, str],
             summary: IngestSummary, rebuild: bool = False,
             progress: Progress | None = None) -> None:
    """Embed what is new, write a new collection and make the new generation live."""
    client = connect(settings)
    reuse = _reusable_vectors(client, old, kept_chunks) if not rebuild else {}
    chunks = kept_chunks + new_chunks
    vectors = _embed(chunks, reuse, settings, progress)
    summary.embedded = len(chunks) - len(reuse)
    generation = time.strftime("%Y%m%d%H%M%S") + "-" + uuid.uuid4().hex[:6]
    collection = f"tutor-{generation}"
    ChromaVectors.create(
        client, collection, [c.id for c in chunks], vectors, [c.text for c in chunks],
        [{"card_id": c.card_id, "heading": c.heading, "position": c.position} for c in chunks],
    )
    kb = KnowledgeBase(cards=cards, chunks=chunks, collection=collection,
                       generation=generation, files=files)
    kb.publish(settings.index_dir)
    if old and old.collection != collection:
        drop_collection(client, old.collection)
    summary.cards, summary.chunks = len(kb.cards), len(kb.chunks)


def _load_old(settings: Settings) -> KnowledgeBase | None:
    from tutor.core.errors import IndexMissingError

    try:
        return KnowledgeBase.load(settings.index_dir)
    except IndexMissingError as exc:
        if (settings.index_dir / MANIFEST).exists():  # damaged rather than missing
            log.warning("%s: ingesting from scratch", exc)
        return None


def _reusable_vectors(client: object, old: KnowledgeBase | None,
                      kept: list[Chunk]) -> dict[str, np.ndarray]:
    if not old or not kept:
        return {}
    try:
        return ChromaVectors(client, old.collection).vectors_for([c.id for c in kept])
    except VectorStoreError as exc:  # e.g. the old collection vanished: embed its chunks again
        log.warning("the previous vectors cannot be reused (%s): re-embedding %d chunks",
                    exc, len(kept))
        return {}


def _embed(chunks: list[Chunk], reuse: dict[str, np.ndarray], settings: Settings,
           progress: Progress | None) -> np.ndarray:
    todo = [i for i, c in enumerate(chunks) if c.id not in reuse]
    embedder = embedder_for(settings)
    out = np.zeros((len(chunks), embedder.dimension), dtype=np.float32)
    for i, c in enumerate(chunks):
        if c.id in reuse:
            out[i] = reuse[c.id]
    step = 32
    if progress and todo:  # the clock starts before the first batch, not after it
        progress(0, len(todo))
    for start in range(0, len(todo), step):
        batch = todo[start : start + step]
        out[batch] = embedder.embed_batch([embed_text(chunks[i]) for i in batch])
        if progress:
            progress(min(start + step, len(todo)), len(todo))
    return out
