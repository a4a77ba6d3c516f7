"""Sentence-level evidence for an answer: guide sentences scored against the question and each of
its facets, a small non-redundant set chosen, ordered to read as an answer.

Every candidate is a verbatim sentence of a retrieved chunk, read in its section's context (its
vector leans a little toward its section heading's, so "It outputs a probability score" is known
to speak of the discriminator), and a sentence opening with "It", "This"... after the sentence it
refers to. Its relevance is its cosine to the question, plus a little for question words it
contains, for the rank of its passage and its section's retrieval score, and for being the kind
of answer the question's frame asks for ("why" wants a cause: `tutor.ask.answer_type`).
Sentences are then picked greedily (maximal marginal relevance): relevance, minus similarity to
what is already chosen, plus how much it adds to facets the chosen sentences do not yet cover,
so "why does RAG reduce hallucinations" gets a sentence on RAG *and* one on grounding. A chosen
sentence brings the rest of its list item when the item holds two sentences ("Pre-training: The
model is trained on ... It learns to predict the next word in a sentence." is one point of the
guide; at most MAX_COMPANIONS such sentences ride along beyond MAX_SENTENCES). A weak sentence
(KEEP_MARGIN under the best) is kept only as the second, from the first's section. The set opens
with the sentence that answers best (on the team's ask set the answer then opened with a gold
sentence for 61 of its first 109 questions, against 46 when the definition led), then reads
definition, mechanism, example (`role_of`), and `compose` joins the quotes with short
connectives that state nothing of their own.

The candidates are embedded once (`gather_candidates`) and weighed separately (`weigh`), so the
evaluation can compare settings without embedding again. For the words of the question the guide
never uses, `word_support` measures how well any candidate speaks to them, token by token
("speculative" finds nothing; "personalised" finds "personalized"); an everyday word the guide
happens not to use ("appear") matters less than a term of a field, in proportion to its
technicality (`min_technical_support`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np

from tutor.ask.answer_type import DEFINITION, asked_type, asks_figure, of_type
from tutor.ask.extractive import (
    ANAPHOR,
    GuideSentence,
    guide_sentences,
    word_overlap,
)
from tutor.ask.facets import Facet
from tutor.core.lexicon import technicality
from tutor.core.types import Citation, Hit
from tutor.embedding.embedder import Embedder, TokenVectors

LEXICAL_WEIGHT = 0.1  # question words a sentence contains, next to its cosine
RANK_WEIGHT = 0.1  # prior for sentences of passages retrieval ranked higher
CARD_WEIGHT = 0.05  # prior for sentences of the sections retrieval ranked higher
CARD_SCORE_SCALE = 3.0  # retrieval score units below the best section that cost a full weight
REDUNDANCY = 0.5  # MMR: cost per unit of cosine to the closest chosen sentence
FACET_WEIGHT = 0.3  # gain per unit of facet coverage a sentence adds (facets weigh equally)
MIN_SENTENCES, MAX_SENTENCES = 2, 5
MAX_COMPANIONS = 2  # sentences that ride along with their list item, beyond MAX_SENTENCES
KEEP_MARGIN = 0.3  # beyond the minimum, a sentence must score within this of the best
DUPLICATE_COSINE = 0.88
# chosen by cross-validation in `python -m tutor.eval.ask_eval` (`--fit` prints them):
# a sentence is read in its section's context: this share of its vector is its section heading's
SECTION_WEIGHT = 0.3
# an anaphoric sentence ("It outputs a probability score") is read after the sentence it refers
# to: this share of its vector is the pair's
CONTEXT_WEIGHT = 0.7
ANSWER_TYPE_WEIGHT = 0.15  # bonus for a sentence of the kind the question asks for (a cause...)
CARD_SCORE_WEIGHT = 0.05  # cost of a section retrieval scored below the best one (per scale)
# a chosen sentence brings the rest of its list item or paragraph when that holds at most this
# many sentences (1: the sentence alone)
ITEM_SENTENCES = 2
EXAMPLE = re.compile(r"\W*(?:for example|for instance|e\.g\.|example|imagine)\b",
                     re.IGNORECASE)
LIST_NUMBER = re.compile(r"^\s*\d{1,3}[.)]\s*")
OWN_LABEL = re.compile(r"[^\s:][^:.]{0,40}:\s")  # a quote that opens with its own label
ROLES = ("definition", "mechanism", "example")
# what precedes a quote, by its role: within the first section, then from another section;
# connectives only say how the quotes relate, never anything about the topic
CONTINUE = {"definition": "", "mechanism": "In more detail: ", "example": "For example: "}
ELSEWHERE = {"definition": "Also: ", "mechanism": "Also: ", "example": "For example: "}


@dataclass(frozen=True)
class Weighting:
    """How the evidence score weighs a sentence's context and priors (cross-validated)."""

    section: float = SECTION_WEIGHT
    context: float = CONTEXT_WEIGHT
    answer_type: float = ANSWER_TYPE_WEIGHT
    card_score: float = CARD_SCORE_WEIGHT
    item_sentences: int = ITEM_SENTENCES  # a list item this short is read whole
    facet: float = FACET_WEIGHT  # MMR gain per unit of facet coverage a sentence adds


