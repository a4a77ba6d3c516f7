"""What a heading says: question shapes, numbering and Q: prefixes, difficulty markers.

Pure functions on one line of text; `structure` decides from the document's hierarchy which
question-like lines start cards and which are sub-headings inside an answer.
"""

from __future__ import annotations

import re
import unicodedata

from tutor.ingest.markup import LINK

Difficulty = str  # "easy" | "medium" | "hard"

_WH = r"(?:what|what's|how|why|when|where|which|who|whom|whose)"
_AUX = (r"(?:is|are|was|were|do|does|did|can|could|would|should|will|shall|has|have|had|"
        r"might|may|must|you|we|i|to|a|an|the|kind|type|types|makes|happens|causes)")
QUESTION_START = re.compile(
    rf"^(?:{_WH}|is|are|was|were|can|could|would|should|do|does|did|will|has|have|"
    r"in (?:what|which)|given|if|suppose)\b", re.IGNORECASE)
BARE_HEADING = re.compile(rf"^{_WH}\s+{_AUX}\b[^.:;!]*$", re.IGNORECASE)
# A plain standalone line without "?" needs the strict form: "What are the main components ..."
BARE_QUESTION = re.compile(
    r"^(?:what|how|why|when|which|who)\s+(?:is|are|was|were|do|does|did|can|could|would|should|"
    r"will|has|have|you)\b[^.:;!]*$", re.IGNORECASE)
IMPERATIVE = re.compile(
    r"^(?:explain(?:ing)?|describe|compare|contrast|design|discuss|define|differentiate|"
    r"distinguish|implement|write|list|name|outline|summari[sz]e|walk (?:me |us )?through|"
    r"tell (?:me|us)|give|derive|prove|show|build|propose|suggest|identify|illustrate|"
    r"elaborate(?: on)?|calculate|estimate|mention|talk about|imagine|suppose|assume)"
    r"\s+(?!of\b|and\b|&|-)\S+\s+\S+", re.IGNORECASE)
SCENARIO = re.compile(
    r"^(?:scenario|case study|use case|problem|exercise|situation)\s*#?\d{1,3}\s*[:.\-–—]\s*\S",
    re.IGNORECASE)
SCENARIO_LOOSE = re.compile(r"^scenario\s+\d+\s*:\s*\S", re.IGNORECASE)
# "1. ", "1) ", "Q1.", "Q 1:", "Question 3 -", "#4 "
NUMBER_PREFIX = re.compile(
    r"^(?:(?:q|question)\s*#?\d{1,3}\s*[.):\-–—]?|#?\d{1,3}\s*[.)](?=\s|[A-Za-z])|#\d{1,3})\s*",
    re.IGNORECASE)
Q_PREFIX = re.compile(r"^(?:q|question)\s*(?:#?\d{1,3}\s*[:.)\-–—]|[:.)])\s*(?=\S)", re.IGNORECASE)
A_PREFIX = re.compile(r"^(?:a|ans|answer)(?:\s*#?\d{1,3})?\s*:\s*", re.IGNORECASE)
QUESTION_LABEL = re.compile(r"^(?:q|question)\s*#?\d{1,3}\s*[.:]?$", re.IGNORECASE)
QUOTED = re.compile(r'^["“]([^"“”]+)["”]$')  # a heading that quotes the interviewer
PLACEHOLDER = re.compile(
    r"^(?:(?:your |write (?:your |the )?)?answer(?: goes)? here|answer:?|todo|tbd|tba|"
    r"to be (?:added|written|done|completed)|coming soon|work in progress|wip|n/?a|"
    r"\.{2,}|…|-+|\[answer\]|<answer>|\(answer\)|\?+)[.!]?$", re.IGNORECASE)

