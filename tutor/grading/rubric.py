"""Resolve what an answer is graded against: a guide card, a supplied reference, or passages."""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from tutor.core.lexicon import TECHNICAL, technicality
from tutor.core.text import (
    STOPWORDS,
    content_words,
    split_sentences,
    stem,
    tokenize,
)
from tutor.core.types import Card, Citation, Hit
from tutor.embedding.embedder import Embedder
from tutor.grading.follow_ups import GENERIC, resolved, template_follow_up
from tutor.grading.rubric_files import CardRubricSpec, RubricBook
from tutor.grading.statements import (
    DOCUMENT_TALK,
    DOCUMENT_WORDS,
    LIST_MARK,
    Statement,
    card_statements,
    chunk_quoting,
    plain_quote,
    short_label,
    surface_words,
)
from tutor.grading.terms import TermGroup
from tutor.index.cache import IndexCache
from tutor.index.knowledge import KnowledgeBase
from tutor.ingest.cautions import cautioned
from tutor.retrieval.glossary import find_abbreviations
from tutor.retrieval.hybrid import HybridRetriever

REFERENCE_ID = "reference"
CARD_MATCH_THRESHOLD = 0.5  # confidence above which the question is taken as the card's
MAX_PASSAGE_POINTS = 6
STRONG_TITLE_MATCH = 0.8
MAX_ESSENTIAL = 6  # extracted rubrics: the first points are essential, the rest supporting
ANSWERED_FOLLOW_UP = re.compile(r"^\W*[\"“'‘][^\"”’]{3,200}\?[\"”’']\s*(?:→|->|—|:|-)\s*\S")
AUTO_TERMS = 3  # extracted rubrics: each point's most specific words become its key terms
MIN_NOVEL_WORDS = 3  # a guide sentence that adds fewer words to the question is no point
SPECIFIC_TECHNICALITY = 0.5  # a word at least this rare in everyday English ...
SPREAD_SHARE = 0.25  # ... and in at most this share of the guide's cards is specific to a card
log = logging.getLogger(__name__)


@dataclass
class RubricPoint:
    """One thing a good answer states, with the verbatim text that grounds it."""

    label: str
    text: str
    citation: Citation
    units: list[str] = field(default_factory=list)  # sentences compared with the answer
    weight: float = 1.0
    essential: bool = True
    terms: tuple[TermGroup, ...] = ()  # concepts (with aliases) that evidence the point
    follow_up: str | None = None  # the interviewer's question when the point is missing
    side: str = ""  # the guide's label over the point ("Self-Consistency"), when it names one


@dataclass
class Rubric:
    """Key points for one question and where they come from."""

    question: str
    points: list[RubricPoint]
    card: Card | None = None
    source: str = "card"  # card | curated | reference | passages
    confidence: float = 1.0
    reference_text: str = ""
    in_guide: bool = True  # the guide treats the question (its vocabulary is a fair yardstick)

    @property
    def section(self) -> str | None:
        return self.card.heading if self.card else None

    def texts(self) -> list[str]:
        """Everything the rubric says: its question, reference, points and their key terms."""
        return [self.question, self.reference_text, *(t for p in self.points for t in (
            p.label, p.text, *p.units, *(a for g in p.terms for a in g.aliases)))]


def units_of(text: str, label: str = "") -> list[str]:
    """The sentences of a key point that say something (bare titles like "Bias:" only when
    nothing else states the point: a short title matches any on-topic sentence)."""
    sentences = [s for s in split_sentences(text) if len(s) > 12]
    stated = [s for s in sentences if not s.endswith(":") and s.rstrip(":") != label]
    return stated or sentences or [text]


