"""Attribution: does the answer say a point of one thing about another the question names?

Comparison questions ("How would you compare GANs and VAEs?", "discriminative or generative?")
have points about one side each ("GANs pit a generator against a discriminator"). A fluent
wrong answer swaps the sides ("VAEs are the adversarial ones"). The sides are the question's
words that open the rubric's points (their subject, within SUBJECT_WINDOW words). A question
without comparison words has sides too when its points define two or more of its words ("Bias
is the error…", "Variance is a model's sensitivity…" for "What is the bias-variance
trade-off?"): a fluent wrong answer swaps the definitions. A point is *misattributed* when every
clause of the answer (tutor.grading.polarity.clauses) that says its key terms and names a side
gives them to another side, never its own; a clause gives a term to the side it names last
before the term (else first after it: "bias is the model's sensitivity" gives "sensitivity" to
bias even after "the bias-variance trade-off says"). Measured on the team's graded sets,
clauses catch more swaps with fewer false alarms than whole sentences.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from tutor.core.text import STOPWORDS, content_words
from tutor.grading.terms import DEFINING_VERBS, TermGroup, stemmed_words

SUBJECT_WINDOW = 4  # a point's subject is a compared side among its first words
COMPARISON = re.compile(r"\b(?:compar\w*|differ\w*|versus|vs\.?|contrast\w*|between)\b",
                        re.IGNORECASE)


DEFINES = frozenset(stemmed_words(" ".join(DEFINING_VERBS)))
STEMMED_STOPWORDS = frozenset(stemmed_words(" ".join(sorted(STOPWORDS))))


@lru_cache(maxsize=1024)
def point_subjects(question: str, statements: tuple[str, ...]) -> tuple[str | None, ...]:
    """Each point's side (a stemmed question word opening it), or None. A question that asks
    for a comparison has sides when exactly two words each open two points or more; any other
    question when two or more of its words open a point that defines them ("Bias is…"). A
    point that names every side is about all of them: no subject."""
    none: tuple[str | None, ...] = (None,) * len(statements)
    asked = set(content_words(COMPARISON.sub(" ", question)))
    words = [stemmed_words(text) for text in statements]
    if COMPARISON.search(question):
        subjects = [next((w for w in ws[:SUBJECT_WINDOW] if w in asked), None) for ws in words]
        sides = [s for s, n in Counter(s for s in subjects if s).items() if n >= 2]
        if len(sides) != 2:
            return none
    else:
        subjects = [_defined(ws, asked) for ws in words]
        sides = sorted({s for s in subjects if s})
        if len(sides) < 2:
            return none
    return tuple(s if s in sides and not set(sides) <= set(ws) else None
                 for s, ws in zip(subjects, words))  # a point naming every side has none


def _defined(words: tuple[str, ...], asked: set[str]) -> str | None:
    """The question word a point opens by defining ("Variance is…", "The bias is…"), or None:
    every word before the verb is a question word or a function word."""
    for i, w in enumerate(words[:SUBJECT_WINDOW]):
        if w in DEFINES:
            opening = words[:i]
            if opening and opening[-1] in asked and all(
                    v in asked or v in STEMMED_STOPWORDS for v in opening):
                return opening[-1]
            return None
    return None


def misattributed(groups: Sequence[TermGroup], subject: str, sides: set[str],
                  answer: Sequence[tuple[str, ...]]) -> bool:
    """Does the answer (its clauses, as stemmed words) only ever give the point's terms to
    another side?"""
    given = [side for c in answer if (side := _side_of_terms(groups, sides, c)) is not None]
    return bool(given) and subject not in given


def _side_of_terms(groups: Sequence[TermGroup], sides: set[str],
                   clause: tuple[str, ...]) -> str | None:
    """The side a clause gives the groups' terms to: the one it names last before the first
    term it says, else the first after it; None when it says no term or names no side."""
    at = min((i for g in groups if (i := g.position_in(clause)) is not None), default=None)
    if at is None:
        return None
    before = [w for w in clause[:at] if w in sides]
    after = [w for w in clause[at:] if w in sides]
    return before[-1] if before else (after[0] if after else None)
