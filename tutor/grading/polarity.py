"""Polarity: does the answer say a rubric point's key term the other way round?

A fluent wrong answer often reuses the guide's words with the claim negated ("authentication
isn't needed", "the gradient is never passed back"). A key term is *denied* when a negation
stands within NEAR words of it, inside the same clause of the answer (clauses split at
punctuation and connectives, so "no recurrence, so it trains on GPUs" does not deny "GPU"),
the answer never says it plainly, and the guide's own statement of the point never says it
negated. Aliases that carry their own negation ("no labels") and doubly negated clauses are read
as plain. On the team's 509 graded answers this flags 33 points in wrong answers (short, long or
plain) and 10 in the others (python -m tutor.eval.calibrate measures what it does to the grades).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from tutor.grading.terms import TermGroup, stemmed_words

NEGATORS = frozenset(stemmed_words("not no never none nothing neither nor cannot without"))
NEAR = 4  # words between a negation and the term it denies
CLAUSE = re.compile(r"[,;:()—–]|[.!?](?:\s|$)"
                    r"|\b(?:which|because|so|but|while|whereas|since|although|then)\b",
                    re.IGNORECASE)
Clause = tuple[str, ...]


@lru_cache(maxsize=16384)
def clauses(text: str) -> tuple[Clause, ...]:
    """Each clause as stemmed words ("isn't" read as "is not"); kept for repeated texts (the
    rubric's statements, the sentences of a batch)."""
    text = re.sub(r"n[’']t\b", " not", text)
    return tuple(stemmed_words(c) for c in CLAUSE.split(text) if c and c.strip())


def said_negated(group: TermGroup, words: Clause) -> bool:
    """Is one of the group's plain aliases said within NEAR words of a single negation?"""
    negations = [i for i, w in enumerate(words) if w in NEGATORS]
    if len(negations) != 1:  # none, or doubly negated
        return False
    j = negations[0]
    for seq in group.stems:
        if NEGATORS.intersection(seq):
            continue
        n = len(seq)
        for i in range(len(words) - n + 1):
            if words[i:i + n] == seq and (i - NEAR <= j < i or i + n <= j <= i + n - 1 + NEAR):
                return True
    return False


def denied(group: TermGroup, text: Sequence[Clause]) -> bool:
    """Is the term said, and only ever said negated?"""
    said = [said_negated(group, c) for c in text if group.found_in(c)]
    return bool(said) and all(said)


def denied_terms(groups: Iterable[TermGroup], answer: Sequence[Clause],
                 guide_text: str) -> list[str]:
    """The point's terms the answer only says negated, where the guide says them plainly: no
    clause of the guide's statement that holds the term holds a negation at all ("forces the
    network not to rely only on the subset of neurons" is no plain "subset")."""
    guide = clauses(guide_text)
    return [g.aliases[0] for g in groups
            if denied(g, answer) and not any(g.found_in(c) and NEGATORS.intersection(c)
                                             for c in guide)]
