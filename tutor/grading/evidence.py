"""Per-point evidence in an answer: key terms said, and meaning matched sentence by sentence.

For each rubric point: the share of its key-term groups the answer says (in any alias), the
best cosine between an answer sentence and the point's statement or quote, and the soft token
recall of the point (paraphrase at the word-piece level). Repetition cannot add evidence:
every measure takes the best sentence or the set of words, never a sum over sentences.

Rephrasing one sentence several times still lifts other points' partial credit a little (each
rephrasing is another chance at a point's best cosine, and adds words to the answer's tokens).
Two structural cures were measured and left out (refitted by `python -m tutor.eval.calibrate`,
held out by half): token recall per sentence (best sentence, not the answer's bag) left the
blind gaming set's largest gain at 1.3 and moved long wrong answers from 1.61 to 1.75; letting a
sentence give meaning evidence only to the points it matches best (within 0.05 cosine) raised
the largest gain to 1.9 and long wrong answers to 1.97.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from tutor.core.stats import idf
from tutor.core.text import content_words
from tutor.grading.attribution import (
    listed_sides,
    misattributed,
    point_subjects,
    side_mentions,
)
from tutor.grading.conditions import condition_of, reversed_condition
from tutor.grading.halves import parallel_subjects, swapped_halves
from tutor.grading.polarity import clauses, denied_terms, inverted_terms, opposed_terms
from tutor.grading.roles import point_roles, swapped
from tutor.grading.rubric import Rubric, RubricPoint
from tutor.grading.scoring import ScoringParams
from tutor.grading.terms import stemmed_words, term_recall


@dataclass
class PointEvidence:
    """What the answer shows of one rubric point."""

    terms: float | None  # share of term groups said (None: the point has no terms)
    terms_found: list[str]
    similarity: float  # best sentence cosine
    token_recall: float
    sentence: str  # the answer sentence that carries the point best
    unit: str  # the rubric sentence it matched
    denied: list[str] = field(default_factory=list)  # terms said negated (tutor.grading.polarity)


@dataclass
class AnswerEvidence:
    """Evidence for every point plus answer-level signs."""

    points: list[PointEvidence]
    relevance: float  # best cosine of any answer sentence to any rubric sentence
    misplaced: float  # idf-weighted share of the answer's words the guide uses only elsewhere
    unsupported: list[str] = field(default_factory=list)


def point_evidence(rubric: Rubric, segments: list[str], segment_vecs: np.ndarray,
                   unit_vecs: list[np.ndarray], token_recall: np.ndarray) -> list[PointEvidence]:
    """Evidence of each rubric point in the answer's sentences."""
    seg_words = [stemmed_words(s) for s in segments]
    all_words = tuple(w for ws in seg_words for w in (*ws, "|"))  # "|" stops cross-sentence
    answer_clauses = [c for s in segments for c in clauses(s)]
    paragraphs = rubric.source != "curated"  # points cut from the guide's (or a reference's) text
    # a bracketed side names the clause it closes ("Simple models underfit (high bias), ...")
    flat_clauses = [c for s in segments for c in clauses(s.replace("(", " ").replace(")", " "))] \
        if paragraphs else []
    subjects = point_subjects(f"{rubric.question} {rubric.section or ''}",
                              tuple(subject_text(rubric, p) for p in rubric.points), paragraphs,
                              tuple(p.side for p in rubric.points))
    naming: frozenset[str] = frozenset()  # words that name a side, not what is said of it
    if paragraphs and not any(subjects):  # two points saying one verb of two things
        subjects, naming = parallel_subjects(rubric.question,
                                             tuple(p.text for p in rubric.points))
    listed = not paragraphs and not any(subjects)  # no compared sides: the points may list some
    asked = frozenset(stemmed_words(rubric.question))
    judged = answer_clauses
    if listed:
        subjects, judged = listed_sides(rubric.question, [subject_text(rubric, p) for p in
                                                          rubric.points],
                                        [p.terms for p in rubric.points], answer_clauses)
    sides = {s for s in subjects if s}
    if not listed:
        judged = side_mentions(answer_clauses, f"{rubric.question} {rubric.section or ''}", sides)
    said_of = {side: frozenset(w for p, s in zip(rubric.points, subjects, strict=True) if s == side
                               for w in stemmed_words(" ".join(p.units))
                               + (_term_words(p) if listed else ())) for side in sides}
    conditions = [condition_of(subject_text(rubric, p), asked) for p in rubric.points]
    found: list[PointEvidence] = []
    for n, (point, vecs) in enumerate(zip(rubric.points, unit_vecs)):
        sims = segment_vecs @ vecs.T if len(segments) else np.zeros((0, len(vecs)))
        terms, said = term_recall(point.terms, all_words) if point.terms else (None, [])
        if sims.size == 0:
            found.append(PointEvidence(terms, said, 0.0, 0.0, "", point.units[0]))
            continue
        best_seg, unit_i = np.unravel_index(int(np.argmax(sims)), sims.shape)
        seg_i = int(best_seg)
        if said:  # the sentence that says most of the point's terms shows the evidence
            hits = [term_recall(point.terms, ws)[0] for ws in seg_words]
            seg_i = int(np.argmax(np.array(hits) + 1e-3 * sims.max(axis=1)))
        sim = float(sims.max())
        denied = denied_terms(point.terms, answer_clauses, negations_of(rubric, point)) \
            + inverted_terms(point.terms, segments, guide_statement(point)) if said else \
            opposed_terms(point.terms, segments, guide_statement(point), asked,
                          frozenset(sides))
        subject = subjects[n]
        others = frozenset().union(naming, *(said_of[s] for s in sides - {subject}))
        if said and subject and misattributed(point.terms, subject, sides, judged, paragraphs,
                                              others, listed):
            denied.append(f"said of {'/'.join(sorted(sides - {subject}))}")
        if said and paragraphs:
            denied += swapped_halves(f"{rubric.question} {rubric.section or ''}",
                                     subject_text(rubric, point), point.terms, flat_clauses)
        if said:
            denied += reversed_condition(n, conditions, [p.terms for p in rubric.points],
                                         asked, segments)
        roles = point_roles(subject_text(rubric, point), point.terms, asked) \
            if said else None
        if roles is not None and swapped(roles, answer_clauses):
            denied.append("deeds swapped between "
                          + " and ".join(actor.aliases[0] for actor in roles.actors))
        found.append(PointEvidence(terms, said, sim, float(token_recall[n]), segments[seg_i],
                                   point.units[int(unit_i)], denied))
    return found


