"""Roles inside one point: a point that names two actors, each with what it does ("A GAN has a
generator that creates images and a discriminator that judges whether they are real"), is
contradicted by an answer that gives one actor's deeds to the other and never an actor its own
("the generator judges whether each image looks real"). Two of the point's key terms are its
actors when the statement has each do something: a relative pronoun after each ("a generator
that …, and a discriminator that …"), or the first opening the statement and the second after a
contrast ("The encoder reads …, while the decoder writes …"); a term with its attribute
("QLoRA quantizes the base model to 4-bit") is no pair of actors.

An actor's deeds are the statement's words after it, up to the other actor or the statement's
end, less stop words, the question's words, the actors' own words and the words both say. In
the answer, a clause speaks of an actor when it names exactly one, as a noun: opening the
clause or after a determiner ("the generator"), so a verb that stems alike ("GANs generate
images") names no one; the words after it are what it says of that actor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from tutor.grading.attribution import STEMMED_STOPWORDS
from tutor.grading.terms import TermGroup, stemmed_words

DETERMINERS = frozenset(stemmed_words("the a an this that these those its their each every"))
RELATIVES = frozenset(stemmed_words("that which who"))
CONTRASTS = frozenset(stemmed_words("while whereas but"))
OPENING = 2  # words before an actor that still open the statement ("The …"), or the contrast


@dataclass(frozen=True)
class Roles:
    """Two actors a point names, and the words it says of each."""

    actors: tuple[TermGroup, TermGroup]
    deeds: tuple[frozenset[str], frozenset[str]]


@lru_cache(maxsize=4096)
def point_roles(statement: str, groups: tuple[TermGroup, ...],
                asked: frozenset[str]) -> Roles | None:
    """The statement's two actors and their deeds, when exactly two of the point's term groups
    are named in it and each has deeds of its own; else None (read once per point)."""
    words = stemmed_words(statement)
    named = sorted(((span, g) for g in groups if (span := g.span_in(words)) is not None),
                   key=lambda found: found[0])
    if len(named) != 2:
        return None
    ((first_at, first_end), first), ((second_at, second_end), second) = named
    if not _acts(words, first_at, first_end, second_at, second_end):
        return None
    own_words = {w for g in (first, second) for seq in g.stems for w in seq}
    kept = STEMMED_STOPWORDS | asked | own_words
    first_deeds = set(words[first_end:second_at]) - kept
    second_deeds = set(words[second_end:]) - kept
    first_deeds, second_deeds = first_deeds - second_deeds, second_deeds - first_deeds
    if not first_deeds or not second_deeds:
        return None
    return Roles((first, second), (frozenset(first_deeds), frozenset(second_deeds)))


def swapped(roles: Roles, answer: Sequence[tuple[str, ...]]) -> bool:
    """Does the answer (its clauses, as stemmed words) give an actor the other's deeds, and
    never an actor its own?"""
    wrong = right = False
    for clause in answer:
        named = [(n, span) for n, g in enumerate(roles.actors)
                 if (span := _noun_span(g, clause)) is not None]
        if len(named) != 1:
            continue
        actor, (_, end) = named[0]
        said = set(clause[end:])
        if said & roles.deeds[actor]:
            right = True
        elif said & roles.deeds[1 - actor]:
            wrong = True
    return wrong and not right


def _acts(words: tuple[str, ...], first_at: int, first_end: int, second_at: int,
          second_end: int) -> bool:
    """Whether the statement has each actor do something: each followed by a relative pronoun
    ("a generator that creates …, and a discriminator that judges …"), or the first opening it
    and the second after a contrast ("The encoder reads …, while the decoder writes …")."""
    relative = all(end < len(words) and words[end] in RELATIVES
                   for end in (first_end, second_end))
    contrast = first_at <= OPENING and bool(CONTRASTS.intersection(
        words[max(second_at - OPENING, first_end):second_at]))
    return relative or contrast


def _noun_span(group: TermGroup, clause: tuple[str, ...]) -> tuple[int, int] | None:
    """Where the clause names the group as a noun (opening it or after a determiner)."""
    for seq in group.stems:
        for at in range(len(clause) - len(seq) + 1):
            if clause[at:at + len(seq)] == seq and (at == 0 or clause[at - 1] in DETERMINERS):
                return at, at + len(seq)
    return None

