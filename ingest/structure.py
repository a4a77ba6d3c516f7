"""Find question headings in cleaned lines and split the guide into sections."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tutor.ingest.cleaning import PART_LINE

_QWORD = r"(?:what|how|why|when|where|which|who|can|could|would|should|is|are|do|does)"
_AUX = r"(?:is|are|was|were|do|does|did|can|could|would|should|will|has|have|you)"
QUESTION_HEADING = re.compile(rf"^{_QWORD}\b.*\?(\s*\([^)]*\))?$", re.IGNORECASE)
BARE_QUESTION = re.compile(rf"^(?:what|how|why|when|which|who)\s+{_AUX}\b[^.:;!]*$", re.IGNORECASE)
IMPERATIVE_HEADING = re.compile(r"^(?:explain|explaining|discuss|describe|define)\b.*\?$", re.I)
SCENARIO_HEADING = re.compile(r"^scenario\s+\d+\s*:\s*\S.*$", re.IGNORECASE)
MARKDOWN_HEADING = re.compile(r"^#{1,4}\s+(\S.*)$")
NUMBERED = re.compile(r"^\d{1,3}\.\s*(.+)$")
SCENARIO_PART = re.compile(r"^scenario[- ]based .*questions$", re.IGNORECASE)
MAX_HEADING_CHARS = 300


@dataclass
class Section:
    """A heading and the lines under it."""

    heading: str
    part: str
    lines: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "scenario" if SCENARIO_HEADING.match(self.heading) else "concept"


@dataclass
class Outline:
    """Sections found, plus lines that were not content (front matter, table of contents)."""

    sections: list[Section]
    skipped: dict[str, int]


def is_heading(line: str, prev_blank: bool, next_blank: bool) -> bool:
    """A standalone line that reads as a question, a scenario title or a markdown heading."""
    if not line or len(line) > MAX_HEADING_CHARS or line.startswith(("-", "*", "Question:")):
        return False
    if MARKDOWN_HEADING.match(line) or SCENARIO_HEADING.match(line):
        return True
    if not (prev_blank and next_blank):
        return False
    return bool(
        QUESTION_HEADING.match(line) or IMPERATIVE_HEADING.match(line) or BARE_QUESTION.match(line)
    )


def split_sections(lines: list[str]) -> Outline:
    """Split cleaned lines into sections; numbered lists of headings (a TOC) are dropped."""
    headings = _heading_indexes(lines)
    heading_texts = {_heading_text(lines[i]).lower() for i in headings}
    skipped = {"front matter": 0, "table of contents": 0}
    sections: list[Section] = []
    part = ""
    current: Section | None = None
    for i, line in enumerate(lines):
        part_match = PART_LINE.match(line)
        if part_match or SCENARIO_PART.match(line):
            part = f"Part {part_match.group(1)}" if part_match else "Scenarios"
            continue
        if i in headings:
            current = Section(heading=_heading_text(line), part=part)
            sections.append(current)
            continue
        if _is_toc_entry(line, heading_texts):
            skipped["table of contents"] += 1
            continue
        if current is None:
            skipped["front matter"] += bool(line)
            continue
        current.lines.append(line)
    return Outline(sections=[s for s in sections if any(s.lines)], skipped=skipped)


def _heading_indexes(lines: list[str]) -> set[int]:
    found = set()
    for i, line in enumerate(lines):
        prev_blank = i == 0 or not lines[i - 1]
        next_blank = i + 1 >= len(lines) or not lines[i + 1]
        if is_heading(line, prev_blank, next_blank):
            found.add(i)
    return found


def _heading_text(line: str) -> str:
    md = MARKDOWN_HEADING.match(line)
    return md.group(1).strip() if md else line.strip()


def _is_toc_entry(line: str, heading_texts: set[str]) -> bool:
    m = NUMBERED.match(line)
    if not m:
        return False
    entry = m.group(1).strip().lower()
    return entry in heading_texts or any(
        h.startswith(entry[:-1]) for h in heading_texts if len(entry) > 15
    )