@dataclass
class Evidence:
    """The chosen sentences and what the candidates say about the question's coverage."""

    sentences: list[GuideSentence]
    best_similarity: float  # the best candidate's cosine to the question
    facet_coverage: list[tuple[Facet, float]] = field(default_factory=list)
    word_support: list[tuple[str, float]] = field(default_factory=list)

    def min_coverage(self, kind: str) -> float:
        """The least-covered facet of a kind (1.0 when the question has none)."""
        return min((c for f, c in self.facet_coverage if f.kind == kind), default=1.0)

    def min_word_support(self) -> float:
        """The least-supported word the guide never uses (1.0 when the question has none)."""
        return min((s for _, s in self.word_support), default=1.0)

    def min_technical_support(self) -> float:
        """The same, each word's shortfall scaled by its technicality: an everyday word the guide
        does not use ("anything") counts as supported, a term of a field ("speculative") as is."""
        return min((1.0 - technicality(w.lower()) * (1.0 - s) for w, s in self.word_support),
                   default=1.0)

    def subject_support(self) -> float:
        """The least-supported word the guide never uses in the question's first facet, what it
        asks about ("temperature" in "What does the temperature setting do ...?"), whatever its
        technicality (1.0 when that facet has none)."""
        if not self.facet_coverage:
            return 1.0
        subject = {w.lower() for w in self.facet_coverage[0][0].text.split()}
        return min((s for w, s in self.word_support if w.lower() in subject), default=1.0)

    def uncovered(self, threshold: float) -> list[str]:
        """Facets holding a term of a field the guide does not use ("speculative") that no
        candidate sentence speaks to (its support below threshold). An everyday word the guide
        happens not to use ("exactly", "big") is never named: the guide says it otherwise."""
        weak = {w.lower() for w, s in self.word_support if s < threshold}
        return [f.text for f, _ in self.facet_coverage
                if f.kind == "rare" and any(w.lower() in weak for w in f.text.split())]


@dataclass
class Candidates:
    """Everything measured once about a question's candidate sentences, before they are weighed."""

    sentences: list[GuideSentence]
    vectors: np.ndarray  # each sentence's own vector
    context_vectors: np.ndarray  # read after the sentence it refers to (else its own vector)
    section_vectors: np.ndarray  # each sentence's section heading's vector
    query: np.ndarray  # the (expanded) question's vector
    overlap: list[float]
    facets: list[Facet]
    facet_vectors: np.ndarray
    cards: list[str]  # the hits' cards, best first
    passages: int  # how many hits the sentences come from
    word_support: list[tuple[str, float]] = field(default_factory=list)
    answer_type: list[bool] = field(default_factory=list)  # of the kind the question asks for
    card_gap: list[float] = field(default_factory=list)  # its section's retrieval score - best
    figure_asked: bool = False  # the question asks for a figure (tutor.ask.answer_type)


