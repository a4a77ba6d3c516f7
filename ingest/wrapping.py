"""Lines broken by wrapping: when a line clearly continues the one above, where a wrapped
question ends, and how a word broken at a line-end hyphen is put back together.

A hyphen at the end of a line is either the word's own ("fine-\\ntuning") or one a typesetter
added to break a long word ("resp-\\nonses"). The document decides first: the spelling it uses
elsewhere wins. Without such evidence, the joined form wins when it is a known English word
(wordfreq) more common than the hyphenated pair, or when neither half is a word of its own.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from tutor.ingest.headings import A_PREFIX
from tutor.ingest.markup import LIST_ITEM, Line, atx, plain

COMMON_ZIPF = 3.0  # a joined form at least this common is a word in its own right ("default")
_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
_BROKEN = re.compile(r"[A-Za-z]+-[ \t]*\n")  # "fine-" at a line end: no evidence either way
FUNCTION_WORD = re.compile(
    r"(?:,|\b(?:the|a|an|of|and|or|to|with|in|on|for|by|from|as|at|is|are|be|that|which|"
    r"its|their|this|these|than|into|per|via|when|where|while|if|but|not|can|will))$")
_BROKEN_WORD = re.compile(r"([A-Za-z]+)-$")
SENTENCE_END = (".", "?", "!", ":", ";")


@dataclass
class Spellings:
    """How often a document writes each word and each hyphenated pair (lower case)."""

    counts: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, text: str) -> Spellings:
        counts: Counter[str] = Counter()
        for token in _WORD.findall(_BROKEN.sub("\n", text)):
            parts = token.lower().split("-")
            if len(parts) == 1:
                counts[parts[0]] += 1
            # "market-mix-model" writes "market-mix" and "mix-model"
            counts.update(f"{a}-{b}" for a, b in zip(parts, parts[1:], strict=False))
        return cls(counts)


def join_broken(left: str, right: str, spellings: Spellings | None = None) -> str:
    """`left` ends in "word-", `right` starts the next line: one string, hyphen kept or not."""
    match = _BROKEN_WORD.search(left)
    head = match.group(1) if match else ""
    tail = re.match(r"[A-Za-z]+", right)
    if not head or not tail or not right[0].islower():  # "GPT-" "4", "Fine-" "Tuning"
        return left + right
    return (left + right) if keeps_hyphen(head, tail.group(0), spellings) else left[:-1] + right


def keeps_hyphen(head: str, tail: str, spellings: Spellings | None = None) -> bool:
    """Is "head-tail", broken at a line end, a hyphenated word (rather than "headtail")?"""
    hyphenated, joined = f"{head}-{tail}".lower(), (head + tail).lower()
    if spellings is not None:
        written, glued = spellings.counts[hyphenated], spellings.counts[joined]
        if written != glued:
            return written > glued
    known = _zipf(joined)
    if known >= COMMON_ZIPF or known > _zipf(hyphenated):
        return False
    return bool(_zipf(head) or _zipf(tail))  # two fragments ("hyperpa", "rameters"): one word


def open_ended(text: str) -> bool:
    """Does this line stop where its sentence cannot: after a comma, a function word, a word
    broken at a hyphen, or inside an open parenthesis?"""
    text = text.rstrip()
    if not text or text.endswith(SENTENCE_END):
        return False
    return bool(FUNCTION_WORD.search(text) or _BROKEN_WORD.search(text)
                or text.count("(") > text.count(")"))


def wrapped_question(lines: list[Line], i: int, max_lines: int = 3, ended: bool = True
                     ) -> tuple[int, str]:
    """A question wrapped over up to three lines: (index of its last line, joined text).

    It runs to the line that ends with "?"; with `ended=False` (a "Q:" line, which needs no
    "?") also over lines that clearly continue it ("... Error (MAPE)" + "along with ...").
    """
    parts = [plain(lines[i].text)]
    sure = i
    for j in range(i + 1, min(i + max_lines, len(lines))):
        if parts[-1].rstrip().endswith("?"):
            break
        nxt = plain(lines[j].text)
        if (not nxt or lines[j].code or A_PREFIX.match(nxt) or LIST_ITEM.match(nxt)
                or len(nxt) > 200 or atx(nxt)):
            break
        if not ended and sure == j - 1 and (nxt[0].islower() or open_ended(parts[-1])):
            sure = j
        parts.append(nxt)
        if nxt.rstrip().endswith("?"):
            return j, " ".join(parts)
    return sure, " ".join(parts[: sure - i + 1])


@lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))
