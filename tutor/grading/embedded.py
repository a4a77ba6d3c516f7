"""The offline grader: rubric points credited from key terms and sentence meaning, scored by a
documented formula (tutor.grading.scoring). It can only quote the guide."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np
from cachetools import LRUCache

from tutor.core.text import (
    clean_input,
    content_words,
    split_sentences,
    stem,
    tokenize,
    unwrap_lines,
)
from tutor.core.types import Grade
from tutor.embedding.embedder import Embedder, TokenVectors
from tutor.grading.alignment import answer_segments, prose_ratio, without_question_words
from tutor.grading.evidence import (
    AnswerEvidence,
    misplaced_share,
    point_evidence,
    unsupported_sentences,
)
from tutor.grading.feedback import build_grade, point_result
from tutor.grading.injection import INJECTION_WARNING, strip_injections
from tutor.grading.off_target import OtherQuestion, OtherQuestionCheck
from tutor.grading.polarity import said_both_ways
from tutor.grading.rubric import STRONG_TITLE_MATCH, Rubric, resolve_rubric
from tutor.grading.rubric_files import RubricBook, load_rubric_book
from tutor.grading.scoring import (
    PARAMS_FILES,
    ScoringParams,
    combine,
    evidence,
    grounded_status,
    grounding_factor,
    load_params,
    params_kind,
    scaled_similarity,
    status_and_credit,
)
from tutor.grading.spelling import correct_spelling, rubric_words
from tutor.grading.token_alignment import TokenRecall, content_tokens, joined, per_point_recall
from tutor.index.cache import IndexCache
from tutor.retrieval.hybrid import HybridRetriever

NON_ANSWER = re.compile(
    r"^(?:sorry[,.!]?\s*)?(?:i\s*(?:do\s*n[o']?t|dont)\s*(?:know|remember)|idk|pass|skip|n/?a|none"
    r"|nothing|(?:i\s*(?:'?m|am)\s*)?not\s*(?:sure|certain)|(?:i\s*have\s*)?no\s*(?:idea|clue)"
    r"|i\s*(?:can'?t|cannot)\s*remember|i\s*forgot|\?+|-+|\.+)[\s.!,?]*(?:sorry)?[\s.!]*$",
    re.IGNORECASE)
KEYWORD_LIST_CAP = 1.5
NOTICEABLE = 0.25  # a score change this large shows at one decimal: below it, no warning
SEGMENT_CACHE_SIZE = 4096  # answer sentences kept embedded (batches are embedded ahead)
UNIT_CACHE_SIZE = 8192  # rubric sentences kept embedded
NOT_IN_GUIDE_NOTE = ("the guide does not treat this question: the answer was graded against the "
                     "reference alone, without checking its vocabulary against the guide's topics")
OFFLINE_NOTE = ("graded offline against the guide's rubric: claims beyond the guide's words "
                "could not be checked (configure an LLM endpoint for that)")


@dataclass
class Analysis:
    """Everything the embedded grader computed for one answer."""

    rubric: Rubric
    answer: str
    evidence: AnswerEvidence
    warnings: list[str]
    other_question: OtherQuestion | None = None  # a guide question the answer fits better


class EmbeddedGrader:
    """Grades by crediting rubric points with the answer's evidence; it can only quote the guide."""

    name = "embedded"

    def __init__(self, retriever: HybridRetriever, embedder: Embedder,
                 params: ScoringParams | None = None, strictness: float = 0.0,
                 max_answer_chars: int = 8000, rubrics: RubricBook | None = None,
                 store: IndexCache | None = None) -> None:
        self.retriever = retriever
        self.embedder = embedder
        # fitted apart per kind of rubric (tutor.grading.scoring.params_kind)
        self.params_by_kind = {kind: params or load_params(kind=kind) for kind in PARAMS_FILES}
        self.params = self.params_by_kind["guide"]
        self.rubrics = rubrics if rubrics is not None else load_rubric_book()
        self.strictness = strictness
        self.max_answer_chars = max_answer_chars
        self._unit_cache: LRUCache[str, np.ndarray] = LRUCache(UNIT_CACHE_SIZE)
        # sentence -> (vector, content token vectors); filled by `warm` for batches
        self._segment_cache: LRUCache[str, tuple[np.ndarray, TokenVectors]] = LRUCache(
            SEGMENT_CACHE_SIZE)
        self.store = store  # rubric vectors kept beside the index, so a new process starts fast
        self.tokens = TokenRecall(embedder, lambda: [c.text for c in retriever.kb.chunks], store)
        self.other_question = OtherQuestionCheck(retriever, self.tokens)

    def grade(self, question: str, answer: str, reference: str | None = None,
              card_id: str | None = None, rubric: Rubric | None = None) -> Grade:
        """Grade one answer (see `analyse` for the evidence behind it)."""
        return self.grade_analysis(self.analyse(question, answer, reference, card_id, rubric))

    def with_extracted_rubrics(self) -> EmbeddedGrader:
        """The same grader without curated rubrics: every card graded against the rubric
        extracted from its text, as a guide without a curated rubric is."""
        return EmbeddedGrader(self.retriever, self.embedder, strictness=self.strictness,
                              max_answer_chars=self.max_answer_chars, rubrics=RubricBook(),
                              store=self.store)

    def params_for(self, rubric: Rubric) -> ScoringParams:
        """The parameters fitted for this kind of rubric (curated, extracted or reference)."""
        return self.params_by_kind[params_kind(rubric.source)]

    def rubric_for(self, question: str, reference: str | None = None,
                   card_id: str | None = None) -> Rubric:
        """The rubric an answer to `question` is graded against."""
        return resolve_rubric(question[:2000], self.retriever, self.embedder, reference, card_id,
                              self.rubrics, self.store)

    def prepare(self, question: str, answer: str, reference: str | None = None,
                card_id: str | None = None,
                rubric: Rubric | None = None) -> tuple[Rubric, str, list[str]]:
        """Clean the answer (truncating huge ones) and resolve the rubric."""
        from tutor.core.errors import InputError

        question = clean_input(question)
        if not question:
            raise InputError("The question is empty: pass --question TEXT")
        answer, warnings = self.clean_answer(answer)
        if rubric is None:
            rubric = self.rubric_for(question, reference, card_id)
        answer, readings = correct_spelling(answer, rubric_words(tuple(rubric.texts())),
                                            self._guide_knows)
        if readings:
            warnings.append("read as misspelt: " + ", ".join(
                f'"{typo}" as "{word}"' for typo, word in list(readings.items())[:5]))
        if rubric.source == "passages":
            warnings.append(f"no guide question matched well (confidence {rubric.confidence:.2f}); "
                            "graded against the closest guide passages")
        elif rubric.card is not None and not card_id and rubric.confidence < STRONG_TITLE_MATCH:
            warnings.append(f'graded as the guide question "{rubric.question}" (match '
                            f"{rubric.confidence:.2f}); if you meant another, grade against it "
                            "with --card ID (`tutor cards` lists them)")
        return rubric, answer, warnings

    def _guide_knows(self, word: str) -> bool:
        return stem(word) in self.retriever.kb.document_frequency()

    def clean_answer(self, answer: str) -> tuple[str, list[str]]:
        """Normalise the answer, drop grader-directed text, truncate huge ones (with warnings)."""
        warnings: list[str] = []
        answer = unwrap_lines(clean_input(answer))
        length = len(answer)
        cut = length > 2 * self.max_answer_chars  # never graded: not worth scanning
        answer, injected = strip_injections(answer[: 2 * self.max_answer_chars])
        if injected:
            warnings.append(INJECTION_WARNING.format(n=injected))
        if cut or len(answer) > self.max_answer_chars:
            warnings.append(f"answer truncated from {length} to {self.max_answer_chars} "
                            "characters before grading")
            answer = answer[: self.max_answer_chars]
        return answer, warnings

    def warm(self, answers: list[str]) -> None:
        """Embed the sentences of many answers in one call (batch grading is then faster)."""
        sentences = {s for a in answers for s in split_sentences(self.clean_answer(a)[0])}
        todo = [s for s in sentences if s not in self._segment_cache]
        self._segment_cache.update(self._embed_fresh(todo))

    def analyse(self, question: str, answer: str, reference: str | None = None,
                card_id: str | None = None, rubric: Rubric | None = None) -> Analysis:
        rubric, answer, warnings = self.prepare(question, answer, reference, card_id, rubric)
        asked_text = rubric.question + " " + question
        segments = answer_segments(answer, asked_text)
        hedges = {s: hedge for s in segments if (hedge := said_both_ways(s))}
        if hedges:
            segments = [s for s in segments if s not in hedges]
            warnings.append(f'{len(hedges)} sentence(s) say a claim both ways ("'
                            f'{next(iter(hedges.values()))}"), so whichever is right is said: '
                            "a hedge earns nothing")
        seg_vecs, seg_tokens = self._embed_segments(segments)
        # a reference's or an extracted rubric's points have few key terms and no aliases, so a
        # sentence's cosine to them is mostly the asked topic's: compare what it says beyond it
        # (measured for curated rubrics too, where it let long wrong answers score higher)
        demote = rubric.source != "curated"
        if demote:
            asked_words = set(content_words(asked_text))
            seg_vecs = self._embed_segments(
                [without_question_words(s, asked_words) for s in segments])[0]
        unit_vecs = self._unit_vectors(rubric, asked_words if demote else None)
        answer_tokens = joined(seg_tokens, self.embedder.dimension)
        asked = self.tokens.asked(rubric.question, question)
        recall = (per_point_recall(self.tokens.point_set(tuple(" ".join(p.units)
                                                               for p in rubric.points)),
                                   answer_tokens, asked)
                  if rubric.points else np.zeros(0))
        points = point_evidence(rubric, segments, seg_vecs, unit_vecs, recall)
        relevance = max((p.similarity for p in points), default=0.0)
        kb = self.retriever.kb
        section = rubric.reference_text + " " + " ".join(
            " ".join(p.units) + " " + " ".join(a for g in p.terms for a in g.aliases)
            for p in rubric.points)
        misplaced = misplaced_share(" ".join(segments), section, kb.document_frequency(),
                                    len(kb.chunks), set(content_words(asked_text))) \
            if rubric.in_guide else 0.0  # the guide's other topics say nothing of this question
        found = AnswerEvidence(points, relevance, misplaced,
                               unsupported_sentences(segments, seg_vecs, unit_vecs, points,
                                                     self.params_for(rubric)))
        other = self.other_question.nearest_other(rubric, seg_vecs, answer_tokens, asked)
        return Analysis(rubric, answer, found, warnings, other)

    def grade_analysis(self, a: Analysis, params: ScoringParams | None = None) -> Grade:
        """Score an analysis: statuses and credits per point, then the documented formula
        (with `params` instead of the grader's own, e.g. while fitting them)."""
        rubric, found, warnings = a.rubric, a.evidence, list(a.warnings)
        params = params or self.params_for(rubric)
        if not a.answer or NON_ANSWER.match(a.answer) or not tokenize(a.answer):
            return build_grade(rubric, _all_missing(rubric), 0.0, self.name, warnings, "empty")
        if not rubric.points:
            warnings.append("nothing in the guide to grade against; pass --reference")
            return build_grade(rubric, [], 0.0, self.name, warnings, "ungraded")
        said_terms = any(p.terms_found for p in found.points)
        other = a.other_question
        if other is not None and other.margin >= params.other_margin:
            warnings.append(f'the answer fits another guide question ("{other.heading}") better '
                            "than the one asked; graded as off-topic")
            return build_grade(rubric, _all_missing(rubric), 0.0, self.name, warnings, "off-topic")
        if (found.relevance < params.off_topic and not said_terms) or not found.points or \
                not any(p.sentence for p in found.points):
            return build_grade(rubric, _all_missing(rubric), 0.0, self.name, warnings, "off-topic")
        grounding = grounding_factor(found.misplaced, params)
        results = []
        for point, ev in zip(rubric.points, found.points):
            meaning = max(scaled_similarity(ev.similarity, params), ev.token_recall)
            value = evidence(ev.terms, meaning, params)
            status, credit = status_and_credit(value, params)
            if status == "covered" and not ev.terms_found and ev.terms is not None \
                    and ev.similarity < params.sim_hi:
                status, credit = "partial", round(value, 3)  # covered needs its words or meaning
            if status != "missing" and ev.denied:  # its key terms said the other way round
                status, credit = "incorrect", 0.0
            status = grounded_status(status, credit, grounding, params)
            results.append(point_result(point, status, ev.sentence if status != "missing" else "",
                                        ev.similarity, quote=None, credit=credit,
                                        terms_found=ev.terms_found if status != "missing" else []))
        credited = [(r.weight, r.essential, r.credit) for r in results]
        wrong = sum(r.status == "incorrect" for r in results)
        score, breakdown = combine(credited, grounding, params.curve, self.strictness, wrong,
                                   params.wrong_penalty)
        lowered = combine(credited, 1.0, params.curve, self.strictness, wrong,
                          params.wrong_penalty)[0] - score
        if lowered >= NOTICEABLE:  # said only when it changed the score one can see
            warnings.append("much of the answer's vocabulary belongs to other topics of the guide, "
                            f"not to this question; that lowered the score by {lowered:.1f}")
        if round(combine(credited, grounding, params.curve)[0], 1) == 0.0:
            # what the points carry rounds to 0: none is shown as carried, and none counts
            for r in results:
                if r.status in ("covered", "partial"):
                    r.status, r.credit, r.evidence, r.terms_found = "missing", 0.0, "", []
            credited = [(r.weight, r.essential, r.credit) for r in results]
            score, breakdown = combine(credited, grounding, params.curve, self.strictness, wrong,
                                       params.wrong_penalty)
        breakdown["misplaced_vocabulary"] = round(float(found.misplaced), 4)
        if prose_ratio(a.answer) < params.keyword_prose and len(tokenize(a.answer)) >= 3 \
                and score > KEYWORD_LIST_CAP:
            score = KEYWORD_LIST_CAP
            breakdown["cap"] = "keyword list"
            for r in results:  # named, not explained: none carried its weight past the cap
                r.status = "partial" if r.status == "covered" else r.status
            warnings.append("the answer reads as a list of keywords without explanation; "
                            "score capped")
        if not rubric.in_guide:
            warnings.append(NOT_IN_GUIDE_NOTE)
        warnings.append(OFFLINE_NOTE)
        grade = build_grade(rubric, results, score, self.name, warnings)
        grade.breakdown = breakdown
        grade.unsupported = found.unsupported[:10]
        return grade

    def _embed_segments(self, segments: list[str]) -> tuple[np.ndarray, list[TokenVectors]]:
        if not segments:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32), []
        known = {s: self._segment_cache.get(s) for s in segments}  # `warm` may run meanwhile
        fresh = self._embed_fresh([s for s, hit in known.items() if hit is None])
        found = [known[s] or fresh[s] for s in segments]
        return np.stack([vec for vec, _ in found]), [tokens for _, tokens in found]

    def _embed_fresh(self, texts: list[str]) -> dict[str, tuple[np.ndarray, TokenVectors]]:
        vectors, tokens = self.embedder.embed_with_tokens(texts)
        return {t: (v, content_tokens(tv)) for t, v, tv in zip(texts, vectors, tokens)}

    def _unit_vectors(self, rubric: Rubric, asked: set[str] | None = None) -> list[np.ndarray]:
        """Each point's sentence vectors (less the question's words when `asked` is given): from
        memory, the index's store, or the model."""
        def text_of(unit: str) -> str:
            return without_question_words(unit, asked) if asked is not None else unit

        units = list(dict.fromkeys(text_of(u) for p in rubric.points for u in p.units))
        cached = {u: self._unit_cache.get(u) for u in units}
        found: dict[str, np.ndarray] = {u: v for u, v in cached.items() if v is not None}
        missing = [u for u in units if u not in found]
        if missing:
            name = "units-" + hashlib.sha1("\x1f".join(missing).encode("utf-8")).hexdigest()[:20]
            stored = self.store.load_arrays(name) if self.store is not None else None
            vectors = stored["vectors"] if stored is not None else \
                self.embedder.embed_batch(missing)
            if stored is None and self.store is not None:
                self.store.save_arrays(name, vectors=vectors)
            for text, vec in zip(missing, vectors):
                self._unit_cache[text] = found[text] = vec
        return [np.stack([found[text_of(u)] for u in p.units]) for p in rubric.points]


def _all_missing(rubric: Rubric) -> list:
    return [point_result(p, "missing") for p in rubric.points]
