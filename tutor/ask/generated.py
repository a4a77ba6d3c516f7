"""The generated answer: a chat model writes sentences citing numbered passages, and we check
every sentence against the passages it cites.

The model never decides what counts as grounded. A sentence is supported only when it is close
in meaning to a sentence of a passage it cites (embedding cosine) and most of the words it adds
beyond the question occur in those passages; everything else is reported as unsupported. Each
citation quotes the guide sentence that best backs its answer sentence, verbatim.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from tutor.core.errors import LLMError
from tutor.core.templates import render
from tutor.core.text import content_words, normalise_ws, split_sentences
from tutor.core.types import Citation, Hit
from tutor.embedding.embedder import Embedder
from tutor.llm.client import ChatModel

MAX_SENTENCES = 5
MAX_SENTENCE_CHARS = 300
MAX_CITES = 3
MAX_PASSAGE_CHARS = 1500  # keeps k passages within a small model's context
# Measured on the rag_golden reference answers (paraphrases of the guide) against their own
# sections: 117/126 supported; against another item's section 1/61; 0/12 invented claims.
SUPPORT_SIMILARITY = 0.5  # cosine to the closest sentence of a cited passage
SUPPORT_OVERLAP = 0.5  # share of the sentence's new content words found in the cited passages
UNSUPPORTED_MARK = "[unsupported]"
_INLINE_CITES = re.compile(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]")
_MARKER = "<<<GUIDE-"


class KeySentence(Protocol):
    """A sentence chosen as evidence: its verbatim text and its chunk."""

    text: str
    chunk_id: str


@dataclass
class CheckedSentence:
    """One sentence of the model's answer and the verdict of the support check."""

    text: str
    cited: list[int]  # passage numbers (1-based) the model gave, valid ones only
    supported: bool = False
    similarity: float = 0.0
    overlap: float = 0.0
    quotes: list[Citation] = field(default_factory=list)


@dataclass
class LLMDraft:
    """What the model answered, after checking."""

    answerable: bool
    sentences: list[CheckedSentence]
    model: str

    @property
    def unsupported(self) -> list[str]:
        return [s.text for s in self.sentences if not s.supported]


def answer_schema(n_passages: int) -> dict[str, Any]:
    """JSON schema of the reply; every field is bounded so small models cannot run away."""
    return {
        "title": "guide_answer",
        "type": "object",
        "properties": {
            "answerable": {"type": "boolean"},
            "sentences": {
                "type": "array", "maxItems": MAX_SENTENCES,
                "items": {
                    "type": "object",
                    "properties": {
                        "text": {"type": "string", "maxLength": MAX_SENTENCE_CHARS},
                        "citations": {
                            "type": "array", "maxItems": MAX_CITES,
                            "items": {"type": "integer", "minimum": 1, "maximum": n_passages},
                        },
                    },
                    "required": ["text", "citations"],
                    "additionalProperties": False,
                },
            },
        },
        "required": ["answerable", "sentences"],
        "additionalProperties": False,
    }


def build_messages(question: str, hits: list[Hit],
                   key_sentences: Sequence[KeySentence] = ()) -> list[dict[str, str]]:
    """The system prompt and the user message holding the passages, the key sentences chosen
    as evidence (each with the number of its passage) and the question, all as data."""
    marker = f"{_MARKER}{secrets.token_hex(6)}>>>"
    passages = "\n\n".join(
        f"[{i}] Section: {h.chunk.heading}\n{_defuse(h.chunk.text[:MAX_PASSAGE_CHARS])}"
        for i, h in enumerate(hits, 1))
    number = {h.chunk.id: i for i, h in enumerate(hits, 1)}
    keys = "\n".join(f"- [{number[s.chunk_id]}] {_defuse(s.text)}" for s in key_sentences
                      if s.chunk_id in number) or "(none chosen: use the passages)"
    return [
        {"role": "system", "content": render("ask_system", max_sentences=MAX_SENTENCES)},
        {"role": "user", "content": render("ask_user", marker=marker, passages=passages,
                                            key_sentences=keys, question=_defuse(question),
                                            count=len(hits))},
    ]


def _defuse(text: str) -> str:
    """No forged delimiters inside data."""
    return text.replace(_MARKER, "<<<guide-")


