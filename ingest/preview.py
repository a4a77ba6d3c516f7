"""What the tutor understood of a guide, before anything is indexed (`tutor ingest --dry-run`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tutor.ingest.parse import ParsedGuide, parse_guide
from tutor.ingest.readers import read_guide


def preview_guides(paths: Sequence[Path]) -> list[dict[str, Any]]:
    """The structure found in each guide: cards, topics, and what was dropped and why.

    Raises:
        InputError: a file cannot be used (the same checks as a real ingest).
    """
    return [describe(parse_guide(read_guide(p), str(p), set()), str(p)) for p in paths]


def describe(guide: ParsedGuide, source: str) -> dict[str, Any]:
    """A parsed guide as plain data (JSON-ready)."""
    cards = [{
        "line": guide.heading_lines.get(c.id),
        "card_id": c.id,
        "question": c.question,
        "heading": c.heading,
        "kind": c.kind,
        "topic": c.topic,
        "difficulty": c.difficulty,
        "points": len(c.key_points),
        "no_reference": c.no_reference,
    } for c in guide.cards]
    return {
        "source": source,
        "cards": cards,
        "topics": guide.topics,
        "no_reference": sum(c.no_reference for c in guide.cards),
        "dropped": [{"line": d.line, "reason": d.reason, "text": d.text} for d in guide.dropped],
        "removed": guide.removed,
        "warnings": guide.warnings,
    }
