"""Multiple-choice answers: options listed, then the correct one stated ("Answer: 2) Pooling").

The options are part of what is asked (a candidate cannot pick without them) and join the card's
question; the stated answer and its explanation are the answer, so a distractor never becomes a
point. "Answer: B" alone is read as the option it names ("The correct answer is B) ...").
"""

from __future__ import annotations

import re

from tutor.ingest.headings import strip_emphasis

# "1. Dropout", "b) Pooling", "(c) Data augmentation", "- A. Early stopping": a short option
OPTION = re.compile(r"^(?:[-*•]\s+)?(?:\(([a-hA-H1-9])\)|([a-hA-H1-9])[.)])\s+(\S.{0,79})$")
# "Answer: 2) Pooling", "Correct answer - b", "The correct option is (c) ..."
STATED = re.compile(r"^(?:(?:the\s+)?correct\s+(?:answer|option|choice)|ans(?:wer)?)"
                    r"(?:\s+is)?\s*[:\-–—]?\s*(?=\S)", re.IGNORECASE)
MIN_OPTIONS = 2
MAX_OPTION_WORDS = 12


def split_choices(lines: list[str]) -> tuple[list[str], list[str]]:
    """(options, answer lines) of a multiple-choice answer; ([], lines) for any other answer.

    A run of two or more short options followed (blank lines aside) by a line stating which
    one is correct; an answer naming only the option's mark gets the option's text."""
    found = _options_run(lines)
    if found is None:
        return [], lines
    start, end, stated = found
    options = [strip_emphasis(ln).strip() for ln in lines[start:end] if ln.strip()]
    line = lines[stated]
    text = strip_emphasis(line).strip()
    rest = text[STATED.match(text).end():]  # type: ignore[union-attr]
    named = _named_option(rest, options)
    answer = lines[:start] + lines[end:stated] + [named or line] + lines[stated + 1:]
    return options, answer


def _options_run(lines: list[str]) -> tuple[int, int, int] | None:
    """(start, end) of the option lines and the index of the line stating the answer."""
    for stated, line in enumerate(lines):
        text = strip_emphasis(line).strip()
        if not STATED.match(text) or OPTION.match(text):
            continue
        end = stated
        while end > 0 and not lines[end - 1].strip():
            end -= 1
        start = end
        while start > 0 and _is_option(lines[start - 1]):
            start -= 1
        marks = [_mark(lines[i]) for i in range(start, end)]
        rest = text[STATED.match(text).end():]  # type: ignore[union-attr]
        if end - start >= MIN_OPTIONS and len(set(marks)) == len(marks) \
                and _refers(rest, lines[start:end]):
            return start, end, stated
    return None


def _is_option(line: str) -> bool:
    match = OPTION.match(strip_emphasis(line).strip())
    return match is not None and len(match.group(3).split()) <= MAX_OPTION_WORDS


def _mark(line: str) -> str:
    match = OPTION.match(strip_emphasis(line).strip())
    return (match.group(1) or match.group(2)).lower() if match else ""


def _refers(rest: str, options: list[str]) -> bool:
    """Whether the stated answer names one of the options (by its mark or its words)."""
    lead = re.match(r"^\(?([a-hA-H1-9])\b[.):]?", rest)
    if lead and lead.group(1).lower() in {_mark(o) for o in options}:
        return True
    texts = [OPTION.match(strip_emphasis(o).strip()).group(3).lower()  # type: ignore[union-attr]
             for o in options]
    return any(t.rstrip(". ") in rest.lower() for t in texts)


def _named_option(rest: str, options: list[str]) -> str | None:
    """The option an answer of a bare mark ("B", "(2)") names, else None (it says more)."""
    bare = re.fullmatch(r"\(?([a-hA-H1-9])[.)]?\s*", rest)
    if bare is None:
        return None
    named = next((o for o in options if _mark(o) == bare.group(1).lower()), None)
    return f"The correct answer is {named}." if named else None
