"""Structure-aware chunking: chunks follow the card's blocks and never straddle two cards."""

from __future__ import annotations

from tutor.ingest.markup import FENCE
from tutor.ingest.structure import NUMBERED

from tutor.core.types import Card, Chunk, KeyPoint

TARGET_CHARS = 700


def chunk_card(card: Card, target: int = TARGET_CHARS) -> tuple[list[Chunk], Card]:
    """Split a card into chunks and return them with the card's key points located in them."""
    pieces = pack_blocks(_blocks(card.body), target)
    chunks = [
        Chunk(
            id=f"{card.id}#{i}",
            card_id=card.id,
            heading=card.heading,
            question=card.question,
            kind=card.kind,
            position=i,
            text=text,
            source=card.source,
        )
        for i, text in enumerate(pieces)
    ]
    located = [_locate(kp, chunks) for kp in card.key_points]
    return chunks, card.model_copy(update={"key_points": located})


def _blocks(body: str) -> list[str]:
    """Paragraph blocks; a numbered item and the lines under it form one block."""
    blocks: list[list[str]] = []
    current: list[str] = []
    in_group = False
    fence: str | None = None
    for line in body.split("\n"):
        if fence is not None or FENCE.match(line):  # a code block is one block, blank lines too
            opening = fence is None
            if fence is None:
                fence = line.strip()[:3]
            elif line.strip().startswith(fence):
                fence = None
            if opening and current and not in_group:
                blocks.append(current)
                current = []
            current.append(line)
        elif NUMBERED.match(line):
            if current:
                blocks.append(current)
            current, in_group = [line], True
        elif not line:
            if current and not in_group:
                blocks.append(current)
                current = []
        else:
            current.append(line)
    if current:
        blocks.append(current)
    return ["\n".join(b) for b in blocks if b]


def pack_blocks(blocks: list[str], target: int, joiner: str = "\n") -> list[str]:
    """Greedily join consecutive blocks into pieces of about `target` characters."""
    pieces: list[str] = []
    current = ""
    for block in _split_long(blocks, target):
        if current and len(current) + len(block) + len(joiner) > target:
            pieces.append(current)
            current = block
        else:
            current = f"{current}{joiner}{block}" if current else block
    if current:
        pieces.append(current)
    return pieces


def _split_long(blocks: list[str], target: int) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if len(block) <= target * 1.5:
            out.append(block)
            continue
        part = ""
        for line in block.split("\n"):
            if part and len(part) + len(line) + 1 > target:
                out.append(part)
                part = line
            else:
                part = f"{part}\n{line}" if part else line
        if part:
            out.append(part)
    return out


def _locate(kp: KeyPoint, chunks: list[Chunk]) -> KeyPoint:
    """Point a key point at the chunk holding most of it; its text becomes what is in that chunk."""
    lines = [ln for ln in kp.text.split("\n") if ln]
    best: tuple[int, Chunk | None, list[str]] = (0, None, [])
    for chunk in chunks:
        inside = [ln for ln in lines if ln in chunk.text]
        if len("".join(inside)) > best[0]:
            best = (len("".join(inside)), chunk, inside)
    _, found, inside = best
    if found is None:
        return kp
    text = "\n".join(inside)
    start = found.text.find(inside[0])
    end = found.text.find(inside[-1]) + len(inside[-1])
    return kp.model_copy(update={"text": text, "chunk_id": found.id, "start": start, "end": end})

