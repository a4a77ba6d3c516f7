"""Answering the candidate's own questions about the guide, with numbered, verbatim citations.

Retrieve; gather sentence-level evidence scored against the question and each of its facets
(`tutor.ask.evidence`); decide from that evidence whether the guide covers the question
(`tutor.ask.coverage`: a question it does not cover gets an honest "not in the guide" and the
nearest sections, never an invented answer, and a covered question with a facet the guide does
not treat says so); then answer offline from the chosen sentences, or with a chat model that
writes from them and whose every sentence is checked against the passages it cites
(`tutor.ask.generated`), falling back to the guide's own sentences when none holds.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from pydantic import BaseModel, Field

from tutor.ask.answer_type import gives_figure
from tutor.ask.coverage import Coverage, Naming, coverage_features, judge, names_rare_term
from tutor.ask.evidence import (
    Candidates,
    Evidence,
    Weighting,
    compose,
    gather_candidates,
    weigh,
)
from tutor.ask.facets import (
    FRAME_STEMS,
    question_facets,
    undefined_term,
    unfamiliar_words,
    vocabulary_for,
)
from tutor.ask.generated import LLMDraft, llm_answer
from tutor.ask.generated import compose as compose_checked
from tutor.ask.unanswered import unanswered_card
from tutor.core.errors import InputError, LLMError
from tutor.core.text import clean_input, content_words
from tutor.core.types import Citation, Hit
from tutor.embedding.embedder import Embedder
from tutor.llm.client import ChatModel
from tutor.retrieval.hybrid import HybridRetriever

log = logging.getLogger(__name__)

NOT_COVERED = "The guide does not cover this."
UNANSWERED = 'The guide asks "{question}" but leaves it unanswered.'
MAX_QUESTION_CHARS = 1000
MAX_K = 20
NEAREST_SECTIONS = 3
EVIDENCE_PASSAGES = 8  # passages whose sentences compete as evidence (at least k)


class Answer(BaseModel):
    """The answer to a question about the guide, and how far it can be trusted."""

    question: str = ""
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    grounded: bool = False  # True only when the guide covers it and every sentence is supported
    coverage: float = Field(default=0.0, ge=0.0, le=1.0)  # confidence that the guide covers it
    answered_by: str = "extractive"  # "extractive" or "llm:<model>"
    unsupported: list[str] = Field(default_factory=list)
    missing_facets: list[str] = Field(default_factory=list)  # parts of the question not covered
    nearest_sections: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


def gather(question: str, retriever: HybridRetriever, embedder: Embedder,
           k: int = EVIDENCE_PASSAGES) -> tuple[list[Hit], Candidates, float, Naming]:
    """Retrieve and measure the candidate sentences once: the hits, the candidates, the best
    chunk's cosine to the question and whether the best passage names a rare question term."""
    hits = retriever.search(question, max(k, EVIDENCE_PASSAGES))
    vocabulary = vocabulary_for(retriever.kb)
    facets = question_facets(question, vocabulary)
    candidates = gather_candidates(question, hits, facets, embedder,
                                   retriever.glossary.expand(question),
                                   unfamiliar_words(question, vocabulary))
    dense = retriever.dense(question, 1)
    kb = retriever.kb
    named = names_rare_term(
        [w for w in content_words(question) if w not in FRAME_STEMS],
        set(content_words(hits[0].chunk.text)), kb.document_frequency(),
        len(kb.chunks)) if hits else Naming()
    named = replace(named, undefined=undefined_term(question, vocabulary))
    return hits, candidates, dense[0][1] if dense else 0.0, named


def decide(candidates: Candidates, best_chunk: float, named: Naming,
           weighting: Weighting | None = None) -> tuple[Evidence, Coverage]:
    """Weigh the candidates (shipped weighting unless given) and judge from that evidence
    whether the guide covers the question."""
    evidence = weigh(candidates, weighting)
    no_figure = candidates.figure_asked and not any(gives_figure(s.text)
                                                    for s in evidence.sentences)
    return evidence, judge(coverage_features(evidence, best_chunk, named.named), evidence,
                           only_named=named.only, undefined=named.undefined,
                           no_figure=no_figure)


def assess(question: str, retriever: HybridRetriever, embedder: Embedder,
           k: int = EVIDENCE_PASSAGES) -> tuple[list[Hit], Evidence, Coverage]:
    """Retrieve, gather the evidence and judge coverage (no answer text yet)."""
    hits, candidates, best_chunk, named = gather(question, retriever, embedder, k)
    evidence, coverage = decide(candidates, best_chunk, named)
    return hits, evidence, coverage


