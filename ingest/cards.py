"""Turn sections into cards: question, cleaned reference answer and key points (the rubric).

Key points are the answer's numbered groups, bullets, table rows and sentences; the pieces of a
"(1) ... (2) ..." enumeration inside a paragraph are points of their own, and a list of what not
to do (`cautions`) is none. Field lines (tags, a question's scenario) are sorted out first
(`fields`), and so are the options of a multiple-choice answer (`choices`): they join the
question, the stated answer is the point. A sub-header ("1. Ask for sources:") with only code
under it is a point by its own words; a label line over a code block ("Quick Comparison:")
ends the group above it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tutor.ingest.cautions import caution_rows
from tutor.ingest.choices import split_choices
from tutor.ingest.cleaning import CleanReport, dedupe_lines
from tutor.ingest.fields import read_fields
from tutor.ingest.headings import (
    A_PREFIX,
    DIFFICULTY_LINE,
    is_label,
    is_placeholder,
    marker_level,
)
from tutor.ingest.markup import FENCE, FORMULA_FENCE, LIST_ITEM, TABLE_ROW, atx
from tutor.ingest.structure import NUMBERED, Section
from tutor.ingest.wrapping import FUNCTION_WORD, Spellings, join_broken

from tutor.core.text import slugify, split_sentences
from tutor.core.types import Card, KeyPoint

BULLET = re.compile(r"^[-*•]\s+(.*)$")
LABEL = re.compile(r"^([A-Z][^:]{2,60}):\s*(.*)$")
TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?$")
MAX_QUOTE_CHARS = 400
# "(1) ", "(2) " inside a paragraph (or "1) ", "2) " after a space); see `_inline_enumeration`
INLINE_MARK = re.compile(r"(?:(?<=\s)|^)(?:\((\d{1,2})\)|(\d{1,2})\))\s+(?=\S)")
WHOLE_LABEL_WORDS = 16  # an enumerated piece this short is its own label (no "(2)" in it)
# emoji and check marks before a header ("✅ 1. Use delimiters:") are decoration
MARKERS = re.compile(r"^[\u2190-\u21ff\u2600-\u27bf\U0001f000-\U0001faff\ufe0f\s]+")
ENUM_TAIL = re.compile(r"(?:[\s,;]|\b(?:and|or)\b)+$")  # "(1) a, and (2) b": "(1) a"


@dataclass
class Item:
    """A block of the reference answer that becomes one key point."""

    label: str
    lines: list[str] = field(default_factory=list)
    code_only: bool = False  # a sub-header with only code under it: its own words are the point

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def build_card(section: Section, source: str, taken_ids: set[str], report: CleanReport) -> Card:
    """Build a card from a section; ids are slugs of the heading, unique within the index."""
    fields = read_fields(section, report)
    options, answer_raw = split_choices(fields.answer)  # a distractor is no point to make
    offered = f"Options: {'; '.join(options)}" if options else ""
    context = _join_paragraphs(unwrap(section.lines[: section.context] + fields.asked,
                                      report.spellings) + ["", offered])
    answer_lines = unwrap(_answer_lines(answer_raw), report.spellings)
    lines = dedupe_lines(answer_lines, report, section.sources)
    difficulty, lines = _difficulty_line(lines)
    answer = _join_paragraphs(lines)
    no_reference = not answer or all(is_placeholder(ln) or is_label(ln)
                                     for ln in answer.split("\n") if ln)
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
        question=" ".join(filter(None, [section.question or section.heading, fields.asked_text,
                                        offered])),
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
    cautions = caution_rows(rows)  # what not to do is no point to make
    done = 0  # rows up to here were read with an enumeration running across them
    for n, line in enumerate(rows):
        if n < done or n in cautions:  # read with an enumeration, or what not to do
            group = group if n < done else None
            continue
        if fence is None and (FENCE.match(line) or FORMULA_FENCE.match(line)):
            fence = _fence_marker(line)
            if group is not None and len(group.lines) == 1 \
                    and group.lines[0].rstrip().endswith(":"):
                group.code_only = True
            continue
        if fence is not None:
            fence = None if line.strip().startswith(fence) else fence
            continue
        heading = atx(line)
        if heading:
            line, group = heading[1], None
        if not line or TABLE_RULE.match(line) or line.startswith("$$") or n in headers:
            continue
        numbered = NUMBERED.match(MARKERS.sub("", line))
        if numbered:
            group = Item(label=_label(numbered.group(1)), lines=[line])
            items.append(group)
        elif heading:
            continue  # a sub-heading introduces the points under it
        elif TABLE_ROW.match(line):
            items.append(_table_item(line))
        elif group is not None and _titles_code(rows, n):
            group = None  # "Quick Comparison:" over a code example: a sub-header of its own
        elif group is not None:
            group.code_only = False
            group.lines.append(line)
        elif _is_lead_in(line):
            continue
        else:
            done = _enumerated_paragraph(rows, n, cautions)
            items.extend(_prose_items("\n".join(rows[n:done])))
    return [_named_header(it) if it.code_only else it for it in items
            if _substantive(it) or it.code_only]


def _titles_code(rows: list[str], n: int) -> bool:
    """Whether row `n` is a label line ("Real Impact:") over a code block."""
    line = rows[n]
    if LIST_ITEM.match(line) or not is_label(MARKERS.sub("", line)):
        return False
    after = next((r for r in rows[n + 1:] if r.strip()), "")
    return bool(FENCE.match(after))


def _named_header(item: Item) -> Item:
    """"1. Ask for Citations/Sources:" over a code example: the header without its colon."""
    return Item(label=item.label, lines=[item.lines[0].rstrip().rstrip(":").rstrip()])


def _enumerated_paragraph(rows: list[str], n: int, skip: set[int]) -> int:
    """Where the paragraph from row `n` ends when one "(1) ... (2) ..." enumeration runs
    across its lines (the rows after the paragraph), else n + 1."""
    end = n + 1
    while end < len(rows) and end not in skip and _is_prose(rows[end]):
        end += 1
    marks = _enumeration_marks("\n".join(rows[n:end]))
    if marks is None or end == n + 1:
        return n + 1
    starts = [sum(len(r) + 1 for r in rows[n:i]) for i in range(n, end)]
    return n + 1 + max(sum(s <= m.start() for s in starts[1:]) for m in marks)


def _is_prose(row: str) -> bool:
    return bool(row.strip()) and not (
        atx(row) or TABLE_ROW.match(row) or LIST_ITEM.match(row) or NUMBERED.match(row)
        or FENCE.match(row) or FORMULA_FENCE.match(row) or row.startswith("$$"))


def _prose_items(text: str) -> list[Item]:
    """Items of one line, or of a paragraph whose lines one enumeration runs across."""
    if "\n" not in text:
        return _standalone_items(text)
    return _inline_enumeration(text) or [it for ln in text.split("\n") if ln.strip()
                                         for it in _standalone_items(ln.strip())]


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
    enumerated = _inline_enumeration(line)
    if enumerated is not None:
        return enumerated
    bullet = BULLET.match(line)
    content = bullet.group(1) if bullet else line
    labelled = LABEL.match(content)
    if bullet or labelled:
        return [Item(label=_label(content), lines=[line])]
    sentences = [s for s in split_sentences(line) if len(s) > 30]
    return [Item(label=_label(s), lines=[s]) for s in sentences]


def _inline_enumeration(line: str) -> list[Item] | None:
    """"In order of preference: (1) Use the right metric. (2) Tune the threshold ..." lists its
    points inside one paragraph: each numbered piece is an item (verbatim, trailing ", and" cut),
    the sentence leading into them is none, and what precedes or follows is read as usual."""
    marks = _enumeration_marks(line)
    if marks is None:
        return None
    items: list[Item] = []
    prefix = line[: marks[0].start()]
    lead = split_sentences(prefix)
    if len(lead) > 1:  # sentences before the one leading into the enumeration
        items += _prose_items(prefix[: prefix.rfind(lead[-1])].strip())
    ends = [m.start() for m in marks[1:]]
    tail = line[marks[-1].start():]
    last = split_sentences(tail)
    ends.append(marks[-1].start() + (tail.find(last[0]) + len(last[0]) if last else len(tail)))
    for mark, end in zip(marks, ends, strict=True):
        text = ENUM_TAIL.sub("", line[mark.start() : end])
        piece = " ".join(line[mark.end() : mark.start() + len(text)].split())  # no "(n)"
        label = piece if len(piece.split()) <= WHOLE_LABEL_WORDS else _label(piece)
        items.append(Item(label=label, lines=[text]))
    rest = line[ends[-1]:].strip()
    return items + (_prose_items(rest) if rest else [])


def _enumeration_marks(line: str) -> list[re.Match[str]] | None:
    """The markers "(1) ... (2) ..." (or "1) ... 2) ...") numbering pieces of one paragraph,
    counted from 1 without a gap; None unless there are two or more."""
    marks: list[re.Match[str]] = []
    for found in INLINE_MARK.finditer(line):
        number = int(found.group(1) or found.group(2))
        same_style = not marks or bool(found.group(1)) == bool(marks[0].group(1))
        before = line[: found.start()]
        if number == len(marks) + 1 and same_style and before.count("(") <= before.count(")"):
            marks.append(found)
    return marks if len(marks) >= 2 else None


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
