"""The guide's own hierarchy: which lines are questions, which are topics, what is an answer.

Headings of every common shape are candidates: markdown headings (`#`..`######`, also setext),
bold lines, `Q:`/`Question:` lines, numbered or standalone lines ending in "?", imperative
prompts and "Scenario N:" blocks. A question-like candidate starts a card unless it sits *under*
an open question (a deeper heading): then it is part of that answer, like any sub-heading, code
block, table or list. Non-question headings that hold questions are topics; one that holds every
question is the document's title. A bold or markdown heading carrying a difficulty marker
over its own answer is a question even without "?"; a formula line is never a title. A heading
that labels itself ("### Q26: Do you need ...") is a question whatever its wording, and a quoted
one (`### "Design a fraud detection system."`) is read without its quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tutor.ingest.cleaning import PART_LINE, CleanReport
from tutor.ingest.headings import (
    IMPERATIVE,
    NUMBER_PREFIX,
    Q_PREFIX,
    QUESTION_LABEL,
    QUESTION_START,
    SCENARIO,
    SCENARIO_LOOSE,
    Difficulty,
    heading_text,
    is_labelled,
    is_placeholder,
    is_question,
    strip_emphasis,
)
from tutor.ingest.markup import Line, atx, bold_line, plain
from tutor.ingest.wrapping import wrapped_question

NUMBERED = re.compile(r"^\d{1,3}\.\s*(.+)$")
PROMPT = re.compile(r"^(?:explain|describe|compare|define|discuss|design|implement|write)\s+\S",
                    re.IGNORECASE)  # "3. Explain normalization." in a numbered question list
SCENARIO_PART = re.compile(r"^scenario[- ]based .*questions$", re.IGNORECASE)
FORMULA = re.compile(r"[=^{}\\≈≠≤≥]")  # "f(x) = 1/(1+e^{-x})" states something; it names nothing
MAX_HEADING_CHARS = 300
TITLE_LEVEL, BOLD_LEVEL, LINE_LEVEL = 7.0, 8.0, 9.0


@dataclass
class Section:
    """A question (heading), where it sits in the guide, and the lines of its answer."""

    heading: str
    part: str
    lines: list[str] = field(default_factory=list)
    sources: list[Line] = field(default_factory=list, repr=False)  # the guide's line behind each
    question: str = ""  # the question asked, when it differs from the heading (scenarios)
    topic: str = ""
    difficulty: Difficulty | None = None
    line: int = 0  # line number of the heading in the source
    level: float = LINE_LEVEL
    awaiting: bool = False  # a scenario title or "Question 5" label: its question comes later
    context: int = 0  # leading lines that set the scene (before a scenario's question)
    ancestors: list[int] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "scenario" if SCENARIO.match(self.heading) else "concept"


@dataclass
class Outline:
    """Sections found, the guide's topics, and what was not content."""

    sections: list[Section]
    skipped: dict[str, int]
    topics: list[str] = field(default_factory=list)


@dataclass
class Element:
    """A heading-like line (or several lines of one wrapped question)."""

    kind: str  # md | bold | q | line | title | part
    level: float
    text: str  # the clean heading text
    raw: str
    end: int  # index of the last line it spans
    question: bool = False
    difficulty: Difficulty | None = None
    topic: bool = False


@dataclass
class _Node:
    level: float
    text: str
    id: int


def split_sections(lines: list[Line], report: CleanReport | None = None) -> Outline:
    """Walk the cleaned lines, opening a card at each question the hierarchy allows."""
    report = report if report is not None else CleanReport()
    elements = classify(lines, report)
    walk = _Walk(report)
    i = 0
    while i < len(lines):
        element = elements.get(i)
        if element is None:
            walk.content(lines[i])
            i += 1
            continue
        walk.element(element, lines[i : element.end + 1])
        i = element.end + 1
    walk.close()
    sections = _drop_duplicates(walk.sections, report)
    topics = _assign_topics(sections, walk.nodes)
    skipped = {"front matter": report.removed["front matter"],
               "table of contents": report.removed["table of contents"]}
    return Outline(sections=sections, skipped=skipped, topics=topics)


