"""Explicit cleaning: page furniture, promotions, tables of contents, link lists, badges, HTML.

Every dropped line is recorded with its line number and reason, so `tutor ingest --dry-run`
can show what was removed and why. Code and formula blocks are content and never touched.
Kept lines lose what is not text: a link keeps its words, not its address (see `markup` for
bullet glyphs and control characters), and a sentence that only points elsewhere ("The rest of
the answer is [here](...)") goes (`pointers`). Lines repeated under many questions are found once
the questions are known (`boilerplate`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from tutor.ingest.headings import Difficulty, is_placeholder, parse_legend, strip_emphasis
from tutor.ingest.markup import (
    FENCE,
    LINK,
    LIST_ITEM,
    Line,
    normalise_markup,
    plain,
    read_lines,
)
from tutor.ingest.pointers import split_pointers
from tutor.ingest.wrapping import Spellings

# Page furniture and promotions seen in PDF-converted guides. Matched on whole lines.
FURNITURE = [
    r"zep analytics",
    r"table of contents",
    r"genai",
    r"comprehensive guide to interviews for gen ?ai",
    r"\[explore\]\(#\)",
    r"explore",
    r"the end",
    r"learn gen ai from scratch",
    r"page \d+( of \d+)?",
    r"\d{1,3}",
    r"\d{1,3}\s*(?:/|of)\s*\d{1,3}",
    r"[-–—]\s*\d{1,3}\s*[-–—]",
]
PROMOTION = [
    r".*\bzep\b.*",
    r"become a part of the team.*",
    r"why don't you (start|explore) .*",
    r"explore our .*program",
    r"ready to take the next steps\?",
    r"we believe these series of guides .*",
    r"(?:subscribe|follow (?:us|me)|join our|sign up|buy me a coffee|sponsored by|"
    r"star this repo|if you (?:like|liked|found) this)\b.{0,80}",
    r".{0,60}\b(?:follow (?:me|us) on|star (?:this|the) repo|buy me a coffee|"
    r"subscribe to)\b.{0,60}",
]
PART_LINE = re.compile(r"^part\s*-?\s*(\d+)$", re.IGNORECASE)
TOC_TITLE = re.compile(r"^(?:table of contents|contents|toc|index|outline)$", re.IGNORECASE)
LEADER = re.compile(r"(?:\.\s?){4,}\s*\d{1,4}\s*$|\s[.·…_]{3,}\s*\d{1,4}\s*$")
IMAGE = re.compile(r"\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)|!\[[^\]]*\]\([^)]*\)|<img\b[^>]*>",
                   re.IGNORECASE)
HTML_TAG = re.compile(
    r"</?(?:div|p|br|span|a|details|summary|center|b|i|strong|em|sup|sub|h[1-6]|table|tr|td|"
    r"th|tbody|thead|ul|ol|li|hr|picture|source|kbd|font|section|article|header|footer|nav|"
    r"figure|figcaption|blockquote|u|small|big|mark|del|ins|s)\b[^>]*/?>", re.IGNORECASE)
RULE = re.compile(r"^(?:[-*_]\s*){3,}$")
DUPLICATE = "duplicate line"
POINTER = "pointer to elsewhere"  # "The rest of the answer is [here](...)" (see `pointers`)
_FURNITURE_RE = re.compile("^(?:{})$".format("|".join(FURNITURE)), re.IGNORECASE)
_PROMO_RE = re.compile("^(?:{})$".format("|".join(PROMOTION)), re.IGNORECASE)


@dataclass
class Dropped:
    """A line removed from the guide, and why."""

    line: int
    text: str
    reason: str


@dataclass
class CleanReport:
    """What cleaning removed, by reason (with line numbers), and what it learnt on the way."""

    removed: Counter[str] = field(default_factory=Counter)
    dropped: list[Dropped] = field(default_factory=list)
    legend: dict[str, Difficulty] | None = None
    spellings: Spellings | None = None  # how the guide writes its words (hyphens at wraps)

    @property
    def total(self) -> int:
        return sum(self.removed.values())

    def drop(self, line: Line | None, reason: str, text: str | None = None) -> None:
        self.removed[reason] += 1
        if line is not None:
            self.dropped.append(Dropped(line.no, (text or line.text)[:200], reason))


def normalise_line(line: str) -> str:
    """Fix whitespace, bold markers and broken bullet/number markup on one line."""
    return normalise_markup(plain(line))


def is_furniture(line: str) -> bool:
    return bool(_FURNITURE_RE.match(line))


def is_promotion(line: str) -> bool:
    return bool(_PROMO_RE.match(line))


def clean_lines(text: str, report: CleanReport | None = None) -> list[str]:
    """Return normalised lines with furniture and promotions removed; blank lines kept.

    `Part- N` markers are kept (structure uses them); the caller drops them from content.
    """
    return [plain(line.text) for line in clean(read_lines(text), report)]


def clean(lines: list[Line], report: CleanReport | None = None) -> list[Line]:
    """Drop noise lines (recorded in `report`); markup of content lines is kept."""
    report = report if report is not None else CleanReport()
    report.spellings = Spellings.of("\n".join(ln.text for ln in lines))
    lines = _drop_closing_note(_strip_html_and_images(lines, report), report)
    repeated = _running_lines(lines)
    out: list[Line] = []
    last = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        skip = _drop_toc(lines, i, report) or _drop_link_list(lines, i, report)
        if skip:
            i += skip
            continue
        i += 1
        reason = None if line.code or not line.text else _noise_reason(line, repeated, report)
        if not reason and not line.code and len(line.text) > 20 and line.text == last:
            reason = DUPLICATE  # the same line twice in a row: a conversion artefact
        if reason:
            report.drop(line, reason)
            continue
        kept = _kept_text(line, report)
        if kept is not None:
            out.append(kept)
            last = line.text if line.text else last
    return out


def _kept_text(line: Line, report: CleanReport) -> Line | None:
    """A content line as kept: a link keeps its words, not its address ("%20large" is no key
    term); sentences that only point elsewhere go (None when nothing else is left)."""
    if line.code or not line.text:
        return line
    text, pointers = split_pointers(line.text)
    for sentence in pointers:
        report.drop(line, POINTER, sentence)
    return Line(line.no, text, False, line.page) if text else None


def _noise_reason(line: Line, repeated: set[str], report: CleanReport) -> str | None:
    text = plain(line.text)
    if PART_LINE.match(text):
        return None
    if RULE.match(text):
        return "horizontal rule"
    if LEADER.search(text):
        return "table of contents"
    legend = parse_legend(text)
    if legend:
        report.legend = {**(report.legend or {}), **legend}
        return "legend"
    if is_furniture(text):
        return "page furniture"
    if _page_key(text) in repeated:  # "Answer here" under many questions is no furniture
        return "placeholder (no answer)" if is_placeholder(text) else "page header/footer"
    if is_promotion(text):
        return "promotion"
    return None


def _strip_html_and_images(lines: list[Line], report: CleanReport) -> list[Line]:
    """Remove HTML comments, wrappers and images/badges; keep the words inside tags."""
    out: list[Line] = []
    in_comment = False
    for line in lines:
        if line.code or not line.text:
            out.append(line)
            continue
        text, in_comment = _strip_comments(line.text, in_comment)
        text = re.sub(r"<summary>\s*(.*?)\s*</summary>", r"**\1**", text, flags=re.I)
        text = re.sub(r"<h([1-6])\b[^>]*>(.*?)</h\1>", lambda m: "#" * int(m.group(1)) + " "
                      + m.group(2), text, flags=re.I)
        had_image = bool(IMAGE.search(text))
        text = IMAGE.sub("", text)
        had_tag = bool(HTML_TAG.search(text))
        text = normalise_markup(HTML_TAG.sub("", text)) if had_tag or had_image else text
        if text.strip("# "):
            out.append(Line(line.no, text, line.code, line.page))
        else:
            report.drop(line, "image or badge" if had_image else "html")
    return out


def _drop_closing_note(lines: list[Line], report: CleanReport) -> list[Line]:
    """A few short lines after the guide's last horizontal rule ("Made with love by ...")."""
    rules = [i for i, ln in enumerate(lines) if not ln.code and RULE.match(ln.text)]
    if not rules:
        return lines
    tail = [ln for ln in lines[rules[-1] + 1 :] if ln.text]
    if not tail or len(tail) > 3 or any(
            ln.code or len(ln.text) > 150 or ln.text.startswith(("#", "**", "|"))
            or ln.text.rstrip().endswith("?") for ln in tail):
        return lines
    for line in tail:
        report.drop(line, "closing note")
    return lines[: rules[-1] + 1]