def rubric_from_card(card: Card, kb: KnowledgeBase, book: RubricBook | None = None) -> Rubric:
    """The card's curated rubric when the book has one, else one extracted from its text."""
    spec = book.get(card.heading) if book is not None else None
    if spec is not None:
        return _curated(card, kb, spec)
    donts = cautioned(card.body)  # a "Common pitfalls:" item is no point to make
    statements = [s for s in card_statements(card, kb) if _item(s) not in donts]
    statements = [s for s in statements if not _about_the_document(s, card, kb)]
    kept = [s for s in statements if _says_something(s, card)] or statements
    points: list[RubricPoint] = []
    passages: list[str] = []  # a table row's cells are one passage: one essential place
    previous = ""  # the statement before, whose subject "They ..." / "It ..." may stand for
    for s in kept:
        chunk = kb.chunk(s.chunk_id)
        if s.text not in passages:
            passages.append(s.text)
        # a follow-up the guide answers ('"Is decode ever compute-bound?" → At large batch…')
        # goes beyond the question: worth knowing, not expected
        essential = len(passages) <= MAX_ESSENTIAL and not ANSWERED_FOLLOW_UP.match(s.text)
        label = s.title if not s.title.endswith("…") else short_label(
            s.units[0] if s.units else s.text)  # a table row by its first cell, not its bars
        if any(p.label == label for p in points):  # labels name points in grades: keep apart
            label = short_label(s.text)
        if s.side and s.side.casefold() not in label.casefold():  # "Self-Consistency: Generate…"
            label = f"{s.side}: {label}"
        points.append(RubricPoint(
            label=label, text=s.text,
            units=list(s.units) if s.units else [LIST_MARK.sub("", s.text)] if s.named
            else units_of(s.text, s.title),
            citation=Citation(chunk_id=s.chunk_id, section=chunk.heading if chunk else
                              card.heading, quote=s.text),
            essential=essential, weight=round((1.0 if essential else 0.5) * s.share, 4),
            terms=_auto_terms(s, card, kb), follow_up=_follow_up(s, card, previous),
            side=s.side))
        previous = s.text
    return Rubric(question=card.question, points=points, card=card, source="card",
                  reference_text=card.body)


def _follow_up(s: Statement, card: Card, previous: str = "") -> str:
    """The template follow-up of a statement's title and text, else of the label over it, else
    of its text with an opening "They" / "It" read as the previous statement's subject
    ("XGBoost and LightGBM are popular implementations. They add regularization ..." -> "What
    do XGBoost and LightGBM add?")."""
    asked = template_follow_up(s.title, s.text, card)
    if asked == GENERIC and s.side:
        asked = template_follow_up(s.side, "", card)
    if asked == GENERIC and previous:
        asked = template_follow_up("", resolved(s.text, previous), card)
    return asked


def _curated(card: Card, kb: KnowledgeBase, spec: CardRubricSpec) -> Rubric:
    points = []
    for p in spec.points:
        quote = plain_quote(p.quote)
        chunk = chunk_quoting(card, kb, quote)
        if chunk is None:
            log.warning("curated point of %r: quote not found in the indexed card, shown "
                        "without a citation: %.60s", card.heading, quote)
        citation = (Citation(chunk_id=chunk.id, section=chunk.heading, quote=quote)
                    if chunk is not None else None)
        points.append(RubricPoint(
            label=p.statement, text=quote, units=[p.statement, *units_of(quote)],
            citation=citation,  # type: ignore[arg-type]
            weight=p.weight, essential=p.essential,
            terms=tuple(TermGroup.of(g) for g in p.terms if g), follow_up=p.follow_up))
    return Rubric(question=card.question, points=points, card=card, source="curated",
                  reference_text=card.body)


def _says_something(s: Statement, card: Card) -> bool:
    """Intros and restatements of the question are no rubric points; a list item naming one
    thing the question does not is."""
    asked = set(content_words(card.question + " " + card.heading))
    return len(set(content_words(s.text)) - asked) >= (1 if s.named else MIN_NOVEL_WORDS)


def _about_the_document(s: Statement, card: Card, kb: KnowledgeBase) -> bool:
    """A sentence about the interview or the guide ("This is one of the most frequently asked
    deep learning interview questions.") states no point unless it also says something specific
    to its card: a word, beyond the question's and the document's own, that is rare in everyday
    English and not spread over the guide's cards."""
    if not DOCUMENT_TALK.search(s.text):
        return False
    asked = set(content_words(card.question + " " + card.heading))
    spread = _card_frequency(kb)
    most = SPREAD_SHARE * max(1, len(kb.cards))
    return not any(w not in DOCUMENT_WORDS and stem(w) not in asked
                   and technicality(w) >= SPECIFIC_TECHNICALITY and spread[stem(w)] <= most
                   for w in surface_words(DOCUMENT_TALK.sub(" ", s.text)))


