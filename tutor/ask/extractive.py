"""The offline answer: the guide sentences that best answer a question, each with its citation.

Every sentence shown is cut verbatim from a retrieved chunk, so this answer cannot say anything
the guide does not. Sentences are scored by embedding similarity to the question plus the share
of the question's content words they contain, near-duplicates are dropped, and the kept
sentences are grouped by section in the guide's own order, so the answer reads as prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from tutor.core.stats import idf
from tutor.core.text import content_words, normalise_ws, split_sentences
from tutor.core.types import Citation, Hit
from tutor.embedding.embedder import Embedder

LABEL_WORDS = 6  # a line of at most this many words ending in ":" labels the lines below it
MIN_WORDS = 5  # shorter "sentences" are headings or list labels
MAX_CHARS = 500  # longer ones are run-on lists, unreadable as an answer sentence
LEXICAL_WEIGHT = 0.25  # weight of question-word overlap next to cosine similarity
RANK_WEIGHT = 0.05  # a small prior for passages retrieval ranked higher
MIN_SENTENCES, MAX_SENTENCES = 2, 5
KEEP_MARGIN = 0.2  # beyond the minimum, keep sentences scoring within this of the best
CONTEXT_MARGIN = 0.3  # a sentence brought in for context must score within this of the best
# a sentence opening like this (after an optional "Label:") needs the sentence before it
ANAPHOR = re.compile(r"(?:[^:]{1,40}:\s+)?(?:This|These|That|Those|It|They|Such)\b")
DUPLICATE_COSINE = 0.88
DUPLICATE_JACCARD = 0.6  # content words shared / content words of either


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
    score: float = 0.0

    @property
    def scored_text(self) -> str:
        """What is compared with the question: the sentence in its list label's context."""
        return f"{self.label} {self.text}" if self.label else self.text

    def citation(self) -> Citation:
        return Citation(chunk_id=self.chunk_id, section=self.section, quote=self.text)


def guide_sentences(hits: list[Hit]) -> list[GuideSentence]:
    """Readable, verbatim sentences of the hits' chunks, without exact repeats."""
    seen: set[str] = set()
    found = []
    for rank, hit in enumerate(hits):
        chunk_text = normalise_ws(hit.chunk.text)
        label = ""
        for position, sentence in enumerate(split_sentences(hit.chunk.text)):
            text = normalise_ws(sentence)
            if text.endswith(":") and len(text.split()) <= LABEL_WORDS:
                label = text
                continue
            key = text.lower()
            if (len(text.split()) < MIN_WORDS or len(text) > MAX_CHARS or text.endswith(":")
                    or key in seen or text not in chunk_text):
                continue
            seen.add(key)
            found.append(GuideSentence(text, rank, position, hit.chunk.id, hit.chunk.heading,
                                       hit.chunk.card_id, hit.chunk.position, label))
    return found


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


def score_sentences(question: str, sentences: list[GuideSentence], embedder: Embedder,
                    n_hits: int) -> np.ndarray:
    """Set each sentence's score; returns the sentence vectors (for duplicate checks)."""
    if not sentences:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    texts = [s.scored_text for s in sentences]
    vectors = embedder.embed_batch(texts)
    similarity = vectors @ embedder.embed_query(question)
    overlaps = word_overlap(question, texts)
    for sentence, sim, overlap in zip(sentences, similarity, overlaps, strict=True):
        prior = 1.0 - sentence.hit_rank / max(n_hits, 1)
        sentence.score = float(sim) + LEXICAL_WEIGHT * overlap + RANK_WEIGHT * prior
    return vectors


def select_sentences(sentences: list[GuideSentence], vectors: np.ndarray,
                     max_sentences: int = MAX_SENTENCES) -> list[GuideSentence]:
    """The best sentences, near-duplicates skipped: at least two, more while they stay close
    to the best one. A sentence opening with "This ..." brings the sentence it refers back to."""
    order = sorted(range(len(sentences)), key=lambda i: -sentences[i].score)
    before = _predecessors(sentences)
    kept: list[int] = []
    for i in order:
        if len(kept) >= max_sentences:
            break
        best = sentences[order[0]]
        if len(kept) >= MIN_SENTENCES and sentences[i].score < best.score - KEEP_MARGIN:
            break
        group = [i]
        if ANAPHOR.match(sentences[i].text):
            # "This ..." reads as nonsense without the sentence it refers to, which must be
            # relevant in its own right
            if i not in before or sentences[before[i]].score < best.score - CONTEXT_MARGIN:
                continue
            if before[i] not in kept:
                group.insert(0, before[i])
        if len(kept) + len(group) > max_sentences or any(
                _near_duplicate(sentences[g], sentences[j], vectors[g], vectors[j])
                for g in group for j in kept):
            continue
        kept.extend(group)
    return reading_order([sentences[i] for i in kept])


def _predecessors(sentences: list[GuideSentence]) -> dict[int, int]:
    """Index of the sentence just before each one in the same chunk, when it is a candidate."""
    where = {(s.chunk_id, s.position): i for i, s in enumerate(sentences)}
    return {i: where[(s.chunk_id, s.position - 1)] for i, s in enumerate(sentences)
            if (s.chunk_id, s.position - 1) in where}


def reading_order(chosen: list[GuideSentence]) -> list[GuideSentence]:
    """Group sentences by section (the section holding the best sentence first), and keep the
    guide's order inside each section."""
    best: dict[str, float] = {}
    for s in chosen:
        best[s.card_id] = max(best.get(s.card_id, -1.0), s.score)
    return sorted(chosen, key=lambda s: (-best[s.card_id], s.card_id, s.chunk_position,
                                         s.position))


def _near_duplicate(a: GuideSentence, b: GuideSentence, va: np.ndarray, vb: np.ndarray) -> bool:
    if float(va @ vb) >= DUPLICATE_COSINE:
        return True
    wa, wb = set(content_words(a.text)), set(content_words(b.text))
    return bool(wa | wb) and len(wa & wb) / len(wa | wb) >= DUPLICATE_JACCARD


def compose(sentences: list[GuideSentence]) -> tuple[str, list[Citation]]:
    """The answer text, each sentence followed by its citation number, and the citations."""
    parts, citations = [], []
    for number, sentence in enumerate(sentences, 1):
        text = sentence.text if sentence.text[-1] in ".!?" else sentence.text + "."
        parts.append(f"{text} [{number}]")
        citations.append(sentence.citation())
    return " ".join(parts), citations


def extractive_answer(question: str, hits: list[Hit],
                      embedder: Embedder) -> tuple[str, list[Citation]]:
    """Answer from the hits' own sentences; empty text when they hold no usable sentence."""
    sentences = guide_sentences(hits)
    vectors = score_sentences(question, sentences, embedder, len(hits))
    return compose(select_sentences(sentences, vectors))
