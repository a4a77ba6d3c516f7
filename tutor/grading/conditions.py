"""Conditions: does the answer say a point's claim of the opposite condition?

A point may hold under a condition that a direction word sets on a word of the question ("A low
temperature sharpens the distribution ... deterministic", asked "How does temperature affect
text generation?"), next to a point that holds under the opposite one ("A high temperature
flattens the distribution ..."). An answer that swaps the two ("Higher temperature makes the
distribution sharper ... deterministic; lower temperature flattens it") says every key term,
and says both direction words, so neither a negation nor a lone opposite word shows it. Read
here: the answer's sentences are cut into spans, each opened by the asked word qualified one way
or the other ("higher temperature", "temperature is low"); a point whose own terms the answer
says only in spans of the opposite condition was said of that condition. The terms compared are
the point's own, not those it shares with its opposite sibling ("tokens"). Found on a new
guide, where the swapped temperature answer scored 4.4 (now 0.5); on the 2,239 grades of the
team's and the external rows (the bundled guide states few points under a condition) it
changes none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from tutor.grading.polarity import (
    OPPOSITES,
    PREVENTS,
    Clause,
    clauses,
    compounds_joined,
    negations,
)
from tutor.grading.terms import STEMMED_STOPWORDS, TermGroup, stemmed_words

WINDOW = 2  # words between a direction word and the asked word it qualifies
PIECE = re.compile(r"[,;:()—–]")  # where a sentence's pieces end
# words by which a span contrasts or compares rather than states ("random instead of
# deterministic", "less deterministic than"): such a span is not read
CONTRASTS = frozenset(stemmed_words("than unlike instead rather less fewer"))


@dataclass(frozen=True)
class Condition:
    """A direction word set on an asked word: ("low", "temperatur")."""

    direction: str
    asked: str

    def side(self, word: str) -> int:
        """1 for a word of this direction, in any form or as the opposite of its opposite
        ("lower" or "reduce" of "low"), -1 for an opposite ("higher", "raise"), else 0."""
        if word not in OPPOSITES:
            return 0
        turned = OPPOSITES[self.direction]
        same = _same(word, self.direction) or any(_same(o, t) for o in OPPOSITES[word]
                                                  for t in turned)
        opposite = any(_same(word, t) for t in turned) or any(
            _same(o, self.direction) for o in OPPOSITES[word])
        return 0 if same == opposite else 1 if same else -1


def _same(word: str, direction: str) -> bool:
    """Is `word` the direction word in another form ("lower", "lowering" of "low")?"""
    return word in OPPOSITES and (word.startswith(direction) or direction.startswith(word))


def condition_of(statement: str, asked: frozenset[str]) -> Condition | None:
    """The one condition a statement sets on an asked word, within its first clause and outside
    a negation; None when it sets none or several, or says the opposite direction anywhere
    (a statement that contrasts the two conditions itself)."""
    text = compounds_joined(statement)
    first = clauses(text)
    words = stemmed_words(text)
    found = {Condition(d, w) for d, w in _qualified(first[0], asked)} if first else set()
    if len(found) != 1:
        return None
    condition = found.pop()
    if any(condition.side(w) == -1 for w in words):
        return None
    return condition


def _qualified(words: Clause, asked: frozenset[str]) -> list[tuple[str, str]]:
    """(direction word, asked word) pairs at most WINDOW words apart, in a clause without a
    negation."""
    if negations(words) or PREVENTS.intersection(words):
        return []
    return [(d, w) for i, w in enumerate(words) if w in asked and w not in STEMMED_STOPWORDS
            for d in words[max(0, i - WINDOW):i + WINDOW + 1] if d in OPPOSITES]


def reversed_condition(n: int, conditions: Sequence[Condition | None],
                       terms: Sequence[Sequence[TermGroup]], asked: frozenset[str],
                       segments: Sequence[str]) -> list[str]:
    """["said of higher temperatur"] when the answer (its sentences, `segments`) says point
    n's own terms only under the opposite of its condition; its own terms leave out those of
    the points that set a condition on the same asked word, and the question's words."""
    condition = conditions[n]
    if condition is None:
        return []
    siblings = [t for m, (t, c) in enumerate(zip(terms, conditions, strict=True))
                if m != n and c is not None and c.asked == condition.asked]
    own = _own_terms(terms[n], siblings, asked)
    opposite = _said_of_opposite(condition, own, segments) if own else None
    return [f"said of {opposite}"] if opposite else []


def _own_terms(groups: Sequence[TermGroup], siblings: Sequence[Sequence[TermGroup]],
              asked: frozenset[str]) -> list[TermGroup]:
    """The point's term groups that no sibling point shares and that are not question words."""
    shared = {seq for other in siblings for g in other for seq in g.stems}
    return [g for g in groups if not shared.intersection(g.stems)
            and not any(set(seq) <= asked for seq in g.stems)]


def _said_of_opposite(condition: Condition, groups: Sequence[TermGroup],
                     segments: Sequence[str]) -> str | None:
    """The opposite condition ("higher temperatur") when the answer says the point's terms
    (`groups`) only in spans of it; None when it says them under the point's own condition,
    says none, or never names the opposite."""
    opposite = None
    for text in segments:
        for side, word, span in _spans(condition, text):
            if any(g.found_in(span) for g in groups):
                if side == 1:
                    return None
                opposite = f"{word} {condition.asked}"
    return opposite


def _spans(condition: Condition, sentence: str) -> list[tuple[int, str, Clause]]:
    """The sentence's pieces (cut at punctuation) grouped from each piece that names the asked
    word under one condition to the next such piece, the first group reaching back to the
    start: (side, direction word, stemmed words). Groups holding a negation, a verb like
    "prevent" or a comparison are left out."""
    preface: list[str] = []  # the words before the first mention join it
    groups: list[tuple[int, str, list[str]]] = []
    for piece in PIECE.split(compounds_joined(sentence)):
        words = stemmed_words(piece)
        opener = _opener(condition, words)
        if opener is not None:
            groups.append((*opener, preface if not groups else []))
        (groups[-1][2] if groups else preface).extend(words)
    return [(side, word, tuple(span)) for side, word, span in groups
            if side and not (negations(tuple(span)) or PREVENTS.intersection(span)
                             or CONTRASTS.intersection(span))]


def _opener(condition: Condition, words: Clause) -> tuple[int, str] | None:
    """(side, direction word) when the words name the asked word under a direction word: the
    side of the condition it says, 0 for another direction word or several; None without."""
    found = {(condition.side(d), d) for i, w in enumerate(words) if w == condition.asked
             for d in words[max(0, i - WINDOW):i + WINDOW + 1] if d in OPPOSITES}
    if not found:
        return None
    return found.pop() if len(found) == 1 else (0, "")  # several, or another direction: unread
