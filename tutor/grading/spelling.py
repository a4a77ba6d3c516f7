"""Misspelt words read as the rubric's: "varience" as "variance", "centriods" as "centroids".

Students type fast. A key term misspelt is still the term, and a grader that listens for exact
words would hear nothing. A word of the answer is read as a word of the rubric when it is no
English word (wordfreq's Zipf frequency, large list, under UNLISTED_ZIPF), the guide does not
use it either, and exactly one of the rubric's words that start with the same letter lies within
a Damerau-Levenshtein distance of it (one edit, or two for long words; rapidfuzz), or, failing
that, exactly one of their stems lies one edit from its stem ("undrfitting" and "underfit").
Typing rarely errs on the first letter, and words that differ there often differ in meaning
("pretraining", "retraining").

Nothing else changes: a listed word ("misreading" stays, though "misleading" is one letter
away), a British spelling ("optimiser" is no typo of "optimizes"), a word the guide knows,
another form of the same stem, a tie between two rubric words, a contraction or a short word
stays as written. Repeating a misspelt term earns no more than repeating the term itself.

Measured on a blind 240-answer short-answer probe graded against references (36 answers with
student typos): Pearson 0.617 -> 0.619. On the team's 603 graded answers it reads only two true
typos ("efficent", "loosly"), so their figures are unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from rapidfuzz.distance import DamerauLevenshtein
from rapidfuzz.process import extract

from tutor.core.lexicon import zipf, zipf_large
from tutor.core.text import stem

UNLISTED_ZIPF = 1.5  # under this (about 30 per billion words) a spelling is no English word
MIN_LENGTH = 4  # shorter words are too close to too many others to correct
LONG_WORD = 9  # from this length on, two edits are still the same word
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
BRITISH = re.compile(r"(?<=[a-z]{3})is(?=(?:e|es|ed|ing|er|ers|ation|ations)$)")  # "optimiser"


@lru_cache(maxsize=256)
def rubric_words(texts: tuple[str, ...]) -> frozenset[str]:
    """The lower-case words of the rubric's texts (long enough to be corrected toward)."""
    return frozenset(w.lower() for t in texts for w in _WORD.findall(t) if len(w) >= MIN_LENGTH)


Candidates = tuple[tuple[str, ...], tuple[str, ...]]  # forms to match, the word each reads as


@lru_cache(maxsize=256)
def _by_first_letter(vocabulary: frozenset[str]) -> dict[str, tuple[Candidates, Candidates]]:
    """The vocabulary by first letter: its words (each read as itself), and its stems (each
    read as the first word that has it)."""
    found: dict[str, tuple[list[str], dict[str, str]]] = {}
    for w in sorted(vocabulary):
        words, stems = found.setdefault(w[0], ([], {}))
        words.append(w)
        stems.setdefault(stem(w), w)
    return {letter: ((tuple(words), tuple(words)), (tuple(stems), tuple(stems.values())))
            for letter, (words, stems) in found.items()}


def correct_spelling(answer: str, vocabulary: frozenset[str],
                     known: Callable[[str], bool]) -> tuple[str, dict[str, str]]:
    """The answer with its misspelt words read as the rubric's `vocabulary`, and what was read
    as what. `known(word)` tells a word the guide itself uses (left alone)."""
    def read(word: str) -> str | None:
        if len(word) < MIN_LENGTH or word in vocabulary or zipf(word) > 0 \
                or zipf_large(word) >= UNLISTED_ZIPF \
                or "'" in word or "’" in word or BRITISH.search(word) or known(word):
            return None  # short, the rubric's, English, a contraction, British, the guide's
        none: Candidates = ((), ())
        words, stems = _by_first_letter(vocabulary).get(word[0], (none, none))
        # a stem is read one edit away at most: two may be another suffix ("regressor")
        for form, (choices, reads_as), edits in (
                (word, words, 2 if len(word) >= LONG_WORD else 1), (stem(word), stems, 1)):
            near = extract(form, choices, scorer=DamerauLevenshtein.distance,
                           score_cutoff=edits, limit=2)
            if near and not (len(near) == 2 and near[1][1] == near[0][1]):
                found = reads_as[near[0][2]]
                return None if stem(found) == stem(word) else found
        return None

    fixes = {w: fixed for w in set(_WORD.findall(answer.lower())) if (fixed := read(w))}
    readings: dict[str, str] = {}

    def reading(match: re.Match[str]) -> str:
        word = match.group(0)
        fixed = fixes.get(word.lower())
        if fixed is None:
            return word
        readings[word] = fixed
        return fixed.capitalize() if word[0].isupper() else fixed

    return (_WORD.sub(reading, answer), readings) if fixes else (answer, readings)