# Difficulty markers. Emoji defaults follow the most common legend (👶 easy, ⭐️ medium, 🚀 hard);
# a legend line in the guide itself overrides them (see `parse_legend`).
EMOJI_LEVELS: dict[str, Difficulty] = {
    "👶": "easy", "🐣": "easy", "🟢": "easy", "🌱": "easy",
    "⭐": "medium", "🟡": "medium", "🟠": "medium",
    "🚀": "hard", "🔥": "hard", "🔴": "hard", "💀": "hard", "🧠": "hard",
}
WORD_LEVELS: dict[str, Difficulty] = {
    "easy": "easy", "beginner": "easy", "basic": "easy", "junior": "easy", "simple": "easy",
    "entry": "easy", "entry-level": "easy", "fundamental": "easy",
    "medium": "medium", "intermediate": "medium", "moderate": "medium", "mid": "medium",
    "mid-level": "medium",
    "hard": "hard", "advanced": "hard", "expert": "hard", "difficult": "hard",
    "senior": "hard", "tough": "hard", "intro": "easy", "introductory": "easy",
}
# "[E]", "[M]", "[H]" before a question: easy, medium, hard
LETTER_LEVELS: dict[str, Difficulty] = {"e": "easy", "m": "medium", "h": "hard"}
_LETTER = r"[\(\[][EMHemh][\)\]]"
_WORDS = "|".join(sorted(map(re.escape, WORD_LEVELS), key=len, reverse=True))
_EMOJI = "|".join(map(re.escape, EMOJI_LEVELS))
_STARS = r"[⭐★☆✩✪]+"
_MARKER = rf"(?:{_EMOJI}|{_STARS}|{_LETTER}|[\(\[](?:difficulty|level)?:?\s*(?:{_WORDS})[\)\]])"
_TRAIL = re.compile(
    rf"(?:\s*(?:{_MARKER}|[-–—|]\s*(?:difficulty|level)?:?\s*(?:{_WORDS})(?:\s+level)?))+\s*$",
    re.IGNORECASE)
_LEAD = re.compile(rf"^\s*(?:{_MARKER}\s*)+", re.IGNORECASE)
# A slip of the keyboard glued to the marker after a question ("... useful? ⭐️I")
_GLUED = re.compile(rf"(?<=\?)(\s*(?:{_EMOJI}|{_STARS}))[A-Za-z0-9]{{1,2}}\s*$")
DIFFICULTY_LINE = re.compile(
    rf"^(?:difficulty|level)\s*[:\-–]\s*(?:{_MARKER}\s*)*({_WORDS})?\s*(?:{_MARKER}\s*)*$",
    re.IGNORECASE)
TOPIC_LEVEL = re.compile(
    rf"^(?:{_WORDS})(?:\s+(?:level|questions?|interview questions?|topics?))*$", re.IGNORECASE)
_VARIATION = re.compile("[\ufe0e\ufe0f\u200d]")
_EMPHASIS = [
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"\*\*(.+?)\*\*"), r"\1"),
    (re.compile(r"__(.+?)__"), r"\1"),
    (re.compile(r"(?<![\w*])\*(?!\s)([^*]+?)(?<!\s)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?!\s)([^_]+?)(?<!\s)_(?![\w_])"), r"\1"),
    (LINK, r"\1"),  # a link keeps its words
]


def strip_emphasis(text: str) -> str:
    """Markdown emphasis, inline code and link markup removed; the words kept."""
    for pattern, repl in _EMPHASIS:
        text = pattern.sub(repl, text)
    return " ".join(text.split())


def strip_number(text: str) -> str:
    """"1. What is X?" -> "What is X?"; also "Q1:", "Question 3 -", "#4"."""
    stripped = NUMBER_PREFIX.sub("", text, count=1)
    return stripped if stripped else text


def split_difficulty(text: str, legend: dict[str, Difficulty] | None = None
                     ) -> tuple[str, Difficulty | None]:
    """Remove difficulty markers (emoji, stars, "(easy)", "- Hard") from a heading."""
    text = _GLUED.sub(r"\1", _VARIATION.sub("", text))
    found: list[str] = []
    for pattern in (_TRAIL, _LEAD):
        match = pattern.search(text)
        if match and match.group(0).strip() and len(match.group(0)) < len(text):
            found.append(match.group(0))
            text = text[: match.start()] + text[match.end():]
    level = None
    for marker in found:
        level = level or marker_level(marker, legend)
    return text.strip(), level


