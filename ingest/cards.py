"""Turn sections into cards: question, cleaned reference answer and key points (the rubric)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tutor.ingest.cleaning import CleanReport, dedupe_lines
from tutor.ingest.headings import A_PREFIX, DIFFICULTY_LINE, is_placeholder, marker_level
from tutor.ingest.markup import FENCE, FORMULA_FENCE, LIST_ITEM, TABLE_ROW, atx
from tutor.ingest.structure import NUMBERED, Section
from tutor.ingest.wrapping import FUNCTION_WORD, Spellings, join_broken

from tutor.core.text import slugify, split_sentences
from tutor.core.types import Card, KeyPoint

BULLET = re.compile(r"^[-*•]\s+(.*)$")
LABEL = re.compile(r"^([A-Z][^:]{2,60}):\s*(.*)$")
TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?$")
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
    context = _join_paragraphs(unwrap(section.lines[: section.context], report.spellings))
    answer_lines = unwrap(_answer_lines(section.lines[section.context :]), report.spellings)
    lines = dedupe_lines(answer_lines, report)
    difficulty, lines = _difficulty_line(lines)
    answer = _join_paragraphs(lines)
    no_reference = not answer or all(is_placeholder(ln) for ln in answer.split("\n") if ln)
    if no_reference:
        answer = ""
    body = f"{context}\n\n{answer}".strip() if context else answer
    card_id = _unique(slugify(section.heading), taken_ids)
    items = extract_items(answer)
    key_points = [KeyPoint(label=it.label, text=it.text) for it in items if it.text]
    return Card(
        id=card_id,
        heading=section.heading,
        kind="scenario" if section.kind == "scenario" else "concept",
        part=section.part,
        topic=section.topic,
        question=section.question or section.heading,
        body=body,
        key_points=key_points,
        source=source,
        difficulty=section.difficulty or difficulty,
        no_reference=no_reference,
    )


def extract_items(body: str) -> list[Item]:
    """Split a reference answer into rubric items: numbered groups, bullets, table rows,
    sentences. Code and formula blocks stay in the answer but are not points of their own."""
    items: list[Item] = []
    group: Item | None = None
    fence: str | None = None
    rows = body.split("\n")
    headers = {i - 1 for i, row in enumerate(rows) if i and TABLE_RULE.match(row)}
    for n, line in enumerate(rows):
        if fence is None and (FENCE.match(line) or FORMULA_FENCE.match(line)):
            fence = _fence_marker(line)
            continue
        if fence is not None:
            fence = None if line.strip().startswith(fence) else fence
            continue
        heading = atx(line)
        if heading:
            line, group = heading[1], None
        if not line or TABLE_RULE.match(line) or line.startswith("$$") or n in headers:
            continue
        numbered = NUMBERED.match(line)
        if numbered:
            group = Item(label=_label(numbered.group(1)), lines=[line])
            items.append(group)
        elif heading:
            continue  # a sub-heading introduces the points under it
        elif TABLE_ROW.match(line):
            items.append(_table_item(line))
        elif group is not None:
            group.lines.append(line)
        elif _is_lead_in(line):
            continue
        else:
            items.extend(_standalone_items(line))
    return [it for it in items if _substantive(it)]


def unwrap(lines: list[str], spellings: Spellings | None = None) -> list[str]:
    """Hard-wrapped prose joined back into one line per paragraph or list item.

    A line continues the previous one when that one stops mid-sentence and this one reads as
    its continuation (lower case, or after a comma or a short function word), also across a
    blank line left by a page break. Headings, tables, code and new list items stay apart.
    A word broken at a hyphen is rejoined as the document spells it (`spellings`).
    """
    out: list[str] = []
    fence: str | None = None
    for line in lines:
        if fence is None and (FENCE.match(line) or FORMULA_FENCE.match(line)):
            fence = _fence_marker(line)
        elif fence is not None:
            fence = None if line.strip().startswith(fence) else fence
        elif line and out:
            last = len(out) - 1
            while last > 0 and not out[last]:
                last -= 1
            if _continues(out[last], line, across_blank=last < len(out) - 1):
                del out[last + 1 :]
                out[-1] = _join(out[-1], line, spellings)
                continue
        out.append(line)
    return out


def _continues(prev: str, line: str, across_blank: bool) -> bool:
    if (not prev or prev.rstrip().endswith((".", "?", "!", ":", ";", "|")) or atx(prev)
            or TABLE_ROW.match(prev) or FENCE.match(prev) or prev.startswith("$$")):
        return False
    if (atx(line) or TABLE_ROW.match(line) or LIST_ITEM.match(line) or NUMBERED.match(line)
            or FENCE.match(line) or line.startswith("$$")):
        return False
    lower = line[0].islower() or line[0] in "(\"'“$" or line[0].isdigit()
    if across_blank:
        return lower and len(prev) > 40
    return lower or bool(FUNCTION_WORD.search(prev.rstrip()))


def _join(prev: str, line: str, spellings: Spellings | None) -> str:
    if re.search(r"[A-Za-z]-$", prev):  # "non-" + "linear", "resp-" + "onses"
        return join_broken(prev, line, spellings)
    return f"{prev} {line}"


def _fence_marker(line: str) -> str:
    return "~~~" if line.strip().startswith("~~~") else "```" if "`" in line else "$$"


def _table_item(line: str) -> Item:
    cells = [c.strip() for c in line.strip("|").split("|")]
    label = next((c for c in cells if c), line)
    return Item(label=_label(label), lines=[line])


def _answer_lines(lines: list[str]) -> list[str]:
    """Answer lines without "A:"/"Answer:" prefixes (a bare "Answer:" line goes)."""
    out = []
    for line in lines:
        stripped = A_PREFIX.sub("", line, count=1) if A_PREFIX.match(line) else line
        if stripped or not line:
            out.append(stripped)
    return out


def _difficulty_line(lines: list[str]) -> tuple[str | None, list[str]]:
    """A "Difficulty: hard" line at the top of an answer sets the level and is removed."""
    for i, line in enumerate(lines[:3]):
        match = DIFFICULTY_LINE.match(line.strip()) if line else None
        if match:
            return marker_level(line), lines[:i] + lines[i + 1 :]
    return None, lines


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
    letters = sum(c.isalpha() for c in content)
    return (len(content) > 25 and not (len(item.lines) == 1 and content.endswith(":"))
            and letters >= 0.5 * len(content.replace(" ", "")))  # not a bare formula


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