def _strip_comments(text: str, in_comment: bool) -> tuple[str, bool]:
    out = ""
    while text:
        if in_comment:
            end = text.find("-->")
            if end < 0:
                return out.strip(), True
            text, in_comment = text[end + 3:], False
        else:
            start = text.find("<!--")
            if start < 0:
                return (out + text).strip(), False
            out, text, in_comment = out + text[:start], text[start + 4:], True
    return out.strip(), in_comment


def _drop_toc(lines: list[Line], i: int, report: CleanReport) -> int:
    """A "Table of contents" title and the entries under it; returns how many lines to skip."""
    title = strip_emphasis(plain(lines[i].text).lstrip("#").strip()).rstrip(":")
    if lines[i].code or not TOC_TITLE.match(title):
        return 0
    end = i + 1
    while end < len(lines) and (not lines[end].text or _is_entry(lines[end])):
        end += 1
    while end > i + 1 and not lines[end - 1].text:
        end -= 1
    for line in lines[i:end]:
        if line.text:
            report.drop(line, "table of contents")
    return end - i


def _is_entry(line: Line) -> bool:
    text = plain(line.text)
    if line.code or len(text) > 160:
        return False
    return bool(LEADER.search(text) or LINK.fullmatch(text.lstrip("-*+ ").strip())
                or (LIST_ITEM.match(text) and not text.endswith((".", ":"))))


