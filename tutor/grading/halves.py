"""Halves: a point that turns from one compared side to the other holds a half for each.

A point of a reference or an extracted rubric may contrast two things ("Bias is error ... that
makes a model underfit, while variance is error ... that makes it overfit"; "- GANs ...\n- VAEs
..."): each half has its side and its terms, and an answer giving each side the other half's
terms loses the point (tutor.grading.attribution reads which side a clause speaks of).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tutor.core.lexicon import verb_lemma
from tutor.grading.attribution import misattributed, point_subjects, side_mentions
from tutor.grading.statements import LIST_MARK
from tutor.grading.terms import TermGroup, stemmed_words

# where a statement turns from one side to the other: ", while", "; ", a sentence end, a new
# list item ("- GANs ...\n- VAEs ...")
CONTRAST = re.compile(r",?\s+(?:while|whereas)\s+|;\s+|(?<=[.!?])\s+(?=(?-i:[A-Z]))"
                      r"|\n\s*(?:[-*•]|\d{1,2}[.)])\s+", re.IGNORECASE)


def swapped_halves(question: str, statement: str, groups: Sequence[TermGroup],
                   answer: Sequence[tuple[str, ...]]) -> list[str]:
    """For a point of a reference or an extracted rubric that contrasts two things in one
    sentence ("Bias is error ... that makes a model underfit, while variance is error ... that
    makes it overfit"): each half whose side the answer (its clauses, stemmed) gives only the
    other half's terms, read loosely, as paragraphs are, e.g. "Variance makes a model underfit,
    and bias makes it overfit". A curated point states one claim of one subject and has no
    halves. Measured on 1,636 graded answers (the external blind set and the team's rows against
    references, the team's rows against extracted rubrics): 6 flagged, all swapped or wrong (a
    swapped bias/variance answer 3.8 -> 0.0, swapped GAN/VAE answers 4.1 -> 1.8), none else;
    refitted and held out by half, the reference figures moved within noise (Pearson 0.754 ->
    0.747, the fit choosing other parameters in a fold), the extracted ones up (Spearman 0.627 ->
    0.629). A point also turns at a sentence end and at a new list item (CONTRAST): on 2,239
    grades that flagged 3 more, all wrong answers against extracted rubrics (a GAN/VAE answer
    5.0 -> 1.9), and no other."""
    halves = [h for h in CONTRAST.split(statement) if h.strip()]
    if len(halves) < 2:
        return []
    sides_of = point_subjects(question, tuple(halves), True)
    sides = {x for x in sides_of if x}
    if len(sides) < 2:
        return []
    judged = side_mentions(answer, question, sides)
    words = [stemmed_words(h) for h in halves]
    out = []
    for n, side in enumerate(sides_of):
        said = [g for g in groups if g.found_in(words[n]) is not None]
        others = frozenset(w for m, ws in enumerate(words) if m != n for w in ws)
        if side and said and misattributed(said, side, sides, judged, True, others):
            out.append(f"said of {'/'.join(sorted(sides - {side}))}")
    return out


def parallel_subjects(question: str, statements: Sequence[str]
                      ) -> tuple[tuple[str | None, ...], frozenset[str]]:
    """Sides that two points set up by saying the same verb of two different things the question
    does not name ("BM25 matches exact terms ...", "Dense retrieval matches paraphrases ...",
    asked "What is hybrid search?"): those two points' subjects (the first word of each,
    stemmed), the other points' None, and the words of both subjects ("dens", "retriev": they
    name a side, they tell no side's terms). Only when exactly two points share such an
    opening; else no sides."""
    none: tuple[tuple[str | None, ...], frozenset[str]] = ((None,) * len(statements),
                                                           frozenset())
    asked = set(stemmed_words(question))
    openings = [o if o and o[0][0] not in asked else None for o in map(_opening, statements)]
    verbs = [o[1] for o in openings if o]
    shared = [v for v in set(verbs) if verbs.count(v) == 2]
    if len(shared) != 1:
        return none
    chosen = [o[0] if o and o[1] == shared[0] else None for o in openings]
    subjects = tuple(c[0] if c else None for c in chosen)
    if len({s for s in subjects if s}) != 2:
        return none
    return subjects, frozenset(w for c in chosen if c for w in c)


def _opening(statement: str) -> tuple[tuple[str, ...], str] | None:
    """(subject's stemmed words, verb) of a statement that opens with a subject of one or two
    words and a verb in its third person (("dens", "retriev"), "match" of "Dense retrieval
    matches ..."), else None; a labelled item ("Concept: ...") opens with its label."""
    line = LIST_MARK.sub("", statement.replace("**", "").split("\n")[0]).split()
    words = [w for w in line if w.lower() not in ("the", "a", "an")][:3]
    for n in (1, 2):
        subject = stemmed_words(" ".join(words[:n]))
        verb = verb_lemma(words[n]) if len(words) > n and words[n].endswith("s") else None
        if verb and verb != words[n] and subject \
                and not any(w.endswith((":", ",")) for w in words[:n]):
            return subject, verb
    return None
