"""One guide text -> cards and chunks (recognised structure, or plain chunks with a warning)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tutor.ingest.cards import build_card
from tutor.ingest.chunking import chunk_card, pack_blocks
from tutor.ingest.cleaning import CleanReport, clean_lines, dedupe_lines
from tutor.ingest.structure import split_sections

from tutor.core.types import Card, Chunk

MIN_SECTIONS = 2
PLAIN_CARD_CHARS = 1500


@dataclass
class ParsedGuide:
    """What one file turned into."""

    cards: list[Card]
    chunks: list[Chunk]
    removed: dict[str, int]
    warnings: list[str] = field(default_factory=list)


def parse_guide(text: str, source: str, taken_ids: set[str]) -> ParsedGuide:
    """Clean, structure and chunk one guide."""
    report = CleanReport()
    lines = clean_lines(text, report)
    outline = split_sections(lines)
    for reason, n in outline.skipped.items():
        report.removed[reason] += n
    warnings: list[str] = []
    if len(outline.sections) < MIN_SECTIONS:
        warnings.append(
            f"{source}: no question headings recognised; indexed as plain passages "
            "(interviews and grading work best on guides with one question per heading)"
        )
        cards = _plain_cards(lines, source, taken_ids, report)
    else:
        cards = [build_card(s, source, taken_ids, report) for s in outline.sections]
    chunks: list[Chunk] = []
    located: list[Card] = []
    for card in cards:
        card_chunks, card = chunk_card(card)
        chunks.extend(card_chunks)
        located.append(card)
    return ParsedGuide(located, chunks, dict(report.removed), warnings)


def _plain_cards(lines: list[str], source: str, taken: set[str], report: CleanReport) -> list[Card]:
    from tutor.ingest.cards import extract_items
    from tutor.ingest.topics import topic_for

    from tutor.core.text import slugify
    from tutor.core.types import KeyPoint

    content = [ln for ln in dedupe_lines(lines, report) if not ln.lower().startswith("part")]
    paragraphs = [p.strip() for p in "\n".join(content).split("\n\n") if p.strip()]
    groups = pack_blocks(paragraphs, PLAIN_CARD_CHARS, joiner="\n\n")
    stem = Path(source).stem
    cards = []
    for n, body in enumerate(groups, 1):
        heading = f"{stem} (passage {n})"
        card_id = slugify(heading)
        while card_id in taken:
            card_id += "-x"
        taken.add(card_id)
        items = extract_items(body)
        cards.append(Card(
            id=card_id, heading=heading, kind="plain", topic=topic_for(body[:200]),
            question=heading, body=body, source=source,
            key_points=[KeyPoint(label=i.label, text=i.text) for i in items],
        ))
    return cards