def nearest_sections(hits: list[Hit], n: int = NEAREST_SECTIONS) -> list[str]:
    """The distinct sections of the hits, best first."""
    return list(dict.fromkeys(h.chunk.heading for h in hits))[:n]


def answer_question(question: str, retriever: HybridRetriever, embedder: Embedder,
                    chat_model: ChatModel | None = None, k: int = 5) -> Answer:
    """Answer a question from the guide, citing it verbatim.

    Args:
        question: the candidate's question.
        retriever: the hybrid retriever over the live index.
        embedder: the sentence embedder (the retriever's own).
        chat_model: a chat model to write the answer; None answers extractively (offline).
        k: how many passages to retrieve (1-20).

    Raises:
        InputError: the question is empty or k is out of range.
    """
    question, warnings = _clean_question(question)
    if not 1 <= k <= MAX_K:
        raise InputError(f"k must be between 1 and {MAX_K}, got {k}: pass --k N")
    hits, evidence, coverage = assess(question, retriever, embedder, k)
    base = Answer(question=question, answer=NOT_COVERED, coverage=coverage.confidence,
                  nearest_sections=nearest_sections(hits), warnings=warnings)
    unanswered = unanswered_card(question, retriever.kb, embedder)
    if unanswered is not None:  # other sections' quotes would not answer the guide's own gap
        base.answer = UNANSWERED.format(question=unanswered.question)
        return base
    if coverage.undefined:
        base.warnings.append(f'the guide never mentions "{coverage.undefined}"')
    if coverage.no_figure:
        base.warnings.append("the question asks for a figure, and the guide's passages on it "
                             "give none")
    if not hits or not coverage.covered or not evidence.sentences:
        return base
    if coverage.missing:
        base.missing_facets = list(coverage.missing)
        base.warnings.append("the guide does not cover: " + "; ".join(coverage.missing))
    if chat_model is None:
        return _extractive(base, evidence)
    passages = _passages(hits, k, evidence)
    try:
        draft = llm_answer(question, passages, embedder, chat_model,
                           key_sentences=evidence.sentences)
    except LLMError as exc:
        log.warning("LLM answering failed: %s", exc)
        answer = _extractive(base, evidence)
        answer.warnings.append(f"LLM unavailable ({exc}); answered offline from the guide")
        return answer
    return _from_draft(base, draft, evidence)


def _passages(hits: list[Hit], k: int, evidence: Evidence) -> list[Hit]:
    """The k best passages, then any other passage holding a chosen evidence sentence."""
    chosen = {s.chunk_id for s in evidence.sentences}
    return hits[:k] + [h for h in hits[k:] if h.chunk.id in chosen]


def _clean_question(question: str) -> tuple[str, list[str]]:
    question = clean_input(question)
    if not question:
        raise InputError("The question is empty: pass a QUESTION to ask about the guide")
    if len(question) > MAX_QUESTION_CHARS:
        return question[:MAX_QUESTION_CHARS], [
            f"question truncated from {len(question)} to {MAX_QUESTION_CHARS} characters"]
    return question, []


def _extractive(base: Answer, evidence: Evidence) -> Answer:
    text, citations = compose(evidence.sentences)
    if not citations:
        return base.model_copy(update={"warnings": base.warnings + [
            "the nearest passages hold no sentence that answers this"]})
    if base.missing_facets:
        text += " The guide does not cover: " + "; ".join(base.missing_facets) + "."
    return base.model_copy(update={"answer": text, "citations": citations, "grounded": True,
                                   "warnings": list(base.warnings)})


def _from_draft(base: Answer, draft: LLMDraft, evidence: Evidence) -> Answer:
    """Turn the checked model answer into an Answer; unsupported sentences stay visible."""
    by = f"llm:{draft.model}"
    unsupported = draft.unsupported
    if not draft.answerable:
        return base.model_copy(update={"answered_by": by, "unsupported": unsupported,
                                       "warnings": base.warnings + [
                                           "the model found no answer in the guide's passages"]})
    if len(unsupported) == len(draft.sentences):
        answer = _extractive(base, evidence)
        answer.unsupported = unsupported
        answer.warnings.append("none of the model's sentences is supported by the passages it "
                               "cites; answered offline from the guide instead")
        return answer
    text, citations = compose_checked(draft.sentences)
    warnings = list(base.warnings)
    if unsupported:
        warnings.append(f"{len(unsupported)} sentence(s) not supported by the cited passages "
                        "are marked [unsupported]")
    return base.model_copy(update={"answer": text, "citations": citations, "answered_by": by,
                                   "grounded": not unsupported, "unsupported": unsupported,
                                   "warnings": warnings})
