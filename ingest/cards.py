"""Turn sections into cards: question, cleaned reference answer and key points (the rubric)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tutor.ingest.cleaning import CleanReport, dedupe_lines
from tutor.ingest.structure import NUMBERED, Section
from tutor.ingest.topics import topic_for

from tutor.core.text import slugify, split_sentences
from tutor.core.types import Card, KeyPoint

BULLET = re.compile(r"^[-*•]\s+(.*)$")
LABEL = re.compile(r"^([A-Z][^:]{2,60}):\s*(.*)$")
MAX_QUOTE_CHARS = 400


@dataclass
class Item:
    """A block of the reference answer that becomes one key point."""

    label: str
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def build_card(section: Section, source: str, taken_ids: set[str], report: CleanReport) -> Card:
    """Build a card from a section; ids are slugs of the heading, unique within the index."""
    lines = dedupe_lines([ln for ln in section.lines], report)
    question = section.heading
    if section.kind == "scenario":
        question, lines = _scenario_question(section.heading, lines)
    body = _join_paragraphs(lines)
    card_id = _unique(slugify(section.heading), taken_ids)
    items = extract_items(body)
    key_points = [KeyPoint(label=it.label, text=it.text) for it in items if it.text]
    return Card(
        id=card_id,
        heading=section.heading,
        kind="scenario" if section.kind == "scenario" else "concept",
        part=section.part,
        topic=topic_for(section.heading, body),
        question=question,
        body=body,
        key_points=key_points,
        source=source,
    )


def extract_items(body: str) -> list[Item]:
    """Split a reference answer into rubric items: numbered groups, bullets, sentences."""
    items: list[Item] = []
    group: Item | None = None
    for line in body.split("\n"):
        if not line:
            continue
        numbered = NUMBERED.match(line)
        if numbered:
            group = Item(label=_label(numbered.group(1)), lines=[line])
            items.append(group)
        elif group is not None:
            group.lines.append(line)
        elif _is_lead_in(line):
            continue
        else:
            items.extend(_standalone_items(line))
    return [it for it in items if _substantive(it)]


def _standalone_items(line: str) -> list[Item]:
    bullet = BULLET.match(line)
    content = bullet.group(1) if bullet else line
    labelled = LABEL.match(content)
    if bullet or labelled:
        return [Item(label=_label(content), lines=[line])]
    sentences = [s for s in split_sentences(line) if len(s) > 30]
    return [Item(label=_label(s), lines=[s]) for s in sentences]


def _label(text: str) -> str:
    labelled = LABEL.match(text)
    if labelled:
        return labelled.group(1).strip()
    words = text.rstrip(":").split()
    return " ".join(words[:8]) + ("…" if len(words) > 8 else "")


def _is_lead_in(line: str) -> bool:
    """Sentences like "Here's how they differ:" introduce a list and state no point."""
    return line.endswith(":") and len(line) < 200 and not BULLET.match(line)


def _substantive(item: Item) -> bool:
    content = " ".join(item.lines)
    return len(content) > 25 and not (len(item.lines) == 1 and content.endswith(":"))


def _scenario_question(heading: str, lines: list[str]) -> tuple[str, list[str]]:
    for i, line in enumerate(lines):
        if line.lower().startswith("question:"):
            question = line.split(":", 1)[1].strip()
            rest = lines[:i] + lines[i + 1 :]
            rest = [re.sub(r"^Answer:\s*", "", ln) for ln in rest]
            return question, rest
    return heading, lines


def _join_paragraphs(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def _unique(slug: str, taken: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    taken.add(candidate)
    return candidate