def gather_candidates(question: str, hits: list[Hit], facets: list[Facet], embedder: Embedder,
                      expanded: str | None = None, words: list[str] | None = None) -> Candidates:
    """Embed the hits' sentences (and their sections) once, and measure how well the guide's
    sentences support each of `words`, the question's words the guide never uses."""
    sentences = guide_sentences(hits)
    vectors, tokens = embedder.embed_with_tokens([s.scored_text for s in sentences])
    context = vectors.copy()
    read_after = [i for i, s in enumerate(sentences) if s.context_text != s.scored_text]
    if read_after:
        context[read_after] = embedder.embed_batch([sentences[i].context_text for i in read_after])
    headings = list(dict.fromkeys(s.section for s in sentences))
    heading_vectors = dict(zip(headings, embedder.embed_batch(headings), strict=True))
    sections = (np.stack([heading_vectors[s.section] for s in sentences]) if sentences
                else np.zeros_like(vectors))
    facet_vectors = (embedder.embed_batch([f.text for f in facets]) if facets
                     else np.zeros((0, embedder.dimension), dtype=np.float32))
    card_score: dict[str, float] = {}
    for h in hits:
        card_score[h.chunk.card_id] = max(card_score.get(h.chunk.card_id, h.score), h.score)
    top = max(card_score.values(), default=0.0)
    kind = asked_type(question)
    return Candidates(
        sentences, vectors, context, sections, embedder.embed_query(expanded or question),
        word_overlap(expanded or question, [s.scored_text for s in sentences]), facets,
        facet_vectors, list(dict.fromkeys(h.chunk.card_id for h in hits)), len(hits),
        word_support(question, words or [], tokens, embedder),
        [of_type(kind, s.text) for s in sentences],
        [card_score[s.card_id] - top for s in sentences], asks_figure(question))


def word_support(question: str, words: list[str], sentences: list[TokenVectors],
                 embedder: Embedder) -> list[tuple[str, float]]:
    """Each word's best support among the sentences: the mean over its word pieces (as the
    model reads them in the question) of their best cosine to a piece of one sentence."""
    if not words:
        return []
    question_tokens = embedder.embed_with_tokens([question])[1][0]
    pieces = list(question_tokens.pieces)
    support = []
    for word in words:
        wanted = embedder.word_pieces(word.lower())
        start = next((i for i in range(len(pieces)) if pieces[i:i + len(wanted)] == wanted), None)
        if start is None or not wanted:
            continue
        own = question_tokens.vectors[start:start + len(wanted)]
        support.append((word, max((float((own @ s.vectors.T).max(axis=1).mean())
                                   for s in sentences if len(s.pieces)), default=0.0)))
    return support


def weigh(candidates: Candidates, weighting: Weighting | None = None) -> Evidence:
    """Score the candidates against the question and its facets (each read in its section's
    context and, when it opens with "It"/"This"..., after the sentence it refers to); choose the
    answer's. The coverage measurements use the sentence in its section's context only."""
    weighting = weighting or Weighting()
    sentences = [replace(s) for s in candidates.sentences]
    if not sentences:
        return Evidence([], 0.0, [(f, 0.0) for f in candidates.facets], candidates.word_support)
    plain = _in_section(candidates.vectors, candidates.section_vectors, weighting.section)
    context = weighting.context
    read = (1 - context) * candidates.vectors + context * candidates.context_vectors
    vectors = _in_section(read, candidates.section_vectors, weighting.section)
    similarity = vectors @ candidates.query
    cards = candidates.cards
    for n, (sentence, sim, lex) in enumerate(zip(sentences, similarity, candidates.overlap,
                                                 strict=True)):
        prior = 1.0 - sentence.hit_rank / max(candidates.passages, 1)
        card_prior = 1.0 - cards.index(sentence.card_id) / len(cards)
        gap = max(candidates.card_gap[n] / CARD_SCORE_SCALE, -1.0) if candidates.card_gap else 0.0
        typed = bool(candidates.answer_type) and candidates.answer_type[n]
        sentence.score = (float(sim) + LEXICAL_WEIGHT * lex + RANK_WEIGHT * prior
                          + CARD_WEIGHT * card_prior + weighting.card_score * gap
                          + weighting.answer_type * typed)
    coverage = [(f, float(c)) for f, c in zip(candidates.facets, _facet_sims(candidates, plain)
                                              .max(axis=1, initial=-1.0), strict=True)]
    known = [n for n, f in enumerate(candidates.facets) if f.kind == "known"]
    chosen = select(sentences, vectors, _facet_sims(candidates, vectors)[known],
                    item_sentences=weighting.item_sentences, facet_weight=weighting.facet)
    return Evidence(order_as_answer(chosen), float((plain @ candidates.query).max()), coverage,
                    candidates.word_support)


