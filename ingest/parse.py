"""One guide text -> cards and chunks (recognised structure, or plain chunks with a warning)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tutor.ingest.boilerplate import drop_repeated
from tutor.ingest.cards import build_card, extract_items
from tutor.ingest.chunking import chunk_card, pack_blocks
from tutor.ingest.cleaning import CleanReport, Dropped, clean, dedupe_lines
from tutor.ingest.headings import split_difficulty, strip_emphasis, topic_difficulty
from tutor.ingest.markup import Line, plain, read_lines
from tutor.ingest.structure import split_sections
from tutor.ingest.topics import PLAIN_TOPIC, clustered_topics, is_bundled_guide, topic_for

from tutor.core.text import slugify
from tutor.core.types import Card, Chunk, KeyPoint

MIN_SECTIONS = 2
UNPLACED = {"outside any question", "front matter"}  # dropped lines that might be questions
Q_LABEL = re.compile(r"^(?:q|question)\s*#?\d{0,3}\s*[:.)\-–—]", re.IGNORECASE)  # "Q3:", "Q:"
PLAIN_CARD_CHARS = 1500


@dataclass
class ParsedGuide:
    """What one file turned into."""

    cards: list[Card]
    chunks: list[Chunk]
    removed: dict[str, int]
    warnings: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)  # line, text, reason
    heading_lines: dict[str, int] = field(default_factory=dict)  # card id -> line of its heading


# Part of every file's content hash in the index: a new parser re-reads unchanged files once.
PARSER_VERSION = 8  # 8: an abbreviation's full stop (e.g., i.e., vs.) ends no sentence


def parse_guide(text: str, source: str, taken_ids: set[str]) -> ParsedGuide:
    """Clean, structure and chunk one guide."""
    report = CleanReport()
    lines = clean(read_lines(text), report)
    outline = split_sections(lines, report)
    warnings: list[str] = []
    if len(outline.sections) < MIN_SECTIONS:
        warnings.append(
            f"{source}: no question headings recognised; indexed as plain passages "
            "(interviews and grading work best on guides with one question per heading)"
        )
        cards = _plain_cards(lines, source, taken_ids, report)
        topics: list[str] = []
        heading_lines = {}
    else:
        drop_repeated(outline.sections, report)
        cards = [build_card(s, source, taken_ids, report) for s in outline.sections]
        heading_lines = {c.id: s.line for c, s in zip(cards, outline.sections, strict=True)}
        cards, topics = _topics(cards, outline.topics, is_bundled_guide(text))
    chunks: list[Chunk] = []
    located: list[Card] = []
    for card in cards:
        card_chunks, card = chunk_card(card)
        chunks.extend(card_chunks)
        located.append(card)
    dropped = sorted(report.dropped, key=lambda d: d.line)
    warnings += unplaced_questions(dropped, source)
    return ParsedGuide(located, chunks, dict(report.removed), warnings, topics, dropped,
                       heading_lines)


def unplaced_questions(dropped: list[Dropped], source: str, shown: int = 3) -> list[str]:
    """A warning naming the dropped lines that read like questions: none is lost silently."""
    lines = [d for d in dropped if d.reason in UNPLACED and _looks_like_question(d.text)]
    if not lines:
        return []
    named = "; ".join(f'line {d.line} "{_short(d.text)}"' for d in lines[:shown])
    more = f" and {len(lines) - shown} more" if len(lines) > shown else ""
    return [f"{source}: {len(lines)} question-like line(s) became no card: {named}{more} "
            "(see `tutor ingest --dry-run`)"]


def _looks_like_question(text: str) -> bool:
    text = strip_emphasis(plain(text)).strip("#> ").strip()
    return bool(Q_LABEL.match(text)) or split_difficulty(text)[0].endswith("?")


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _topics(cards: list[Card], topics: list[str], bundled: bool) -> tuple[list[Card], list[str]]:
    """The bundled guide's curated topics, else the guide's own (which may name a level)."""
    if bundled:
        cards = [c.model_copy(update={"topic": topic_for(c.heading)}) for c in cards]
        return cards, list(dict.fromkeys(c.topic for c in cards))
    if not any(c.topic for c in cards):  # no section headings: topics from clustering
        named = clustered_topics([f"{c.heading} {c.question} {c.body}" for c in cards],
                                 [f"{c.heading} {c.question}" for c in cards])
        # too few cards to cluster: one plain topic, so interviews and reports name one
        named = [t or PLAIN_TOPIC for t in named]
        cards = [c.model_copy(update={"topic": t}) for c, t in zip(cards, named)]
        topics = list(dict.fromkeys(t for t in named if t))
    out = []
    for card in cards:
        level = card.difficulty or (topic_difficulty(card.topic) if card.topic else None)
        out.append(card.model_copy(update={"difficulty": level}) if level else card)
    return out, topics


def _plain_cards(lines: list[Line], source: str, taken: set[str],
                 report: CleanReport) -> list[Card]:
    texts = [plain(ln.text) for ln in lines]
    content = [ln for ln in dedupe_lines(texts, report, lines) if not ln.lower().startswith("part")]
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
            id=card_id, heading=heading, kind="plain", question=heading, body=body,
            source=source, key_points=[KeyPoint(label=i.label, text=i.text) for i in items],
        ))
    return cards