@lru_cache(maxsize=4)
def _card_frequency(kb: KnowledgeBase) -> Counter[str]:
    """In how many of the guide's cards each content word (stemmed) occurs."""
    return Counter(w for c in kb.cards for w in set(content_words(f"{c.question}\n{c.body}")))


def _item(s: Statement) -> str:
    """A statement's first line as `cautioned` lists it (the card's key points leave those
    items out already; the short list items statements add back need this)."""
    return LIST_MARK.sub("", s.text.split("\n")[0]).strip().rstrip(",;")


def _auto_terms(s: Statement, card: Card, kb: KnowledgeBase) -> tuple[TermGroup, ...]:
    """The point's most technical words (rarest in everyday English, then in the guide), as the
    guide writes them: never an everyday word (`technicality` 0) nor one of the question's."""
    asked = set(content_words(card.question + " " + card.heading))
    rarity = kb.document_frequency()
    words: dict[str, str] = {}  # stem -> the guide's word
    said = s.text if not s.units else s.units[0].split(": ", 1)[-1] if s.share < 1 \
        else " ".join(s.units)  # a table cell: its own words, not the row's or column's name
    for word in surface_words(said):
        if stem(word) not in asked and technicality(word) > 0:
            words.setdefault(stem(word), word)
    picked = sorted(words, key=lambda w: (-technicality(words[w]), rarity.get(w, 0)))
    return tuple(TermGroup.of([words[w]]) for w in picked[:AUTO_TERMS])


def rubric_from_reference(question: str, reference: str) -> Rubric:
    """A teacher-supplied reference: each sentence is a key point, cited to the reference. A key
    term that is an abbreviation the reference defines is also heard spelt out: "LIFO" as
    "last-in, first-out". (The guide's own abbreviations were tried too: on the team's answers
    graded against references they helped wrong and padded answers more than right ones. So
    was cutting a sentence at ", while" / ", whereas" into one point per side, which lets
    `tutor.grading.attribution` catch "high variance is when the model is too simple": held out
    on the team's rows it lowered the Pearson against references from 0.754 to 0.743.)"""
    sentences = [s for s in split_sentences(reference) if len(s) > 12] or [reference.strip()]
    spelt_out = {a.short.lower(): a.long for a in find_abbreviations([reference])}
    points = [
        RubricPoint(label=short_label(s), text=s, units=[s],
                    citation=Citation(chunk_id=REFERENCE_ID, section="supplied reference", quote=s),
                    terms=tuple(_with_long_form(g, spelt_out)
                                for g in _technical_terms(s, question)))
        for s in sentences
    ]
    return Rubric(question=question, points=points, source="reference", reference_text=reference)


def _with_long_form(group: TermGroup, spelt_out: dict[str, str]) -> TermGroup:
    """The term group with the long form of the abbreviation it names, if one is known."""
    extra = [spelt_out[a.lower()] for a in group.aliases if a.lower() in spelt_out]
    return TermGroup.of([*group.aliases, *extra]) if extra else group


def _technical_terms(text: str, question: str) -> tuple[TermGroup, ...]:
    """A reference sentence's most technical words (rare in everyday English, not the
    question's) as its key terms: the words a grader listens for."""
    asked = set(content_words(question))
    words = dict.fromkeys(t for t in tokenize(text) if t not in STOPWORDS and len(t) > 2
                          and stem(t) not in asked)
    ranked = sorted(words, key=technicality, reverse=True)
    return tuple(TermGroup.of([w]) for w in ranked[:AUTO_TERMS] if technicality(w) >= TECHNICAL)