def _in_section(vectors: np.ndarray, section_vectors: np.ndarray, weight: float) -> np.ndarray:
    """Sentence vectors leaning `weight` toward their section heading's, normalised."""
    mixed = (1 - weight) * vectors + weight * section_vectors
    return mixed / np.maximum(np.linalg.norm(mixed, axis=1, keepdims=True), 1e-12)


def _facet_sims(candidates: Candidates, vectors: np.ndarray) -> np.ndarray:
    """(facets, sentences) cosines."""
    if not candidates.facets:
        return np.zeros((0, len(vectors)))
    return np.asarray(candidates.facet_vectors @ vectors.T)


def select(sentences: list[GuideSentence], vectors: np.ndarray, facet_sims: np.ndarray,
           max_sentences: int = MAX_SENTENCES, item_sentences: int = ITEM_SENTENCES,
           facet_weight: float = FACET_WEIGHT) -> list[GuideSentence]:
    """Greedy maximal marginal relevance with a bonus for facets not yet covered. A chosen
    sentence brings the rest of its list item (up to `item_sentences` sentences long), which do
    not count toward `max_sentences`, and an "It ..." sentence the one it refers to."""
    relevance = np.asarray([s.score for s in sentences])
    best = float(relevance.max())
    before = _predecessors(sentences)
    covered = np.zeros(len(facet_sims))
    kept: list[int] = []
    free = 0  # companions of a list item ride along without taking a place
    candidates = set(range(len(sentences)))
    while candidates and len(kept) - free < max_sentences:
        gain = {i: _gain(i, relevance, vectors, facet_sims, covered, kept, facet_weight)
                for i in candidates}
        i = max(gain, key=lambda j: (gain[j], -j))
        candidates.discard(i)
        if relevance[i] < best - KEEP_MARGIN:
            if len(kept) >= MIN_SENTENCES:
                break
            if kept and sentences[i].card_id != sentences[kept[0]].card_id:
                continue  # the minimum is filled from the first section, not with a stray
        group = [i]
        j = before.get(i)
        if ANAPHOR.match(sentences[i].text) and j is None and not sentences[i].label \
                and sentences[i].previous:
            continue  # "It implements …" whose antecedent cannot be shown reads as nonsense
        if ANAPHOR.match(sentences[i].text) and j is not None and j not in kept:
            group.insert(0, j)  # "They ..." reads with the sentence it refers to
        if len(kept) - free + len(group) > max_sentences:
            continue
        companions = [c for c in _same_item(i, sentences, candidates, item_sentences)
                      if c not in group]
        if free + len(companions) > MAX_COMPANIONS:
            companions = []
        group = sorted(group + companions)
        if any(float(vectors[g] @ vectors[k]) >= DUPLICATE_COSINE for g in group for k in kept):
            continue
        free += len(companions)
        for g in group:
            kept.append(g)
            candidates.discard(g)
            if len(facet_sims):
                covered = np.maximum(covered, facet_sims[:, g])
    return [sentences[i] for i in kept]


def _gain(i: int, relevance: np.ndarray, vectors: np.ndarray, facet_sims: np.ndarray,
          covered: np.ndarray, kept: list[int], facet_weight: float) -> float:
    redundancy = max((float(vectors[i] @ vectors[k]) for k in kept), default=0.0)
    added = float(np.maximum(facet_sims[:, i] - covered, 0).mean()) if len(facet_sims) else 0.0
    return float(relevance[i]) - REDUNDANCY * max(redundancy, 0.0) + facet_weight * added


def _same_item(i: int, sentences: list[GuideSentence], candidates: set[int],
               item_sentences: int) -> list[int]:
    """The other candidates of sentence i's list item or paragraph, when it holds at most
    `item_sentences` sentences ("Pre-training: The model is trained on ... It learns to predict
    the next word" is one point of the guide)."""
    s = sentences[i]
    if s.line_sentences > item_sentences:
        return []
    return [j for j in candidates if j != i and sentences[j].chunk_id == s.chunk_id
            and sentences[j].line == s.line]


