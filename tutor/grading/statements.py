"""What a card's text states, passage by passage: the raw material of extracted rubrics.

A guide without a curated rubric is graded against points cut from its cards: the key points
ingestion found, without table rows, fragments, intros and cross-references, plus what ingestion
leaves out (the items of a list, however short, and the sentences before a lead-in's colon).
Labels are whole short sentences or clean cuts; quotes stay verbatim in the indexed guide.
A row of a comparison table (a header naming what is compared, cells that say something) is a
point too, compared with answers as "Header: cell" per cell; a value table's rows are none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from tutor.core.text import STOPWORDS, content_words, normalise_ws, split_sentences, tokenize
from tutor.core.types import Card, Chunk
from tutor.index.knowledge import KnowledgeBase
from tutor.ingest.markup import TABLE_RULE, table_cells

MAX_NAME_WORDS = 6  # a list item this short names its point ("Accuracy", "one-hot encoding")
MAX_LABEL_WORDS = 16  # longer statements are labelled by their first clause
MAX_LABEL_LINE_WORDS = 5  # a line this short ending in ":" labels what follows it
# words of a lead-in sentence ("Here's a breakdown of RLHF:", "The main types include:")
_LEAD_IN = frozenset("is are was were include includes including here here's following these "
                     "this we you our there".split())


@dataclass(frozen=True)
class Statement:
    """A passage of a card that states one point (extracted rubrics)."""

    text: str  # verbatim guide text
    title: str  # the guide's title for it ("Early stopping"), or its opening words ("…")
    chunk_id: str
    named: bool = False  # a short list item: its words name the point
    units: tuple[str, ...] = ()  # what answers are compared with, when not the text's sentences
    side: str = ""  # the label line it sits under, when that names what the question asks about
    share: float = 1.0  # of its passage's weight (a table row's cells share the row's)


def card_statements(card: Card, kb: KnowledgeBase) -> list[Statement]:
    """The card's passages that state a point, in the card's order: its key points without table
    rows, fragments, intros and cross-references, plus what ingestion leaves out (the items of
    a list, however short, and the sentences before a lead-in's colon)."""
    found: list[tuple[int, Statement]] = []
    for kp in card.key_points:
        cells = comparison_cells(kp.text, card.body, card.question)
        if cells:  # one point per compared side: a swapped answer gives one side's cell away
            found += [(card.body.find(kp.text), Statement(
                kp.text, short_label(cell), kp.chunk_id, units=(cell,), side=side,
                share=1 / len(cells))) for side, cell in cells]
            continue
        text = _trimmed(kp.text, card.body)
        if text is not None and not is_non_statement(text):
            title = _title(kp.label, text)
            named = "\n" not in text and LIST_MARK.match(text) is not None \
                and len(text.split()) <= MAX_NAME_WORDS + 1
            found.append((card.body.find(text.split("\n")[0]),
                          Statement(text, title, kp.chunk_id, named)))
    for at, text, named in _left_out(card.body, [kp.text for kp in card.key_points]):
        chunk = chunk_quoting(card, kb, text)
        if chunk is not None and not is_non_statement(text):
            found.append((at, Statement(text, text if named else short_label(text), chunk.id,
                                        named)))
    blocks = labelled_blocks(card.body, card.question)
    return [replace(s, side=s.side or next((label for start, end, label in blocks
                                            if start <= at < end), ""))
            for at, s in sorted(found, key=lambda f: f[0])]


def labelled_blocks(body: str, question: str) -> list[tuple[int, int, str]]:
    """(start, end, label) of the label lines naming something the
    question asks about ("Self-Consistency:" over the paragraph that describes it, "1.
    Discriminative Models:" over the list of its traits) with what sits under them: the first
    paragraph after the line, or the list that follows it (items of the same kind, blank lines
    between them included). A lead-in sentence ("The main types include:") labels nothing."""
    asked = set(content_words(question))
    blocks: list[tuple[int, int, str]] = []
    lines = [line.strip() for line in body.split("\n")]
    starts = [0]
    for line in body.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    for i, line in enumerate(lines):
        label = _label(line)
        if not label or not asked & set(content_words(label)):
            continue
        first = next((j for j in range(i + 1, len(lines)) if lines[j]), len(lines))
        kind = _list_kind(lines[first]) if first < len(lines) else None
        if kind is not None and kind == _list_kind(line):
            continue  # "2. Label:" then "3. …": an empty section, not a list under it
        end = first
        while end < len(lines) and not _label(lines[end]):
            if kind is None and not lines[end]:
                break  # the paragraph ends
            if kind is not None and lines[end] and _list_kind(lines[end]) != kind \
                    and not (lines[end - 1] and _list_kind(lines[end]) is None):
                break  # neither an item of the list nor a line going on from one
            end += 1
        if end > first:
            blocks.append((starts[i], starts[end], label))
    return blocks


def _label(line: str) -> str:
    """The label a line consists of ("Self-Consistency:" gives "Self-Consistency"), else ""."""
    found = _LABEL_LINE.match(line)
    if not found:
        return ""
    label = found[1].strip()
    words = label.lower().replace("’", "'").split()
    return label if len(words) <= MAX_LABEL_LINE_WORDS and not _LEAD_IN & set(words) else ""


def _list_kind(line: str) -> str | None:
    """"number" or "bullet" for a list item, None for other lines."""
    mark = LIST_MARK.match(line)
    return None if mark is None else "number" if mark[0][0].isdigit() else "bullet"


def _title(label: str, text: str) -> str:
    """A key point's title: its label ("Early stopping"); a label that names no subject
    ("Interview Tip: ...", "Key Insight: ...") with the first sentence after its colon; a cut
    passage keeps no title of what was cut."""
    plain = LIST_MARK.sub("", text.replace("**", "").split("\n")[0]).strip()
    nameless = set(label.lower().split()) <= DOCUMENT_WORDS | _NAMELESS
    if label and nameless and plain.startswith(f"{label}:") and plain[len(label) + 1:].strip():
        return short_label(plain)
    return label if label.rstrip("…") in text.replace("**", "") else short_label(text)


_NAMELESS = frozenset("key tip tips insight insights note notes".split())  # "Key Insight:"


def comparison_cells(text: str, body: str, question: str = "") -> list[tuple[str, str]] | None:
    """A comparison table's row, cell by cell as (header, "Header: cell"; a row-label column
    names the row: "Traceability - Fine-tuning: none"); None unless `text` is one row of a table
    whose header names two or more columns and the row has two or more cells of words. The first
    column labels the rows when its header is empty, or names nothing the question asks about
    while two others do ("| Aspect | Sparse | Dense |" for "sparse or dense?")."""
    rows = body.split("\n")
    if "\n" in text or not _TABLE_ROW.search(text) or text not in rows:
        return None
    at = rows.index(text)
    top = at
    while top > 0 and rows[top - 1].startswith("|"):
        top -= 1
    if at < top + 2 or not TABLE_RULE.match(rows[top + 1]):
        return None
    header, cells = _cells(rows[top]), _cells(text)
    if len(header) != len(cells) or sum(bool(h) for h in header) < 2:
        return None
    worded = [c for c in cells if len(re.findall(r"[A-Za-z]{2,}", c)) >= 2]
    if len(worded) < 2:
        return None
    asked = set(content_words(question))
    compared = sum(bool(asked & set(content_words(h))) for h in header[1:]) >= 2
    if header[0] and compared and not asked & set(content_words(header[0])):
        header = ["", *header[1:]]  # "Aspect": the column that names the rows
    named = "" if header[0] else cells[0]  # an unnamed first column labels the rows
    pairs = [(h, f"{h}: {c}") for h, c in zip(header, cells, strict=True) if h and c]
    return [(h, f"{named} - {p}" if named else p) for h, p in pairs]


def _cells(row: str) -> list[str]:
    return [c.replace("**", "") for c in table_cells(row)]


# a line that only labels what follows ("Self-Consistency:", "1. **Generative Models:**")
_LABEL_LINE = re.compile(r"^(?:\d{1,3}[.)]\s+)?(?:\*\*)?([^:*|`]{2,60}?)(?:\*\*)?:(?:\*\*)?$")
_TABLE_ROW = re.compile(r"^\|.*\|$|(?:[^|]*\|){3}")  # |a|b| or three cell separators
LIST_MARK = re.compile(r"^(?:[-*+•▪◦●]\s+|\d{1,3}[.)]\s+)")
_FENCE = re.compile(r"^\s*(?:```|~~~|\$\$\s*$)")
# a sentence that sends the reader elsewhere instead of stating something
_POINTER = re.compile(
    r"\b(?:see|refer(?:s|red)?\s+to|shown|described|explained|discussed|listed|mentioned|"
    r"given|covered)\b.{0,40}\b(?:above|below|earlier|later|previously)\b"
    r"|\b(?:below|above)\s+(?:are|is|we|you)\b", re.IGNORECASE)
# a sentence about the interview or the document rather than the topic ("this deep learning
# interview question", "the interviewee expects", "this ... blog"): `rubric` keeps it only when
# it also says something specific to its card
DOCUMENT_TALK = re.compile(
    r"\binterview\s+questions?\b|\binterview(?:er|ee)s?\b.{0,40}\bexpects?\b"
    r"|\bgoing\s+for\s+an?\s+(?:[\w-]+\s+){0,3}interview\b"
    r"|\b(?:this|these|our)\s+(?:[\w-]+\s+){0,8}?(?:blog|article|tutorial)s?\b"
    r"|\b(?:this|our)\s+(?:post|guide)\b(?!\s+(?:the|a|an|it|them)\b)", re.IGNORECASE)
DOCUMENT_WORDS = frozenset("interview interviews interviewer interviewers interviewee interviewees "
                           "question questions answer "
                           "answers blog article tutorial post guide detail detailed".split())
# a line of code ("W = tf.Variable([.3])", "result = sess.run(b)"): shown, never a point
_CODE_LINE = re.compile(r"^[A-Za-z_][\w.]*(?:\[[^\]]*\])?\s*=\s*[\w.]+\(.*\)\s*;?$")
# a question quoted in the answer ('*Q: "How would you ...?"*') asks, it states no point
_QUESTION = re.compile(r"\?[\s\"'”’*_)]*$")
_DANGLING = frozenset("a an the of and or to with in on for by from as at is are than then "
                      "that which if when where while but".split())


def is_non_statement(text: str) -> bool:
    """Table rows, fragments (a sentence ending in "," or ":" or on a function word, one
    opening with a lower-case function word, a formula's empty slot ", ,"), lines of code,
    questions, and sentences that only point elsewhere ("see the explanation below") state no
    point."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    sentences = split_sentences(text)
    if not sentences or all(_TABLE_ROW.search(ln) for ln in lines):
        return True
    if any(_POINTER.search(s) for s in sentences) or re.search(r",\s*,", text):
        return True
    if all(_CODE_LINE.match(LIST_MARK.sub("", ln)) or _QUESTION.search(ln) for ln in lines):
        return True
    last, first, listed = sentences[-1], sentences[0].split()[0], LIST_MARK.match(lines[0])
    if last.endswith(":") or (not listed and (last.endswith(",") or (
            last[-1].isalnum() and last.split()[-1].lower() in _DANGLING))):
        return True
    return not listed and first.islower() and first in STOPWORDS


def _trimmed(text: str, body: str) -> str | None:
    """A key point without its trailing lead-in lines or table rows; a sentence cut before a
    bracket it leaves open (a citation split by the sentence splitter); None for a piece from
    inside a bracket."""
    lines = text.split("\n")
    while lines and (lines[-1].rstrip().endswith(":") or _TABLE_ROW.search(lines[-1])):
        last = lines.pop()
        said = [] if _TABLE_ROW.search(last) else split_sentences(last)[:-1]
        if said:  # the lead-in's paragraph states something before it: keep that
            lines.append(last[:last.rfind(said[-1]) + len(said[-1])])
            break
    if not lines:
        return None
    text = "\n".join(lines)
    at = body.find(lines[0])
    before = body[body.rfind("\n", 0, max(at, 0)) + 1:max(at, 0)]
    if _open_bracket(before) is not None:
        return None
    opened = _open_bracket(text)
    if opened is not None:
        text = text[:opened].rstrip(" ,;:")
    return text if len(text.split()) >= 4 or opened is None else None


def _open_bracket(text: str) -> int | None:
    """Where the first bracket `text` leaves open starts (None: all are closed)."""
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch in "[(":
            stack.append(i)
        elif ch in "])" and stack:
            stack.pop()
    return stack[0] if stack else None


def _left_out(body: str, covered: list[str]) -> list[tuple[int, str, bool]]:
    """(position, text, named) of the body's passages that no key point holds: short list items
    (named) and the sentences of a paragraph ending in a lead-in ("... include:")."""
    out: list[tuple[int, str, bool]] = []
    at, fenced = 0, False
    for line in body.split("\n"):
        start, at, stripped = at, at + len(line) + 1, line.strip()
        if _FENCE.match(line):
            fenced = not fenced
        if fenced or not stripped or _FENCE.match(line) or _TABLE_ROW.search(stripped) \
                or any(stripped in t or t in stripped for t in covered):
            continue
        item = LIST_MARK.sub("", stripped).strip().rstrip(",;")
        if item != stripped:
            if len(item.split()) <= MAX_NAME_WORDS and len(item) > 2 and not item.endswith(":") \
                    and re.search(r"[A-Za-z]{2}", item):
                out.append((start + line.find(item), item, True))
        elif stripped.endswith(":"):
            out += [(body.find(s, start), s, False) for s in split_sentences(stripped)[:-1]]
    return out


def short_label(text: str, words: int = MAX_LABEL_WORDS) -> str:
    """A statement's label: its first sentence, whole when short; else cut at its last clause
    boundary (else at a word) within `words` words, with an ellipsis, never inside brackets."""
    first = split_sentences(text.replace("**", ""))
    sentence = first[0] if first else normalise_ws(text)
    parts = sentence.split()
    if len(parts) <= words:
        return sentence

    def closed(n: int) -> bool:
        return _open_bracket(" ".join(parts[:n])) is None

    clause = [n for n in range(5, words + 1) if parts[n - 1][-1] in ",;:" and closed(n)]
    plain = [n for n in range(3, words - 3) if closed(n) and parts[n - 1].lower() not in STOPWORDS]
    n = max(clause or plain or [max(1, next((i for i in range(words) if not closed(i + 1)), 1))])
    cut = " ".join(parts[:n]).rstrip(",;:—-")
    return (cut if _open_bracket(cut) is None else re.sub(r"[\[(]", "", cut)) + "…"


def plain_quote(quote: str) -> str:
    """A quote as the index holds it: whitespace collapsed, markdown bold markers dropped."""
    return normalise_ws(quote.replace("**", ""))


def chunk_quoting(card: Card, kb: KnowledgeBase, quote: str) -> Chunk | None:
    """The card's chunk that holds `quote` verbatim (see `plain_quote`), if any."""
    wanted = plain_quote(quote)
    return next((c for c in kb.chunks_of(card.id) if wanted and wanted in normalise_ws(c.text)),
                None)


def surface_words(text: str) -> list[str]:
    """The text's words as written (lower case), without stop words, numbers, one- and two-letter
    words (but "f1", "l2"), and the stems of contractions ("doesn't" gives no "doesn")."""
    words = (t[:-2] if t.endswith("'s") else t for t in tokenize(re.sub(r"[’‘`´]", "'", text)))
    return [w for w in words if "'" not in w and w not in STOPWORDS and not w.isdigit()
            and (len(w) > 2 or re.fullmatch(r"[a-z]\d", w))]
