"""Pointers: sentences that only send the reader elsewhere ("The rest is [here](url)").

With links reduced to their words such a sentence reads "The rest of the answer is here": a key
point with nothing to grade. A sentence is a pointer when a link whose words name nothing
("here", "this link", "this article") closes it, or when it says the answer is elsewhere ("the
rest of the answer is ..."). Pointers are dropped from their line and reported; the line's other
sentences stay. A pointer in brackets ("... (see [here](url)).") leaves its sentence alone: the
sentence states something and the aside points. Sentences pointing within the guide ("see
above") stay in the text; rubric extraction leaves them out (`tutor.grading.statements`).
"""

from __future__ import annotations

import re

from tutor.ingest.markup import LIST_ITEM, atx, strip_links

POINTER_ANCHOR = re.compile(
    r"^(?:(?:click|read|see|check(?: out)?|look|go)\s+)?(?:more\s+)?(?:(?:in|at|on|from)\s+)?"
    r"(?:here|there|this|link|more|details|source|"
    r"(?:this|that|the)\s+(?:link|article|post|blog(?: post)?|page|video|tutorial|thread|answer|"
    r"site|website|resource|notebook))$", re.IGNORECASE)
ELSEWHERE = re.compile(
    r"\b(?:rest|remainder)\s+of\s+(?:the|this|my)\s+(?:answer|explanation|solution)\b"
    r"|\b(?:full|complete|detailed)\s+(?:answer|explanation|solution)\s+(?:is|can be found)\s+"
    r"(?:here|there|at|in|on)\b", re.IGNORECASE)
MAX_ELSEWHERE_WORDS = 20  # "the rest of the answer is in the book": a pointer, not a paragraph
_OPEN, _CLOSE = "\x01", "\x02"  # around the words of a pointing link while sentences are cut
# a sentence ends at . ! ? (also before a capital without a space: "simple.The rest ..."); for
# pointers a clause ends at ";" too ("An extreme point; several are listed [here](...)")
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]”’*_]*(?:\s+|(?=[A-Z\x01]))|(?<=;)\s+")
_CLOSING = re.compile(r"^[\s.!?,;:)\]\"'”’*_]*$")


def split_pointers(text: str) -> tuple[str, list[str]]:
    """A line with its links reduced to their words and without its pointer sentences (empty
    when it held nothing else), and the pointer sentences it held."""
    marked = strip_links(text, _mark)
    if atx(marked) or (_OPEN not in marked and not ELSEWHERE.search(marked)):
        return _unmark(marked), []
    marker = LIST_ITEM.match(marked)
    prefix = marker.group(0) if marker else ""
    body = marked[len(prefix):]
    kept: list[str] = []
    pointers: list[str] = []
    start = 0
    for cut in [*(m.end() for m in _BOUNDARY.finditer(body)), len(body)]:
        sentence, start = body[start:cut], cut
        (pointers if _is_pointer(sentence.strip()) else kept).append(sentence)
    rest = "".join(kept).strip().rstrip(";").rstrip()
    return (_unmark(prefix + rest) if rest else "",
            [_unmark(p).strip() for p in pointers if p.strip()])


def _mark(link: re.Match[str]) -> str:
    words = link.group(1)
    return f"{_OPEN}{words}{_CLOSE}" if POINTER_ANCHOR.match(words.strip(" *_`")) else words


def _unmark(text: str) -> str:
    return text.replace(_OPEN, "").replace(_CLOSE, "")


def _is_pointer(sentence: str) -> bool:
    if not sentence:
        return False
    at = sentence.rfind(_CLOSE)
    if at >= 0 and _CLOSING.match(sentence[at + 1 :]):
        before = sentence[: sentence.rfind(_OPEN)]
        return before.count("(") <= before.count(")") and before.count("[") <= before.count("]")
    return bool(ELSEWHERE.search(sentence)) and len(sentence.split()) <= MAX_ELSEWHERE_WORDS