def _term_words(point: RubricPoint) -> tuple[str, ...]:
    """The stemmed words of a point's key terms, each alias also joined ("re-rank": "rerank")."""
    return tuple(w for g in point.terms for seq in g.stems for w in (*seq, "".join(seq)))


def subject_text(rubric: Rubric, point: RubricPoint) -> str:
    """The text whose opening words name what a point is about: a curated point's statement
    (written to name its subject: "Discriminative models learn P(y|x)"), else the guide's own
    sentence (whose subject may be a pronoun: "They focus on the conditional probability")."""
    return point.label if rubric.source == "curated" else point.text


def negations_of(rubric: Rubric, point: RubricPoint) -> str:
    """The guide text whose negations an answer may echo without contradicting the point: the
    point's own statement; for a rubric cut from a card's sentences, the card's other points too
    ("There are no feedback loops" says of the feedforward network what an answer saying "no
    loops" of it echoes, not a denial of "the recurrent network's signals form a loop"). A curated
    point states one claim of one subject and is compared with itself."""
    if rubric.source == "curated":
        return guide_statement(point)
    return " ".join(guide_statement(p) for p in rubric.points)


def guide_statement(point: RubricPoint) -> str:
    """The point as the rubric and the guide state it."""
    return point.text + " " + (point.citation.quote if point.citation is not None else "")


def misplaced_share(answer: str, section_text: str, df: Mapping[str, int], n_docs: int,
                    asked: set[str]) -> float:
    """Idf-weighted share of the answer's distinct content words (beyond the question's) that
    the guide uses elsewhere but the asked section does not: the field's vocabulary applied to
    the wrong question. Measured on the team's sets: correct answers 0.1-0.25, answers in the
    candidate's own words ~0.3 (their extra words are everyday ones, not in the guide), fluent
    wrong answers ~0.45, off-topic ones ~0.7. Everyday words count too: weighting each word by
    its technicality (tutor.core.lexicon), so "take" or "mean" said of another topic weighs
    nothing, lowered the held-out Spearman on the team's rows (curated rubrics 0.740 -> 0.726,
    extracted 0.627 -> 0.582). Known gap: in a very short answer one such word weighs a lot
    ("RAG retrieves documents and feeds them to the generator" scores 0.6: "feeds" is used once
    elsewhere). Counting six idf units of words in place beside the answer's own (a prior)
    lifted it to 3.0, but the team's rows, none that short, chose it only for curated rubrics,
    where long wrong answers rose from 1.61 to 1.76 held out, so it is not used."""
    words = set(content_words(answer)) - asked
    if not words:
        return 0.0
    section = set(content_words(section_text))
    weight = {w: idf(df.get(w, 0), n_docs) for w in words}
    total = sum(weight.values())
    return float(sum(v for w, v in weight.items() if w not in section and df.get(w, 0)) / total)


def unsupported_sentences(segments: list[str], segment_vecs: np.ndarray,
                          unit_vecs: list[np.ndarray], points: list[PointEvidence],
                          params: ScoringParams) -> list[str]:
    """Answer sentences that no rubric point supports: no term and no close meaning."""
    if not len(segments) or not unit_vecs:
        return list(segments)
    best = (segment_vecs @ np.vstack(unit_vecs).T).max(axis=1)
    carrying = {p.sentence for p in points if p.terms_found}
    return [s for s, b in zip(segments, best) if b < params.sim_lo and s not in carrying]