def _drop_link_list(lines: list[Line], i: int, report: CleanReport) -> int:
    """Runs of list items that are only links (tables of contents, "further reading")."""
    end = i
    while end < len(lines) and _is_link_item(lines[end]):
        end += 1
    if end - i < 2 and not (end > i and _is_nav_bar(lines[i].text)):
        return 0
    anchors = all(LINK.search(ln.text).group(2).startswith("#")  # type: ignore[union-attr]
                  for ln in lines[i:end])
    for line in lines[i:end]:
        report.drop(line, "table of contents" if anchors else "link list")
    return end - i


def _is_link_item(line: Line) -> bool:
    if line.code or not line.text:
        return False
    text = line.text
    if _is_nav_bar(text):
        return True
    item = re.sub(r"^(?:[-*+]\s+|\d{1,3}[.)]\s+)", "", text).strip()
    links = LINK.findall(item)
    if not links or item == text and not LINK.fullmatch(item):
        return False
    rest = LINK.sub("", item).strip(" -–—:|·,")
    return len(rest) <= 40 and not rest.endswith("?")


def _is_nav_bar(text: str) -> bool:
    links = LINK.findall(text)
    return len(links) >= 3 and len(LINK.sub("", text).strip(" |·•-–—,")) <= 10


def _page_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower()).strip()


def _running_lines(lines: list[Line]) -> set[str]:
    """Running headers and footers: lines repeated at page edges, or short lines repeated often."""
    pages: dict[int, list[Line]] = {}
    for line in lines:
        if line.text and not line.code:
            pages.setdefault(line.page, []).append(line)
    found: set[str] = set()
    if len(pages) >= 2:
        at_edges = [{plain(ln.text) for ln in page[:2] + page[-2:]} for page in pages.values()]
        edges = Counter(key for texts in at_edges for key in {_page_key(t) for t in texts})
        found = {k for k, n in edges.items() if len(k) < 100
                 and not k.endswith((".", "?", "!", ":"))  # sentences are not furniture
                 and (n >= max(3, len(pages) // 2) and len(pages) >= 3
                      or n == len(pages) and _counts_pages(k, at_edges))}
    # Without page breaks: the same short line four times or more (exact text: numbered
    # lines such as "Example 3" differ; page numbers are furniture patterns of their own)
    counts = Counter(plain(ln.text) for page in pages.values() for ln in page
                     if _may_repeat(ln.text))
    return found | {_page_key(text) for text, n in counts.items() if n >= 4}


def _counts_pages(key: str, at_edges: list[set[str]]) -> bool:
    """On a short PDF (too few pages to see a line repeat often): does the line on every page's
    edge carry a number that counts the pages ("Notes - page 1", "Notes - page 2")?"""
    if "#" not in key:
        return False
    numbers = [next((re.findall(r"\d+", t) for t in texts if _page_key(t) == key), [])
               for texts in at_edges]
    return any(all(len(n) > j and int(n[j]) == int(numbers[0][j]) + i
                   for i, n in enumerate(numbers))
               for j in range(len(numbers[0])))


def _may_repeat(raw: str) -> bool:
    """Could this line be a running header? Headings, list items and labels are content."""
    text = plain(raw)
    return (len(text) < 80 and not raw.startswith(("-", "*", "#", "|", "$", "`", "+", "_"))
            and not text[0].isdigit() and not text.endswith((":", "?", "."))
            and not LIST_ITEM.match(text) and not PART_LINE.match(text))


def dedupe_lines(lines: list[str], report: CleanReport | None = None,
                 sources: Sequence[Line] = ()) -> list[str]:
    """Drop lines repeated within one section, and truncated copies of earlier lines: what a
    PDF conversion leaves when it prints a block twice (two columns, a page break). Code blocks
    are left alone (an example may show the same line twice on purpose). Each removal is listed
    in `report` with its line in the guide, found among `sources` (the section's lines)."""
    report = report if report is not None else CleanReport()
    seen: list[str] = []
    out: list[str] = []
    fenced = False
    for line in lines:
        if FENCE.match(line):
            fenced = not fenced
        key = "" if fenced else _dedupe_key(line)
        if key and len(key) > 25:
            if key in seen or any(s.startswith(key) for s in seen):
                removed = sum(d.reason == DUPLICATE and _dedupe_key(d.text)[:40] == key[:40]
                              for d in report.dropped)
                report.drop(_source_of(key, sources, removed + 1), DUPLICATE, line)
                continue
            seen.append(key)
        out.append(line)
    return out


def _source_of(key: str, sources: Sequence[Line], nth: int) -> Line | None:
    """The guide line behind the `nth` copy (0: the first) of a line whose dedupe key is `key`
    (a wrapped line's first part matches it too)."""
    found = [ln for ln in sources if not ln.code and ln.text
             and (k := _dedupe_key(plain(ln.text))) and len(k) > 10
             and (key.startswith(k) or k.startswith(key[:40]))]
    return found[min(nth, len(found) - 1)] if found else None


def _dedupe_key(line: str) -> str:
    key = re.sub(r"^(?:[-*]\s+|\d{1,2}\.\s*)", "", line).strip().lower()
    return re.sub(r"[“”\"']", "", key)