class _Walk:
    """The state of the walk: the open heading stack and the card being filled."""

    def __init__(self, report: CleanReport) -> None:
        self.report = report
        self.stack: list[_Node] = []
        self.nodes: dict[int, _Node] = {}
        self.sections: list[Section] = []
        self.current: Section | None = None
        self.part = ""

    def content(self, line: Line) -> None:
        if self.current is not None:
            self.current.lines.append(line.text if line.code else plain(line.text))
            self.current.sources.append(line)
        elif line.text:
            self.report.drop(line, "front matter" if not self.sections else "outside any question")

    def element(self, el: Element, lines: list[Line]) -> None:
        cur = self.current
        if el.kind == "part":
            self.part = _part_name(el.text)
            return
        if el.kind == "toc":
            self.report.drop(lines[0], "table of contents")
            return
        if cur is not None and cur.awaiting and el.question and el.kind in ("q", "line", "bold"):
            if el.kind == "q" or not any(cur.lines):
                cur.question = el.text
                cur.context = len(cur.lines)
                cur.difficulty = cur.difficulty or el.difficulty
                if QUESTION_LABEL.match(cur.heading):
                    cur.heading = el.text
                cur.awaiting = False
                return
        if cur is not None and (cur.level < el.level or self._sub_heading(el)):
            for line in lines:  # a sub-heading, or a question inside this answer
                self.content(line)
            return
        if el.kind == "md" or el.question or el.topic:
            self.close()
            level = el.level - 0.5 if el.topic and el.kind != "md" else el.level
            self.stack = [n for n in self.stack if n.level < level]
            if SCENARIO_PART.match(el.text):
                self.part = "Scenarios"
            if el.question or QUESTION_LABEL.match(el.text):
                self._open(el, lines[0])
            else:
                node = _Node(level, el.text, len(self.nodes))
                self.nodes[node.id] = node
                self.stack.append(node)
            return
        for line in lines:
            self.content(line)

    def _sub_heading(self, el: Element) -> bool:
        """A markdown heading under a bold or plain question, deeper than that question's own
        section, and neither a question nor a topic: a sub-heading of the answer."""
        cur = self.current
        if cur is None or el.kind != "md" or el.question or el.topic or cur.level <= 6:
            return False
        md_levels = [self.nodes[a].level for a in cur.ancestors if self.nodes[a].level <= 6]
        return el.level > max(md_levels, default=0)

    def _open(self, el: Element, line: Line) -> None:
        self.current = Section(
            heading=el.text, part=self.part, difficulty=el.difficulty, line=line.no,
            level=el.level, ancestors=[n.id for n in self.stack],
            awaiting=bool(SCENARIO.match(el.text) or QUESTION_LABEL.match(el.text)))

    def close(self) -> None:
        if self.current is not None:
            self.sections.append(self.current)
            self.current = None


def classify(lines: list[Line], report: CleanReport) -> dict[int, Element]:
    """Heading-like lines by index; a title line becomes a topic when a question follows it."""
    legend = report.legend
    found: dict[int, Element] = {}
    i = 0
    while i < len(lines):
        element = _classify_line(lines, i, legend)
        if element is not None:
            found[i] = element
            i = element.end + 1
        else:
            i += 1
    _accept_numbered_siblings(found)
    _mark_toc_entries(lines, found)
    for el in found.values():
        if not el.question and el.kind in ("title", "bold", "md"):
            el.topic = _question_follows(lines, found, el.end)
    _accept_marked_headings(found)
    return {i: el for i, el in found.items() if el.kind != "title" or el.topic}


def _classify_line(lines: list[Line], i: int, legend: dict[str, str] | None) -> Element | None:
    line = lines[i]
    if line.code or not line.text:
        return None
    text = line.text
    if len(text) > MAX_HEADING_CHARS and not Q_PREFIX.match(plain(text)):
        return None  # a paragraph; a scenario's "Question: ..." may be long
    prev_blank = i == 0 or not lines[i - 1].text or bool(atx(lines[i - 1].text))
    next_blank = i + 1 >= len(lines) or not lines[i + 1].text
    md = atx(text)
    if md:
        clean, level = heading_text(md[1], legend)
        asks = is_question(clean, True) or bool(clean) and is_labelled(md[1])
        return Element("md", md[0], clean, text, i, asks, level)
    bold = bold_line(text)
    if bold is not None and not Q_PREFIX.match(strip_emphasis(bold)):
        clean, level = heading_text(bold, legend)
        return Element("bold", BOLD_LEVEL, clean, text, i, is_question(clean, True), level)
    flat = plain(text)
    if PART_LINE.match(flat) or SCENARIO_PART.match(flat):
        return Element("part", LINE_LEVEL, flat, text, i)
    if Q_PREFIX.match(strip_emphasis(flat)) and not QUESTION_LABEL.match(flat):
        end, joined = wrapped_question(lines, i, ended=False)
        clean, level = heading_text(joined, legend)
        return Element("q", LINE_LEVEL, clean, text, end, bool(clean), level)
    if flat.startswith(("-", "*", "+", "|")):
        return None
    if not prev_blank:  # only a list of numbered questions goes on without blank lines
        above = plain(lines[i - 1].text)
        if not (NUMBERED.match(flat) and NUMBERED.match(above)
                and (above.rstrip().endswith("?") or flat.rstrip().endswith("?"))):
            return None
    return _plain_question(lines, i, next_blank, legend) or _title(flat, text, i)


def _plain_question(lines: list[Line], i: int, next_blank: bool,
                    legend: dict[str, str] | None) -> Element | None:
    flat = plain(lines[i].text)
    end, joined = i, flat
    body = NUMBER_PREFIX.sub("", flat, count=1)
    if (not flat.rstrip().endswith("?") and len(flat) >= 30
            and (QUESTION_START.match(body) or IMPERATIVE.match(body))):
        end, joined = wrapped_question(lines, i)
    clean, level = heading_text(joined, legend)
    standalone = next_blank or end > i
    numbered = bool(NUMBERED.match(flat))
    if is_question(clean, heading=False, standalone=standalone):
        return Element("line", LINE_LEVEL, clean, flat, end, True, level)
    if numbered and (is_question(clean, heading=True) or PROMPT.match(clean)):
        return Element("line", LINE_LEVEL, clean, flat, end, False, level)  # sibling check
    return None