def _predecessors(sentences: list[GuideSentence]) -> dict[int, int]:
    """Index of the sentence just before each one in the same chunk, when it is a candidate."""
    where = {(s.chunk_id, s.position): i for i, s in enumerate(sentences)}
    return {i: where[(s.chunk_id, s.position - 1)] for i, s in enumerate(sentences)
            if (s.chunk_id, s.position - 1) in where}


def role_of(sentence: GuideSentence) -> str:
    """definition, example or mechanism (everything else), from the sentence's own wording: an
    example opens as one ("For example, …", "Example: …"), a sentence that only names examples
    on the way ("… such as BERT") is not one."""
    text = f"{sentence.label} {sentence.text}".strip() if sentence.label else sentence.text
    if DEFINITION.match(text):
        return "definition"
    if EXAMPLE.match(sentence.text) or EXAMPLE.match(sentence.label):
        return "example"
    return "mechanism"


def order_as_answer(chosen: list[GuideSentence]) -> list[GuideSentence]:
    """The sentence that answers best leads, whatever its role (with the sentence it refers to
    before it, when it opens with "This ..."); then sections by their best sentence, and inside a
    section definition, mechanism, example, the rest in the guide's order (a sentence opening
    with "This ..." stays after the one it follows, a list item's second sentence after its
    first)."""
    best: dict[str, float] = {}
    for s in chosen:
        best[s.card_id] = max(best.get(s.card_id, -1.0), s.score)
    lead = max(chosen, key=lambda s: s.score, default=None)

    def key(s: GuideSentence) -> tuple:
        before = next((p for p in chosen if p.chunk_id == s.chunk_id
                       and p.position == s.position - 1), None)
        if before is not None and (ANAPHOR.match(s.text) or (
                before.line == s.line and 1 < s.line_sentences <= ITEM_SENTENCES)):
            # right after the sentence it follows, or the one that opens its list item
            return (*key(before)[:-1], s.position - 0.5)
        leads = s is not lead and not _opens(s, lead, chosen)
        return (leads, -best[s.card_id], s.card_id, ROLES.index(role_of(s)), s.chunk_position,
                s.position)

    return sorted(chosen, key=key)


def _opens(s: GuideSentence, lead: GuideSentence | None, chosen: list[GuideSentence]) -> bool:
    """Whether s is the sentence the leading one follows ("This ..." after it), so leads too."""
    if lead is None or s.chunk_id != lead.chunk_id or s.position != lead.position - 1:
        return False
    return bool(ANAPHOR.match(lead.text)) or (s.line == lead.line
                                               and 1 < lead.line_sentences <= ITEM_SENTENCES)


def compose(sentences: list[GuideSentence]) -> tuple[str, list[Citation]]:
    """The answer text (quotes joined by connectives, each followed by its citation number) and
    the citations, each quote verbatim."""
    parts, citations = [], []
    first_card = sentences[0].card_id if sentences else ""
    previous_role = ""
    for number, sentence in enumerate(sentences, 1):
        role = role_of(sentence)
        same = sentence.card_id == first_card
        if number == 1:
            lead = ""
        elif same and role == previous_role:
            lead = ""
        elif same:
            lead = CONTINUE[role]
        else:
            lead = ELSEWHERE[role]
        if role == "example" and EXAMPLE.match(sentence.text):  # it says so itself
            lead = "" if same else ELSEWHERE["mechanism"]
        if same and OWN_LABEL.match(sentence.text):  # "Language: Trained on text" names itself
            lead = ""
        follows = number > 1 and sentences[number - 2].chunk_id == sentence.chunk_id \
            and sentences[number - 2].position == sentence.position - 1
        label = LIST_NUMBER.sub("", sentence.label).rstrip(": ")
        if label and not follows and not OWN_LABEL.match(sentence.text):
            # the guide's label over the quote says what it is about ("Historical Averaging:
            # This approach ...", a table cell under its column's header)
            lead = f"{'Also, ' if not same else ''}{label}: "
        text = sentence.text if sentence.text[-1] in ".!?" else sentence.text + "."
        parts.append(f"{lead}{text} [{number}]")
        citations.append(sentence.citation())
        previous_role = role
    return " ".join(parts), citations
