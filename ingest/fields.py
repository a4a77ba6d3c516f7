"""Field lines under a question: `**Tags:** a,b,c`, `**Question:** <the scenario>`.

Tags (keywords, labels, categories) are metadata: dropped and reported, never content or points.
A "Question:", "Scenario:" or "Prompt:" field at the top of an answer is part of what is asked:
it joins the card's question (what the candidate is shown) and its context, not the answer or
the rubric. Difficulty fields are read by `cards` (`DIFFICULTY_LINE`), as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tutor.ingest.cleaning import CleanReport
from tutor.ingest.headings import DIFFICULTY_LINE, strip_emphasis
from tutor.ingest.markup import FENCE
from tutor.ingest.structure import Section

# At the top of an answer any of these labels a metadata field; further down only tags and
# keywords do ("Labels: the ground-truth values ..." can be a point of an answer about data).
TOP_TAGS = re.compile(r"^(?:tags?|keywords?|key ?words|labels?|categor(?:y|ies))\s*:\s*(.+)$",
                      re.IGNORECASE)
TAGS = re.compile(r"^(?:tags?|keywords?|key ?words)\s*:\s*(.+)$", re.IGNORECASE)
ASKED = re.compile(r"^(?:question|scenario|prompt|context|situation|task)\s*:\s*(\S.*)$",
                   re.IGNORECASE)
MAX_TAG_WORDS = 4  # "precision-noise", "scaling laws": a tag is a term, not a sentence


@dataclass
class Fields:
    """An answer's lines split into what is asked, what is metadata, and the answer itself."""

    asked: list[str] = field(default_factory=list)  # field lines (verbatim) the question gains
    answer: list[str] = field(default_factory=list)

    @property
    def asked_text(self) -> str:
        """The asked fields' words, without their labels."""
        return " ".join(ASKED.match(strip_emphasis(ln)).group(1)  # type: ignore[union-attr]
                        for ln in self.asked)


def read_fields(section: Section, report: CleanReport) -> Fields:
    """Split the section's answer lines (after its context) into asked fields, dropped tag
    lines (reported with their line numbers) and the answer."""
    out = Fields()
    top = True  # still in the leading block of field lines
    fence = False
    for i in range(section.context, len(section.lines)):
        line = section.lines[i]
        source = section.sources[i] if i < len(section.sources) else None
        fence = fence != bool(FENCE.match(line))
        text = strip_emphasis(line).strip()
        if source is not None and source.code or fence:
            top = top and not text
        elif _is_tags(text, TOP_TAGS if top else TAGS):
            if source is not None:
                report.drop(source, "metadata (tags)")
            else:
                report.removed["metadata (tags)"] += 1
            continue
        elif top and ASKED.match(text):
            out.asked.append(line)
            continue
        elif text and not DIFFICULTY_LINE.match(text):
            top = False
        out.answer.append(line)
    return out


def _is_tags(text: str, pattern: re.Pattern[str]) -> bool:
    match = pattern.match(text)
    if not match or match.group(1).rstrip().endswith((".", "?", "!", ":")):
        return False
    terms = re.split(r"[,;|]|\s#", match.group(1))
    return all(0 < len(t.split()) <= MAX_TAG_WORDS for t in terms)
