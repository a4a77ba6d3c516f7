"""What not to do: the lists a guide labels as pitfalls, mistakes or anti-patterns.

Under "Common pitfalls:" a guide lists what a candidate should *not* say or do. The items stay
in the reference answer (they are worth reading) but are never key points a candidate is
expected to make. The lexicon is small on purpose: labels that can only announce don'ts.
"Problems:", "Limitations:" or "What can go wrong:" are left out, since a question may ask for
exactly those.
"""

from __future__ import annotations

import re

from tutor.ingest.headings import strip_emphasis
from tutor.ingest.markup import FENCE, LIST_ITEM, atx

CAUTION_LABEL = re.compile(
    r"^(?:(?:common|typical|frequent|classic|usual)\s+)?"
    r"(?:pitfalls?|mistakes?|misconceptions?|anti-?patterns?|red flags|don['’]?ts|"
    r"things to avoid|what not to do|what to avoid|avoid)"
    r"(?:\s+to\s+avoid)?$", re.IGNORECASE)
_LABELLED = re.compile(r"^([^:]{3,40}):\s*(.*)$")


def is_caution_label(text: str) -> bool:
    """Does this label ("Common pitfalls", "Mistakes to avoid:", "**Common mistakes.**")
    announce what not to do?"""
    return bool(CAUTION_LABEL.match(strip_emphasis(text).strip().rstrip(":.").strip()))


def caution_rows(rows: list[str]) -> set[int]:
    """Indices of the rows a what-not-to-do label covers: the label itself, the list after a
    "Common pitfalls:" line (up to the next line that is not a list item), everything under a
    "### Pitfalls" heading (up to the next heading), and a "Pitfalls: ..." line."""
    out: set[int] = set()
    mode: str | None = None  # "list" under a label line, "heading" under a heading
    fence = False
    for i, row in enumerate(rows):
        text = row.strip()
        if FENCE.match(text) or fence:  # code is no label; under a caution heading it goes too
            fence = fence != bool(FENCE.match(text))
            if mode == "heading":
                out.add(i)
            else:
                mode = None
            continue
        heading = atx(text)
        if heading:
            mode = "heading" if is_caution_label(heading[1]) else None
        elif not text:
            continue
        elif is_caution_label(text):
            mode = "list"
        elif (labelled := _LABELLED.match(strip_emphasis(text))) and \
                is_caution_label(labelled.group(1)):
            mode = "list" if not labelled.group(2) else None
            out.add(i)
            continue
        elif mode == "list" and not LIST_ITEM.match(text):
            mode = None
        if mode:
            out.add(i)
    return out


def cautioned(body: str) -> set[str]:
    """The body's rows under a what-not-to-do label, without list markers (to match the items
    a rubric cuts from them)."""
    rows = body.split("\n")
    return {LIST_ITEM.sub("", rows[i].strip()).strip().rstrip(",;") for i in caution_rows(rows)}