def llm_answer(question: str, hits: list[Hit], embedder: Embedder, model: ChatModel,
               key_sentences: Sequence[KeySentence] = ()) -> LLMDraft:
    """Ask the model to write from the key sentences, then check each of its sentences against
    the passages it cites.

    Raises:
        LLMError: the endpoint failed or its reply was not the JSON asked for.
    """
    reply = model.complete(build_messages(question, hits, key_sentences),
                           schema=answer_schema(len(hits)))
    if reply.data is None:
        raise LLMError("LLM reply carried no JSON answer")
    sentences = parse_sentences(reply.data, len(hits))
    checker = SupportChecker(question, hits, embedder)
    for sentence in sentences:
        checker.check(sentence)
    answerable = reply.data.get("answerable") is True and bool(sentences)
    return LLMDraft(answerable=answerable, sentences=sentences, model=model.name)


def parse_sentences(data: dict[str, Any], n_passages: int) -> list[CheckedSentence]:
    """The reply's sentences, cleaned and bounded; citation numbers outside 1..n are dropped."""
    items = data.get("sentences")
    sentences = []
    for item in items[:MAX_SENTENCES] if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        text = normalise_ws(_INLINE_CITES.sub("", str(item.get("text", ""))))[:MAX_SENTENCE_CHARS]
        raw = item.get("citations")
        valid = [n for n in raw if type(n) is int and 1 <= n <= n_passages] if isinstance(
            raw, list) else []  # type(...) is int: a bool is an int too
        cited = list(dict.fromkeys(valid))
        if text:
            sentences.append(CheckedSentence(text=text, cited=cited[:MAX_CITES]))
    return sentences


class SupportChecker:
    """Checks answer sentences against the retrieved passages (their sentences embedded once)."""

    def __init__(self, question: str, hits: list[Hit], embedder: Embedder) -> None:
        self.hits = hits
        self.embedder = embedder
        self.asked = set(content_words(question))
        self.units = [verbatim_units(h.chunk.text) for h in hits]
        flat = [u for units in self.units for u in units]
        vectors = embedder.embed_batch(flat) if flat else np.zeros((0, embedder.dimension))
        self.vectors, start = [], 0
        for units in self.units:
            self.vectors.append(vectors[start:start + len(units)])
            start += len(units)
        self.words = [set(content_words(f"{h.chunk.heading} {h.chunk.text}")) for h in hits]

    def check(self, sentence: CheckedSentence) -> None:
        """Set the sentence's verdict, scores and (when supported) its verbatim quotes."""
        if not sentence.cited:
            return
        vector = self.embedder.embed_query(sentence.text)
        best = {n: self._best_unit(n - 1, vector) for n in sentence.cited}
        sentence.similarity = max(sim for _, sim in best.values())
        novel = set(content_words(sentence.text)) - self.asked
        have = set().union(*(self.words[n - 1] for n in sentence.cited))
        sentence.overlap = len(novel & have) / len(novel) if novel else 1.0
        sentence.supported = (sentence.similarity >= SUPPORT_SIMILARITY
                              and sentence.overlap >= SUPPORT_OVERLAP)
        if sentence.supported:
            top = max(best, key=lambda n: best[n][1])
            sentence.quotes = [self._citation(n - 1, best[n][0]) for n in sentence.cited
                               if n == top or best[n][1] >= SUPPORT_SIMILARITY]

    def _best_unit(self, index: int, vector: np.ndarray) -> tuple[int, float]:
        sims = self.vectors[index] @ vector
        i = int(np.argmax(sims))
        return i, float(sims[i])

    def _citation(self, index: int, unit: int) -> Citation:
        chunk = self.hits[index].chunk
        return Citation(chunk_id=chunk.id, section=chunk.heading, quote=self.units[index][unit])


def verbatim_units(text: str) -> list[str]:
    """The sentences of a passage that stand in it verbatim (whole passage when none do)."""
    whole = normalise_ws(text)
    units = [u for u in (normalise_ws(s) for s in split_sentences(text))
             if len(u.split()) >= 3 and u in whole]
    return units or [whole]


def compose(sentences: list[CheckedSentence]) -> tuple[str, list[Citation]]:
    """The answer text with citation numbers after supported sentences and a visible mark after
    unsupported ones, and the numbered citations (each quote listed once)."""
    citations: list[Citation] = []
    numbers: dict[tuple[str, str], int] = {}
    parts = []
    for sentence in sentences:
        text = sentence.text if sentence.text[-1] in ".!?" else sentence.text + "."
        if not sentence.supported:
            parts.append(f"{text} {UNSUPPORTED_MARK}")
            continue
        refs = []
        for citation in sentence.quotes:
            key = (citation.chunk_id, citation.quote)
            if key not in numbers:
                citations.append(citation)
                numbers[key] = len(citations)
            refs.append(f"[{numbers[key]}]")
        parts.append(f"{text} {''.join(dict.fromkeys(refs))}")
    return " ".join(parts), citations
