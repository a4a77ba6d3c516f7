"""Small text utilities shared by ingestion, retrieval and grading."""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import Stemmer

# Bump when `tokenize`, `content_words` or `stem` change what they return: terms derived from
# the index and kept on disk (`tutor.index.cache`) are keyed by it.
TERMS_VERSION = 3  # 2: Snowball's Porter (PyStemmer) instead of NLTK's; 3: "-ifi" stems

# an abbreviation's full stop ends no sentence ("reinforcement learning (e.g. PPO) tunes ...")
ABBREVIATIONS = ("e.g.", "E.g.", "i.e.", "I.e.", "vs.", "cf.", "approx.", "Fig.", "Eq.", "et al.",
                 "Dr.", "Mr.", "Mrs.", "Ms.", "Prof.")
_SENTENCE_END = re.compile(r"(?<=[.!?])" + "".join(f"(?<!\\b{re.escape(a)})" for a in ABBREVIATIONS)
                           + r"\s+(?=[\"“(A-Z0-9])")
_TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves also may might must shall like e g
    eg ie etc using used use uses via well let lets s t don't it's i'm we're they're""".split()
)


def normalise_ws(text: str) -> str:
    """Collapse all whitespace to single spaces (the form quotes are verified in)."""
    return " ".join(text.split())


# typographic ligatures (U+FB00-FB06) as their letters: PDF text keeps them ("diﬀerence",
# "overﬁtting"), and no one types them
LIGATURES = {code: unicodedata.normalize("NFKC", chr(code)) for code in range(0xFB00, 0xFB07)}


def without_ligatures(text: str) -> str:
    """The text with ligature characters spelt out as letters ("ﬁ" -> "fi")."""
    return text.translate(LIGATURES)


def clean_input(text: str) -> str:
    """Normalise user text: valid unicode (NFC), ligatures spelt out, no control characters,
    trimmed."""
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates from bad bytes
    text = without_ligatures(unicodedata.normalize("NFC", text))
    return _CONTROL.sub(" ", text).strip()


def slugify(text: str, max_len: int = 60) -> str:
    """A stable, readable id from a heading."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > max_len:
        slug = slug[:max_len].rsplit("-", 1)[0]
    return slug or "section"


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens, stop words kept (BM25 handles their weight)."""
    return _TOKEN.findall(text.lower())


def content_words(text: str) -> list[str]:
    """Tokens without stop words (hyphenated words split), lightly stemmed, for lexical evidence."""
    words = (w for t in tokenize(text) for w in t.split("-"))
    return [stem(w) for w in words if w not in STOPWORDS and len(w) > 1]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Porter stem (Snowball's `porter` algorithm, PyStemmer), cached.

    Words of one or two letters are kept as they are ("is", "as", "vs"), as NLTK's Porter did. A
    verb in "-ify" keeps the stem of its noun in "-ification" ("classif").
    """
    if len(word) <= 2:
        return word
    with _PORTER_LOCK:
        stemmed = _PORTER.stemWord(word)
    # Porter stems "classify" to "classifi" but "classification" to "classif": one stem for both
    return stemmed[:-1] if stemmed.endswith("ifi") and len(stemmed) > 5 else stemmed


_PORTER = Stemmer.Stemmer("porter", 0)  # no cache of its own (`stem` has one)
_PORTER_LOCK = threading.Lock()  # a PyStemmer instance must not be called by two threads at once


def unwrap_lines(text: str) -> str:
    """The text with soft-wrapped lines joined: a line that starts in lower case, after a line
    that does not end a sentence or a clause, continues it. Bullets and numbered items (which
    start with a mark, not a letter), blank lines and lines after a full stop stay apart, so a
    list's items remain its sentences."""
    lines: list[str] = []
    for line in text.split("\n"):
        if lines and lines[-1].strip() and line.lstrip()[:1].islower() \
                and not re.search(r"[.!?:;]\s*$", lines[-1]):
            lines[-1] = lines[-1].rstrip() + " " + line.strip()
        else:
            lines.append(line)
    return "\n".join(lines)


def split_sentences(text: str) -> list[str]:
    """Split prose and bullet lists into sentences."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        line = re.sub(r"^(?:[-*•]|\d{1,3}\.)\s*", "", line)
        out.extend(s.strip() for s in _SENTENCE_END.split(line) if s.strip())
    return out
