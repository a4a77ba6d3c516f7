"""The offline answer's material: verbatim, readable sentences of the retrieved chunks.

Every sentence an offline answer shows is cut verbatim from a retrieved chunk, so it cannot say
anything the guide does not; `tutor.ask.evidence` scores, chooses and orders them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tutor.core.stats import idf
from tutor.core.text import content_words, normalise_ws, split_sentences
from tutor.core.types import Citation, Hit
from tutor.ingest.headings import is_label, strip_emphasis
from tutor.ingest.markup import FENCE, TABLE_ROW, TABLE_RULE, table_cells

MIN_WORDS = 5  # shorter "sentences" are headings or list labels
MAX_CHARS = 500  # longer ones are run-on lists, unreadable as an answer sentence
# a sentence opening like this needs the sentence before it; one with a label of its own
# ("Multi-Stage Retrieval: This approach ...") speaks of its label and reads alone
ANAPHOR = re.compile(r"(?:This|These|That|Those|It|They|Such)\b")


@dataclass
class GuideSentence:
    """One verbatim sentence of a retrieved chunk, with where it stands and how well it fits."""

    text: str
    hit_rank: int  # 0 = best retrieved passage
    position: int  # order inside its chunk
    chunk_id: str
    section: str
    card_id: str
    chunk_position: int
    label: str = ""  # the list label the sentence stands under, e.g. "Unrolled GANs:"
    previous: str = ""  # the chunk's sentence just before it (what "It ..." refers to)
    line: int = 0  # the chunk line (list item or paragraph) it stands on
    line_sentences: int = 1  # how many sentences that line holds
    score: float = 0.0

    @property
    def scored_text(self) -> str:
        """What is compared with the question: the sentence in its list label's context."""
        return f"{self.label} {self.text}" if self.label else self.text

    @property
    def context_text(self) -> str:
        """The sentence as it reads in its place: after the one it refers to when it opens
        with "It", "This", "They"... (else the sentence alone)."""
        if self.previous and ANAPHOR.match(self.text):
            return f"{self.previous} {self.text}"
        return self.scored_text

    def citation(self) -> Citation:
        return Citation(chunk_id=self.chunk_id, section=self.section, quote=self.text)


def guide_sentences(hits: list[Hit]) -> list[GuideSentence]:
    """Readable, verbatim sentences of the hits' chunks, without exact repeats."""
    seen: set[str] = set()
    found = []
    for rank, hit in enumerate(hits):
        chunk_text = normalise_ws(hit.chunk.text)
        label = previous = ""
        lines = [(split_sentences(line), column) for line, column in prose_lines(hit.chunk.text)]
        placed = [(n, len(ss), s, column) for n, (ss, column) in enumerate(lines) for s in ss]
        for position, (line, size, sentence, column) in enumerate(placed):
            text, before = normalise_ws(sentence), previous
            previous = text
            if is_label(text):  # "Advantages:" labels the lines below it
                label = strip_emphasis(text)
                continue
            key = text.lower()
            if (len(text.split()) < MIN_WORDS or len(text) > MAX_CHARS or text.endswith(":")
                    or key in seen or text not in chunk_text):
                continue
            seen.add(key)
            found.append(GuideSentence(text, rank, position, hit.chunk.id, hit.chunk.heading,
                                       hit.chunk.card_id, hit.chunk.position, column or label,
                                       before, line, size))
    return found


def prose_lines(text: str) -> list[tuple[str, str]]:
    """The chunk's lines that read as prose, each with the label its table column gives it:
    code blocks and a table's header and rule rows are left out, and a table row gives one line
    per cell ("The batch gradient uses the entire dataset.", labelled "Batch Gradient Descent:")."""
    out: list[tuple[str, str]] = []
    rows = text.split("\n")
    fence = False
    header: list[str] = []
    for n, row in enumerate(rows):
        if FENCE.match(row):
            fence = not fence
            continue
        if fence:
            continue
        if not TABLE_ROW.match(row.strip()):
            header = []
            out.append((row, ""))
            continue
        cells = table_cells(row)
        if TABLE_RULE.match(row.strip()):
            continue
        if n + 1 < len(rows) and TABLE_RULE.match(rows[n + 1].strip()):
            header = cells  # a header row names the columns
            continue
        out += [(cell, f"{header[i]}:" if i < len(header) and header[i] else "")
                for i, cell in enumerate(cells) if cell]
    return out


def word_overlap(question: str, texts: list[str]) -> list[float]:
    """For each text, the share of the question's content words it contains, each word weighted
    by how rare it is among `texts`: a word every passage shares tells them apart least."""
    asked = set(content_words(question))
    words = [set(content_words(t)) for t in texts]
    if not asked or not texts:
        return [0.0] * len(texts)
    weight = {w: idf(sum(w in ws for ws in words), len(texts)) for w in asked}
    total = sum(weight.values())
    return [sum(weight[w] for w in asked & ws) / total for ws in words]
