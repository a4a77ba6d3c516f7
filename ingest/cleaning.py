"""Explicit cleaning steps for guides converted from PDF: furniture, promotions, broken markup."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

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
]
PROMOTION = [
    r".*\bzep\b.*",
    r"become a part of the team.*",

    r"why don't you (start|explore) .*",
    r"explore our .*program",
    r"ready to take the next steps\?",
    r"we believe these series of guides .*",
]
PART_LINE = re.compile(r"^part\s*-?\s*(\d+)$", re.IGNORECASE)
_FURNITURE_RE = re.compile("^(?:{})$".format("|".join(FURNITURE)), re.IGNORECASE)
_PROMO_RE = re.compile("^(?:{})$".format("|".join(PROMOTION)), re.IGNORECASE)


@dataclass
class CleanReport:
    """What cleaning removed, by reason."""

    removed: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.removed.values())


def normalise_line(line: str) -> str:
    """Fix whitespace, bold markers and broken bullet/number markup on one line."""
    line = line.replace("\u00a0", " ").replace("\t", " ").rstrip()
    line = line.replace("**", "")
    stripped = line.strip()
    # "- oThe generator ..." : a Word bullet glyph that survived conversion
    stripped = re.sub(r"^-\s+o(?=[A-Z])", "- ", stripped)
    # "2.Data Reconstruction" -> "2. Data Reconstruction"
    stripped = re.sub(r"^(\d{1,2})\.(?=[A-Za-z])", r"\1. ", stripped)
    return re.sub(r"[ ]{2,}", " ", stripped)


def is_furniture(line: str) -> bool:
    return bool(_FURNITURE_RE.match(line))


def is_promotion(line: str) -> bool:
    return bool(_PROMO_RE.match(line))


def clean_lines(text: str, report: CleanReport | None = None) -> list[str]:
    """Return normalised lines with furniture and promotions removed; blank lines kept.

    `Part- N` markers are kept (structure uses them); the caller drops them from content.
    """
    report = report if report is not None else CleanReport()
    lines = [normalise_line(raw) for raw in text.splitlines()]
    repeated = _repeated_short_lines(lines)
    out: list[str] = []
    for line in lines:
        if not line:
            out.append("")
        elif PART_LINE.match(line):
            out.append(line)
        elif is_furniture(line) or line in repeated:
            report.removed["page furniture"] += 1
        elif is_promotion(line):
            report.removed["promotion"] += 1
        else:
            out.append(line)
    return out


def _repeated_short_lines(lines: list[str]) -> set[str]:
    """Short lines repeated on many pages (running headers) are furniture."""
    counts = Counter(line for line in lines if line and len(line) < 40)
    return {
        line
        for line, n in counts.items()
        if n >= 4 and not line.startswith(("-", "*")) and not line[0].isdigit()
        and not line.endswith(":")
    }


def dedupe_lines(lines: list[str], report: CleanReport | None = None) -> list[str]:
    """Drop lines repeated within one section, and truncated copies of earlier lines."""
    report = report if report is not None else CleanReport()
    seen: list[str] = []
    out: list[str] = []
    for line in lines:
        key = _dedupe_key(line)
        if key and len(key) > 25:
            if key in seen or any(s.startswith(key) for s in seen):
                report.removed["duplicate line"] += 1
                continue
            seen.append(key)
        out.append(line)
    return out


def _dedupe_key(line: str) -> str:
    key = re.sub(r"^(?:[-*]\s+|\d{1,2}\.\s*)", "", line).strip().lower()
    return re.sub(r"[“”\"']", "", key)
