"""Boilerplate: lines a guide repeats under many of its questions are its template, not content.

A guide written from a template ("What a strong answer includes:" and the same bullets under
every question) would otherwise give every card the same key points, and reciting the template
would score on any question. A line or list item found verbatim (markup aside) in at least
`MIN_CARDS` cards and in more than `MIN_SHARE` of them is dropped from every card and reported
("repeated in N cards"). Code is content and is never counted, nor is a difficulty field
("Difficulty: Medium" repeats because levels are few; `cards` reads it), nor is a label line
("Advantages:"): a guide may label every answer alike, and the items under it are its content.
"""

from __future__ import annotations

from collections import Counter

from tutor.ingest.cleaning import CleanReport
from tutor.ingest.headings import A_PREFIX, DIFFICULTY_LINE, is_label, strip_emphasis
from tutor.ingest.markup import LIST_ITEM, atx
from tutor.ingest.structure import Section

# Honest repetition is local: a definition restated under two or three related questions. A
# template line sits under (nearly) every question. More than a quarter of the cards separates
# the two at any guide size; the floor of three cards keeps a sentence two neighbouring
# questions share from counting as template in a short guide.
MIN_CARDS = 3
MIN_SHARE = 0.25


def drop_repeated(sections: list[Section], report: CleanReport) -> None:
    """Remove template lines from every section (in place), each reported with its line."""
    cards_with: Counter[str] = Counter()
    for section in sections:
        cards_with.update({key for _, key in _keyed(section)})
    least = max(MIN_CARDS, int(len(sections) * MIN_SHARE) + 1)
    repeated = {key: n for key, n in cards_with.items() if n >= least}
    if not repeated:
        return
    for section in sections:
        gone = {i: repeated[key] for i, key in _keyed(section) if key in repeated}
        for i, n in gone.items():
            reason = f"repeated in {n} cards"
            if i < len(section.sources):
                report.drop(section.sources[i], reason, section.lines[i])
            else:
                report.removed[reason] += 1
        section.context -= sum(i < section.context for i in gone)
        section.lines = [ln for i, ln in enumerate(section.lines) if i not in gone]
        section.sources = [ln for i, ln in enumerate(section.sources) if i not in gone]


def _keyed(section: Section) -> list[tuple[int, str]]:
    """(index, comparison key) of the section's text lines outside code blocks."""
    out = []
    for i, text in enumerate(section.lines):
        if i < len(section.sources) and section.sources[i].code:
            continue
        key = _key(text)
        if any(c.isalpha() for c in key) and not DIFFICULTY_LINE.match(key) \
                and A_PREFIX.sub("", key) and not is_label(key):
            out.append((i, key))
    return out


def _key(text: str) -> str:
    heading = atx(text.strip())
    text = heading[1] if heading else LIST_ITEM.sub("", text.strip())
    return " ".join(strip_emphasis(text).split()).lower()
