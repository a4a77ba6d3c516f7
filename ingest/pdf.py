"""PDF text with pypdf's layout mode: two-column pages read column by column, wrapped lines
joined into paragraphs, pages separated by form feeds (running headers and footers are then
found by `cleaning`, by frequency at page edges)."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

from tutor.ingest.headings import IMPERATIVE, NUMBER_PREFIX, QUESTION_START
from tutor.ingest.wrapping import SENTENCE_END, Spellings, join_broken, open_ended

from tutor.core.errors import InputError

log = logging.getLogger(__name__)
MIN_COLUMN_LINES = 6  # two-sided lines a page needs before it is read as two columns
FULL_LINE = 0.75  # a line this close to the column width wraps into the next one
# a bullet: markdown or typographic, or a symbol-font glyph read as a control or private-use
# character (U+007F, U+F0B7)
_LIST = re.compile(r"^(?:[-*•▪◦●■□◆◇►▸‣⁃➢➤❖]\s|[\x00-\x1f\x7f-\x9f\ue000-\uf8ff]|"
                   r"\d{1,3}[.)]\s|[A-Za-z][.)]\s|Q\d*[:.]|A:)")
_SPREAD = re.compile(r"\S {4,}\S")  # parts of one line set far apart: header, footer
_HYPHEN_END = re.compile(r"[A-Za-z]-$")


def pdf_text(path: Path, raw: bytes) -> str:
    """The text of a PDF, one page per form feed.

    Raises:
        InputError: not a PDF, unreadable, or no text layer (OCR is needed).
    """
    if not raw.startswith(b"%PDF"):
        raise InputError(f"{path} is not a valid PDF: re-export it or pass a .txt version")
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        extracted = [_extract(page) for page in reader.pages]
    except (PdfReadError, ValueError, KeyError) as exc:
        raise InputError(f"{path} could not be parsed as PDF ({exc}): re-export it") from exc
    spellings = Spellings.of("\n".join(text for text, _ in extracted))
    pages = [_page_text(text, spellings) if layout else text for text, layout in extracted]
    if not any(p.strip() for p in pages):
        raise InputError(
            f"{path} has no text layer (scanned images?): OCR is needed first, e.g. "
            f"`ocrmypdf {path.name} {path.stem}-ocr.pdf`, then ingest that file; nothing indexed"
        )
    return "\f".join(pages)


def _extract(page: object) -> tuple[str, bool]:
    """The page's text, and whether it is in layout mode (else plain stream order)."""
    try:
        return page.extract_text(extraction_mode="layout"), True  # type: ignore[attr-defined]
    except Exception as exc:  # noqa: BLE001 - layout mode is best effort; plain mode is not
        log.info("layout extraction failed (%s); reading the page in stream order", exc)
        return page.extract_text() or "", False  # type: ignore[attr-defined]


def _page_text(layout: str, spellings: Spellings | None = None) -> str:
    return "\n".join(paragraphs(block, spellings) for block in columns(layout.splitlines()))


def columns(lines: list[str]) -> list[list[str]]:
    """Blocks in reading order: a two-column page gives its left, then its right column
    (lines spanning the gutter, such as titles, stay where they are)."""
    lines = [ln.rstrip() for ln in lines]
    gutter = _gutter(lines)
    if gutter is None:
        return [lines]
    start, end = gutter
    blocks: list[list[str]] = []
    left: list[str] = []
    right: list[str] = []
    for line in lines:
        if line[start:end].strip():  # spans the gutter
            blocks += [left, right, [line]]
            left, right = [], []
        else:
            left.append(line[:start])
            right.append(line[end:])
    return [b for b in [*blocks, left, right] if any(x.strip() for x in b)]


def _gutter(lines: list[str]) -> tuple[int, int] | None:
    """The widest run of character columns in the middle third that no text line crosses."""
    text = [ln for ln in lines if ln.strip()]
    width = max((len(ln) for ln in text), default=0)
    if len(text) < MIN_COLUMN_LINES or width < 40:
        return None
    lo, hi = int(width * 0.3), int(width * 0.7)
    crossing = [sum(1 for ln in text if c < len(ln) and ln[c] != " ") for c in range(lo, hi)]
    allowed = max(1, len(text) // 20)  # a title or a centred footer may cross
    best: tuple[int, int] | None = None
    run_start = None
    for offset, n in enumerate([*crossing, allowed + 1]):
        if n <= allowed and run_start is None:
            run_start = offset
        elif n > allowed and run_start is not None:
            if best is None or offset - run_start > best[1] - best[0]:
                best = (run_start, offset)
            run_start = None
    if best is None or best[1] - best[0] < 2:
        return None
    fewest = min(crossing[best[0] : best[1]])  # narrow it to where fewest lines cross
    inside = [best[0] + k for k, n in enumerate(crossing[best[0] : best[1]]) if n == fewest]
    start, end = lo + inside[0], lo + inside[-1] + 1
    both = sum(1 for ln in text if ln[:start].strip() and ln[end:].strip())
    return (start, end) if both >= MIN_COLUMN_LINES else None


def paragraphs(lines: list[str], spellings: Spellings | None = None) -> str:
    """Wrapped lines joined into one line per paragraph; paragraphs separated by a blank line.

    A line continues the previous paragraph when that line ran (nearly) to the column's width
    (unless a new sentence follows a finished one), or when the paragraph stops where no
    sentence can (lower case next, a comma, a function word, a word broken at a hyphen, an open
    parenthesis, a numbered question whose "?" is on this line). List items start anew. A word
    broken at a hyphen keeps it when it is the word's own (see `wrapping.join_broken`).
    """
    stripped = [ln.strip() for ln in lines]
    # the width of the prose: not the running header "Title      Series" spread over the page
    prose = [len(s) for s in stripped if s and not _SPREAD.search(s)]
    lengths = sorted(prose or [len(s) for s in stripped if s])
    width = lengths[int(len(lengths) * 0.9)] if lengths else 0  # a long title does not count
    out: list[str] = []
    full = False
    for line in stripped:
        if not line:
            if out and out[-1]:
                out.append("")
            full = False
            continue
        if out and out[-1] and not _LIST.match(line) and _continues(out[-1], line, full):
            out[-1] = (join_broken(out[-1], line, spellings) if _HYPHEN_END.search(out[-1])
                       and line[0].isalnum() else f"{out[-1]} {line}")
        else:
            if out and out[-1]:
                out.append("")
            out.append(line)
        full = len(line) >= FULL_LINE * width
    return "\n".join(out)


def _continues(paragraph: str, line: str, full: bool) -> bool:
    if paragraph.endswith(SENTENCE_END):
        return full and not line[0].isupper()
    return (full or line[0].islower() or open_ended(paragraph)
            or "?" in line and _open_question(paragraph))


def _open_question(paragraph: str) -> bool:
    """"7. What are the challenges of fine-tuning" (its "LLMs?" on the next line)."""
    body = NUMBER_PREFIX.sub("", paragraph, count=1)
    return (body != paragraph and "?" not in paragraph
            and bool(QUESTION_START.match(body) or IMPERATIVE.match(body)))
