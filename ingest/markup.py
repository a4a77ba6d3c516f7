"""A guide's text as numbered lines: code and formula blocks kept verbatim, markup normalised.

Each `Line` remembers its number in the source (for the dry-run report) and its page (pages are
separated by form feeds, as the PDF reader writes them).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

FENCE = re.compile(r"^\s*(```|~~~)")
FORMULA_FENCE = re.compile(r"^\s*\$\$\s*$")
ATX = re.compile(r"^(#{1,6})\s+(\S.*?)\s*#*\s*$")
SETEXT = re.compile(r"^(=+|-+)\s*$")
LIST_ITEM = re.compile(r"^(?:[-*+•▪◦●]\s+|\d{1,3}[.)]\s+)")
BOLD_LINE = re.compile(r"^(?:\*\*|__)(?P<text>.+?)(?:\*\*|__)(?P<rest>[^*_]{0,24})$")
TABLE_ROW = re.compile(r"^\|.*\|$")
TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?$")  # |---|:---:|
# [text](url) or [text](url "title"); the url may hold one level of parentheses ("..._(x)")
LINK = re.compile(r"\[([^\]]*)\]\(\s*(<[^>]*>|(?:[^()\s]|\([^()\s]*\))*)"
                  r"(?:\s+[\"'][^\"']*[\"'])?\s*\)")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_SYMBOL_FONT = "\x00-\x08\x0b-\x1f\x7f-\x9f\ue000-\uf8ff"  # control and private-use characters
BULLET_GLYPH = re.compile(rf"^(?:[•▪◦●■□◆◇►▸‣⁃➢➤❖]|[{_SYMBOL_FONT}]+)\s*")
INVISIBLE = re.compile(rf"[{_SYMBOL_FONT}\u00ad]")


@dataclass
class Line:
    """One line of a guide."""

    no: int  # 1-based line number in the text the reader produced
    text: str  # normalised ("" when blank); verbatim inside code and formula blocks
    code: bool = False  # inside a fenced code block or a $$ formula block
    page: int = 0


def normalise_markup(line: str) -> str:
    """Fix whitespace and broken bullet/number markup on one line; markdown is kept.

    Bullet glyphs become "- " list markers; control and private-use characters (a symbol font's
    bullet read as U+007F or U+F0B7) and soft hyphens are removed.
    """
    line = line.replace("\u00a0", " ").replace("\t", " ").replace("\u200b", "").rstrip()
    stripped = line.strip()
    if stripped.startswith(">"):  # a blockquote holds ordinary content
        stripped = stripped.lstrip("> ").strip()
    # "- oThe generator ..." : a Word bullet glyph that survived conversion
    stripped = re.sub(r"^-\s+o(?=[A-Z])", "- ", stripped)
    stripped = BULLET_GLYPH.sub("- ", stripped)
    stripped = INVISIBLE.sub("", stripped).strip()
    # "2.Data Reconstruction" -> "2. Data Reconstruction"
    stripped = re.sub(r"^(\d{1,2})\.(?=[A-Za-z])", r"\1. ", stripped)
    return re.sub(r"[ ]{2,}", " ", stripped)


def read_lines(text: str) -> list[Line]:
    """Split a guide into numbered lines; fenced code and $$ blocks are marked and kept as is."""
    lines: list[Line] = []
    no = 0
    for page, page_text in enumerate(text.split("\f")):
        for raw in page_text.splitlines():
            no += 1
            lines.append(Line(no=no, text=raw, page=page))
    _mark_blocks(lines)
    for line in lines:
        if not line.code:
            line.text = normalise_markup(line.text)
    _setext_headings(lines)
    return lines


def _mark_blocks(lines: list[Line]) -> None:
    """Mark fenced code and $$ formula blocks; an unclosed fence marks nothing."""
    i = 0
    while i < len(lines):
        opener = FENCE.match(lines[i].text) or FORMULA_FENCE.match(lines[i].text)
        if not opener:
            lines[i].text = lines[i].text.rstrip()
            i += 1
            continue
        closing = FENCE if FENCE.match(lines[i].text) else FORMULA_FENCE
        marker = opener.group(1) if closing is FENCE else "$$"
        end = next((j for j in range(i + 1, len(lines))
                    if closing.match(lines[j].text) and marker in lines[j].text), None)
        if end is None:
            lines[i].text = lines[i].text.rstrip()
            i += 1
            continue
        for line in lines[i : end + 1]:
            line.code = True
            line.text = line.text.rstrip()
        i = end + 1


def _setext_headings(lines: list[Line]) -> None:
    """"Title" over "=====" becomes "# Title" ("-----" under text: "## Title")."""
    for i in range(1, len(lines)):
        line, above = lines[i], lines[i - 1]
        match = SETEXT.match(line.text)
        if (line.code or above.code or not match or len(line.text) < 3 or not above.text
                or LIST_ITEM.match(above.text) or above.text.startswith(("#", "|", "<"))):
            continue
        if i >= 2 and lines[i - 2].text and not lines[i - 2].code:
            continue  # a rule under a paragraph, not a one-line title
        above.text = ("# " if match.group(1)[0] == "=" else "## ") + above.text
        line.text = ""


def atx(text: str) -> tuple[int, str] | None:
    """(level, text) of a markdown "## heading" line."""
    match = ATX.match(text)
    return (len(match.group(1)), match.group(2)) if match else None


def bold_line(text: str) -> str | None:
    """The text of a line that is bold as a whole ("**What is X? 👶**", "**What is X?** 👶")."""
    match = BOLD_LINE.match(text)
    if not match or "**" in match.group("text") or "__" in match.group("text"):
        return None
    rest = match.group("rest").strip()
    if rest and any(ch.isalnum() for ch in rest) and not rest.startswith(("(", "[")):
        return None
    return f"{match.group('text')} {rest}".strip()


def strip_links(text: str, words: Callable[[re.Match[str]], str] | None = None) -> str:
    """Markdown links reduced to their words ("[here](https://x#a%20b)" -> "here"), or to what
    `words` makes of each link; code spans are left as they are."""
    if "](" not in text:
        return text
    repl: Callable[[re.Match[str]], str] | str = words or r"\1"
    out, last = [], 0
    for span in _CODE_SPAN.finditer(text):
        out += [LINK.sub(repl, text[last : span.start()]), span.group(0)]
        last = span.end()
    return "".join([*out, LINK.sub(repl, text[last:])])


def plain(text: str) -> str:
    """Body text of a non-code line: bold markers dropped (the index keeps text, not markup)."""
    return text.replace("**", "")


def table_cells(row: str) -> list[str]:
    """A markdown table row's cells, stripped ("| a | b |" -> ["a", "b"])."""
    return [c.strip() for c in row.strip().strip("|").split("|")]