def _title(flat: str, raw: str, i: int) -> Element | None:
    """A short standalone line that could name a section ("Neural Network Basics", "RAG")."""
    words = flat.split()
    if (not words or len(flat) > 70 or len(words) > 10 or flat[-1] in ".,;:?!"
            or not (flat[0].isupper() or flat[0].isdigit()) or NUMBERED.match(flat)
            or not any(c.isalpha() for c in flat) or "://" in flat or is_placeholder(flat)
            or FORMULA.search(flat)):
        return None
    return Element("title", TITLE_LEVEL, heading_text(flat)[0], raw, i)


def _question_follows(lines: list[Line], found: dict[int, Element], end: int) -> bool:
    j = end + 1
    while j < len(lines) and not lines[j].text:
        j += 1
    nxt = found.get(j)
    return nxt is not None and nxt.question


def _accept_marked_headings(found: dict[int, Element]) -> None:
    """A bold or markdown heading with a difficulty marker and no deeper heading under it
    ("**Bias-variance trade-off ⭐️**" over its answer) is a question: guides grade questions."""
    order = sorted(found)
    for k, i in enumerate(order):
        el = found[i]
        if el.question or el.topic or el.difficulty is None or el.kind not in ("bold", "md"):
            continue
        nxt = found[order[k + 1]] if k + 1 < len(order) else None
        el.question = nxt is None or nxt.level <= el.level


def _accept_numbered_siblings(found: dict[int, Element]) -> None:
    """"7. Explain why ..." between "6. What ...?" and "8. How ...?" is a question too."""
    for kind in ("line", "md"):
        numbered = [(el, n) for _, el in sorted(found.items())
                    if el.kind == kind and (n := _number(el)) is not None]
        for k, (el, number) in enumerate(numbered):
            around = [numbered[j] for j in (k - 1, k + 1) if 0 <= j < len(numbered)]
            if not el.question and not el.topic:
                el.question = any(o.question and o.level == el.level and abs(n - number) == 1
                                  for o, n in around)
    for i in [i for i, el in found.items() if el.kind == "line" and not el.question]:
        del found[i]


def _number(el: Element) -> int | None:
    heading = atx(el.raw)
    match = NUMBERED.match(heading[1] if heading else el.raw)
    return int(re.match(r"\d+", match.group(0)).group(0)) if match else None  # type: ignore[union-attr]


def _mark_toc_entries(lines: list[Line], found: dict[int, Element]) -> None:
    """Numbered lines repeating a question that is asked (and answered) elsewhere: a TOC."""
    where: dict[str, list[int]] = {}
    for i, el in found.items():
        if el.question:
            where.setdefault(el.text.lower(), []).append(i)
    for i, line in enumerate(lines):
        flat = plain(line.text)
        if line.code or not NUMBERED.match(flat):
            continue
        entry = heading_text(flat)[0].lower()
        others = [j for j in where.get(entry, []) if j != i]
        if not others and not (len(entry) > 15 and any(
                q.startswith(entry[:-1]) and q != entry for q in where)):
            continue
        if _followed_by_prose(lines, found, found[i].end if i in found else i):
            continue
        found[i] = Element("toc", LINE_LEVEL, entry, flat, i)


def _followed_by_prose(lines: list[Line], found: dict[int, Element], end: int) -> bool:
    j = end + 1
    while j < len(lines) and not lines[j].text:
        j += 1
    if j >= len(lines) or j in found:
        return False
    return not NUMBERED.match(plain(lines[j].text))


def _drop_duplicates(sections: list[Section], report: CleanReport) -> list[Section]:
    """A question repeated right away (a PDF artefact, a TOC line) keeps the copy with content."""
    out: list[Section] = []
    for section in sections:
        if out and _key(out[-1]) == _key(section) and not any(out[-1].lines):
            report.removed["duplicate question"] += 1
            out.pop()
        out.append(section)
    return out


def _key(section: Section) -> str:
    return re.sub(r"\W+", " ", (section.question or section.heading).lower()).strip()


def _assign_topics(sections: list[Section], nodes: dict[int, _Node]) -> list[str]:
    """Each card's topic: its innermost enclosing non-question heading, except the title."""
    shared = set.intersection(*(set(s.ancestors) for s in sections)) if sections else set()
    topics: list[str] = []
    for section in sections:
        own = [a for a in section.ancestors if a not in shared and nodes[a].text]
        if own:
            section.topic = nodes[own[-1]].text
            topics.append(section.topic)
    return list(dict.fromkeys(topics))


def _part_name(text: str) -> str:
    match = PART_LINE.match(text)
    return f"Part {match.group(1)}" if match else "Scenarios"


__all__ = ["SCENARIO_LOOSE", "NUMBERED", "Outline", "Section", "split_sections"]