def resolve_rubric(question: str, retriever: HybridRetriever, embedder: Embedder,
                   reference: str | None = None, card_id: str | None = None,
                   book: RubricBook | None = None, store: IndexCache | None = None) -> Rubric:
    """Pick the rubric for a question: explicit card, reference, matching card, or passages."""
    kb = retriever.kb
    if card_id:
        card = kb.card(card_id)
        if card is None:
            from tutor.core.errors import InputError

            raise InputError(f"Unknown card id {card_id!r}: list them with `tutor cards`")
        return rubric_from_card(card, kb, book)
    hits = retriever.search(question, 8)
    card, confidence = _best_card(question, hits, retriever, embedder, store) if hits \
        else (None, 0.0)
    if reference and reference.strip():
        rubric = rubric_from_reference(question, reference)
        rubric.in_guide = card is not None and confidence >= CARD_MATCH_THRESHOLD
        return rubric
    if not hits:
        return Rubric(question=question, points=[], source="passages", confidence=0.0)
    if card is not None and confidence >= CARD_MATCH_THRESHOLD:
        rubric = rubric_from_card(card, kb, book)
        rubric.confidence = round(confidence, 3)
        return rubric
    return _rubric_from_passages(question, hits, confidence)


def _best_card(question: str, hits: list[Hit], retriever: HybridRetriever,
               embedder: Embedder, store: IndexCache | None = None) -> tuple[Card | None, float]:
    """The card the question most likely asks, and how sure we are (a cosine-like 0-1).

    Hybrid retrieval picks the card (it ranks sections best); a near-verbatim question match
    overrides it. Confidence combines similarity to the card's question and to its best passage,
    plus a little when dense and BM25 agree.
    """
    kb = retriever.kb
    q = embedder.embed_query(question)
    ids, vectors = _title_vectors(kb, embedder, store)
    sims = vectors @ q
    title_sim: dict[str, float] = {}
    for card_id, sim in zip(ids, sims):
        title_sim[card_id] = max(title_sim.get(card_id, -1.0), float(sim))
    best = hits[0].chunk.card_id
    by_title = max(title_sim, key=lambda cid: title_sim[cid])
    if title_sim[by_title] >= STRONG_TITLE_MATCH:
        best = by_title
    passage = max((sim for cid, sim in retriever.dense(question, 10)
                   if (chunk := kb.chunk(cid)) is not None and chunk.card_id == best), default=0.0)
    agree = any(h.chunk.card_id == best and h.dense_rank == 1 for h in hits) and any(
        h.chunk.card_id == best and h.bm25_rank == 1 for h in hits)
    return kb.card(best), max(title_sim[best], passage + 0.1) + 0.05 * agree


@lru_cache(maxsize=4)
def _title_vectors(kb: KnowledgeBase, embedder: Embedder,
                   store: IndexCache | None) -> tuple[list[str], np.ndarray]:
    """Every card's question and heading embedded in one batch (card id per row), kept in the
    index's store when there is one."""
    pairs = [(c.id, t) for c in kb.cards for t in dict.fromkeys((c.question, c.heading))]
    stored = store.load_arrays("card-titles") if store is not None else None
    if stored is not None and len(stored["vectors"]) == len(pairs):
        return [cid for cid, _ in pairs], stored["vectors"]
    vectors = embedder.embed_batch([t for _, t in pairs])
    if store is not None:
        store.save_arrays("card-titles", vectors=vectors)
    return [cid for cid, _ in pairs], vectors


def _rubric_from_passages(question: str, hits: list, confidence: float) -> Rubric:
    points: list[RubricPoint] = []
    for hit in hits[:3]:
        for sentence in split_sentences(hit.chunk.text):
            if len(sentence) > 40 and len(points) < MAX_PASSAGE_POINTS:
                points.append(RubricPoint(
                    label=short_label(sentence), text=sentence, units=[sentence],
                    citation=Citation(chunk_id=hit.chunk.id, section=hit.chunk.heading,
                                      quote=sentence)))
    return Rubric(question=question, points=points, source="passages",
                  confidence=round(max(confidence, 0.0), 3),
                  reference_text="\n".join(h.chunk.text for h in hits[:3]))
