"""Attribution: does the answer say a point of one compared thing about the other?

Comparison questions ("How would you compare GANs and VAEs?", "discriminative or generative?")
have points about one side each ("GANs pit a generator against a discriminator"). A fluent
wrong answer swaps the sides ("VAEs are the adversarial ones"). The sides are the question's
words that open the rubric's points (their subject, within SUBJECT_WINDOW words); a point is
*misattributed* when every clause of the answer (tutor.grading.polarity.clauses) that says
its key terms and names a side names another side, never its own. Measured on the team's
graded sets, clauses catch more swaps with fewer false alarms than whole sentences; it flags
11 points in wrong answers and 5 in the others.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from tutor.core.text import content_words
from tutor.grading.terms import TermGroup, stemmed_words

SUBJECT_WINDOW = 4  # a point's subject is a compared side among its first words
COMPARISON = re.compile(r"\b(?:compar\w*|differ\w*|versus|vs\.?|contrast\w*|between)\b",
                        re.IGNORECASE)


@lru_cache(maxsize=1024)
def point_subjects(question: str, statements: tuple[str, ...]) -> tuple[str | None, ...]:
    """Each point's compared side (a stemmed question word opening it), or None. Only a
    question that asks for a comparison has sides: exactly two words that each open two
    points or more. A point that names both sides is about both: no subject."""
    none: tuple[str | None, ...] = (None,) * len(statements)
    if not COMPARISON.search(question):
        return none
    asked = set(content_words(COMPARISON.sub(" ", question)))
    subjects = [next((w for w in stemmed_words(text)[:SUBJECT_WINDOW] if w in asked), None)
                for text in statements]
    sides = [s for s, n in Counter(s for s in subjects if s).items() if n >= 2]
    if len(sides) != 2:
        return none
    return tuple(s if s in sides and not set(sides) <= set(stemmed_words(text)) else None
                 for s, text in zip(subjects, statements))  # a point naming both sides has none


def misattributed(groups: Sequence[TermGroup], subject: str, sides: set[str],
                  answer: Sequence[tuple[str, ...]]) -> bool:
    """Does the answer (its clauses, as stemmed words) only ever say the point's terms of
    another side?"""
    named = [set(c) & sides for c in answer
             if set(c) & sides and any(g.found_in(c) for g in groups)]
    return bool(named) and all(subject not in n for n in named)