def marker_level(marker: str, legend: dict[str, Difficulty] | None = None) -> Difficulty | None:
    """The difficulty a marker stands for: the guide's legend first, then common conventions."""
    marker = _VARIATION.sub("", marker)
    for symbol, level in (legend or {}).items():
        if symbol in marker:
            return level
    for symbol, level in EMOJI_LEVELS.items():
        if symbol in marker and symbol != "⭐":
            return level
    word = re.search(rf"\b({_WORDS})\b", marker, re.IGNORECASE)
    if word:
        return WORD_LEVELS[word.group(1).lower()]
    letter = re.search(_LETTER, marker)
    if letter:
        return LETTER_LEVELS[letter.group(0)[1].lower()]
    stars = sum(marker.count(s) for s in "⭐★✪")
    empty = sum(marker.count(s) for s in "☆✩")
    if stars and empty:
        share = stars / (stars + empty)
        return "easy" if share <= 1 / 3 else "medium" if share <= 2 / 3 else "hard"
    if marker.count("⭐") == 1 and not empty:
        return "medium"  # the single ⭐️ of the 👶/⭐️/🚀 convention
    return {1: "easy", 2: "medium"}.get(stars, "hard") if stars else None


def parse_legend(line: str) -> dict[str, Difficulty] | None:
    """A legend such as "Difficulty: 👶 easy ⭐️ medium 🚀 hard" -> marker -> level (else None)."""
    text = _VARIATION.sub("", strip_emphasis(line))
    if "?" in text or len(text) > 160:
        return None
    pairs = re.findall(rf"({_EMOJI}|{_STARS})\s*[-=:]?\s*\(?({_WORDS})\b", text, re.IGNORECASE)
    if not pairs:  # "easy 👶, medium ⭐️, hard 🚀"
        pairs = [(s, w) for w, s in re.findall(
            rf"\b({_WORDS})\s*[-=:]?\s*\(?({_EMOJI}|{_STARS})", text, re.IGNORECASE)]
    legend = {symbol: WORD_LEVELS[word.lower()] for symbol, word in pairs}
    return legend if len(set(legend.values())) >= 2 else None


def heading_text(text: str, legend: dict[str, Difficulty] | None = None
                 ) -> tuple[str, Difficulty | None]:
    """The clean question of a heading line: no markup, numbering, Q: prefix or difficulty."""
    text, level = split_difficulty(strip_emphasis(text), legend)
    text = Q_PREFIX.sub("", strip_number(text), count=1)
    text, inner = split_difficulty(text, legend)
    text = QUOTED.sub(r"\1", text.strip())  # ### "Design a fraud detection system."
    return unicodedata.normalize("NFC", text.strip()), level or inner


def is_question(text: str, heading: bool, standalone: bool = False) -> bool:
    """Does this (clean) heading text ask something?

    `heading` is True for lines marked up as headings (markdown, bold, Q:, numbered): there an
    imperative prompt or a bare "What is X" counts. A plain line must end with "?", unless it
    stands alone between blank lines and reads as a bare question ("What are the main ...").
    """
    if not text or len(text) > 400:
        return False
    if SCENARIO.match(text):
        return True
    core = re.sub(r"\s*\([^)]*\)\s*$", "", text).rstrip()  # "...? (monitoring and metrics)"
    asks = core.endswith("?") or text.endswith("?") or _asks_then_prompts(text)
    if asks:
        return heading or bool(QUESTION_START.match(text) or IMPERATIVE.match(text))
    if not heading:
        return standalone and bool(BARE_QUESTION.match(text))
    return bool(BARE_HEADING.match(text) or IMPERATIVE.match(text))


def is_labelled(heading: str) -> bool:
    """"Q26: Do you need to scale ..." names itself a question, whatever its wording."""
    return bool(Q_PREFIX.match(strip_emphasis(heading)))


def _asks_then_prompts(text: str) -> bool:
    """"What datasets are used? Give some examples.": a question, then one short prompt."""
    _, sep, tail = text.rpartition("? ")
    return bool(sep) and len(tail) <= 80 and bool(IMPERATIVE.match(tail))


def topic_difficulty(topic: str) -> Difficulty | None:
    """A section named by a level ("Beginner questions", "Advanced") gives its cards a level."""
    match = TOPIC_LEVEL.match(strip_emphasis(topic).strip())
    return WORD_LEVELS[match.group(0).split()[0].lower()] if match else None


def is_placeholder(text: str) -> bool:
    """"Answer here", "TODO", "..." and the like: no reference answer."""
    text = strip_emphasis(text).strip()
    return bool(PLACEHOLDER.match(text) or PLACEHOLDER.match(A_PREFIX.sub("", text)))


def is_label(text: str, max_words: int = 6) -> bool:
    """"Advantages:", "**Common pitfalls:**": a short line that labels what follows and says
    nothing itself."""
    text = " ".join(strip_emphasis(text).lstrip("#-*+ ").split())
    return text.endswith(":") and len(text.split()) <= max_words
