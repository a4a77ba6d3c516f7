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

A rubric extracted from a guide's text follows the guide's paragraphs, and is read more loosely
(`paragraphs=True`): two question words that open one point each are sides ("Hard Voting: …",
"Soft Voting: …"); a point that opens without a subject ("Trained with masked language
modeling.", "It …") is about the side of the point before it; in the answer, a clause that names
no side speaks of the side named last when it goes on from it ("and it is trained…", "BERT, on
the other hand, uses…"); a term that names a side says nothing of which side is meant; and a
point is misattributed when the terms the answer gives its own side are fewer than, and all
among, those it gives another side. Found on public guides, where a swapped BERT/GPT answer
scored 5.0 with every point covered. The guide's label lines give sides too ("Self-Consistency:"
over one paragraph, "Self-Refinement:" over another, by the question words that tell them
apart), and so does a question asking "A or B" ("set too low or too high?": each point's first
clause names its side); in the answer, a condition naming a side ("When it is too high, …")
says what the next clause speaks of. On public guides these turned a swapped self-consistency /
self-refinement answer from 5.0 to 3.0 and an inverted learning-rate answer from 5.0 to 0.0.
Curated rubrics keep the strict reading: on the team's rows the loose one changes three flags
(two wrong answers caught, one false alarm) but moves the refitted curated parameters (held-out
long_wrong 1.36 -> 1.67), so it is not used there.

A curated rubric whose question names no sides may still list things side by side (the losses of
image synthesis, the retrievers of RAG): most of its points open with one of their own key terms
("MSE (L2) penalises…", "Style loss compares…"), and those things are its sides
(`named_subjects`). A fluent wrong answer swaps what it says of them ("MSE gives the sharpest
images, whereas L1 is blurry"). There a term tells a side only when its clause names exactly one
thing before it, or names none and goes on about a bare subject ("L1 loss, by contrast, is known
for blurring"); "mean squared error" (the term's initials spelled out) and a bracketed "(L2)"
name the MSE side; aliases that name a thing, or that other things' points use too, tell
nothing; and an answer that never names a point's thing is not judged on it. On the team's 603
graded answers this adds three flags, all in long wrong answers, and none elsewhere; on 48 probe
answers written blind (since used to develop this) it caught the MSE/L1 and style/content swaps
and two cross-/bi-encoder swaps.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from functools import lru_cache

from tutor.core.text import content_words, tokenize
from tutor.grading.polarity import clauses
from tutor.grading.terms import DEFINING_VERBS, STEMMED_STOPWORDS, TermGroup, stemmed_words

SUBJECT_WINDOW = 4  # a point's subject is a compared side among its first words
# what joins the two things a question pairs, and how many words either side name them
PAIRED = re.compile(r"\s(?:or|vs\.?|versus|and)\s", re.IGNORECASE)
PHRASE_WORDS = 3
COMPARISON = re.compile(r"\b(?:compar\w*|differ\w*|versus|vs\.?|contrast\w*|between)\b",
                        re.IGNORECASE)


DEFINES = frozenset(stemmed_words(" ".join(DEFINING_VERBS)))
# a statement opening with these has no subject of its own: it goes on about the one before
ANAPHORS = frozenset({"it", "its", "they", "their", "this", "these", "best", "better", "worse"})
# a clause opening with these goes on about the side named before it ("and it is trained…")
GOES_ON = frozenset(stemmed_words("and it its they their we which"))
# a clause opening with these sets the side the next clause speaks of ("If it is too high, …",
# "During prefill the model …, so …")
CONDITIONS = frozenset(stemmed_words("if when whenever once during for in"))
AKA = re.compile(r"[^()]{1,40}?\(([^()]{1,40})\)")  # "MSE (L2) …": another name in brackets
LISTED_SIDES = 3  # things named side by side that make a list of sides
ASIDE = 4  # a clause this short that names no side ("on the other hand") is an aside


@lru_cache(maxsize=1024)
def point_subjects(question: str, statements: tuple[str, ...], paragraphs: bool = False,
                   labels: tuple[str, ...] = ()) -> tuple[str | None, ...]:
    """Each point's side (a stemmed question word opening it), or None. A question that asks
    for a comparison has sides when exactly two words each open two points or more (with
    `paragraphs`, else the only two that open any); any other question when two or more of its
    words open a point that defines them ("Bias is…"). With `paragraphs`, a point that opens
    without a subject is about the side of the point before it, and the guide's labels over the
    points (`labels`: "Self-Consistency", "Self-Refinement") give the sides first, by the
    question words that tell them apart. A point that names every side is about all of them:
    no subject."""
    none: tuple[str | None, ...] = (None,) * len(statements)
    asked = set(content_words(COMPARISON.sub(" ", question)))
    words = [stemmed_words(text) for text in statements]
    subjects, sides = _labelled(labels, asked) if paragraphs else ([], [])
    labelled = bool(sides)  # a label names its point's side, whatever else the point names
    if not sides and paragraphs:
        subjects, sides = _alternatives(question, statements, asked)
    if not sides and COMPARISON.search(question):
        subjects = [next((w for w in ws[:SUBJECT_WINDOW] if w in asked), None) for ws in words]
        opening = Counter(s for s in subjects if s)
        sides = [s for s, n in opening.items() if n >= 2]
        if len(sides) != 2 and paragraphs and len(opening) == 2:
            sides = list(opening)
        if len(sides) != 2:
            return none
    elif not sides:
        subjects = [_defined(ws, asked) for ws in words]
        sides = sorted({s for s in subjects if s})
        if len(sides) < 2:
            return none
    heads = _shared_head(question, set(sides))
    found: list[str | None] = []
    for s, ws, text in zip(subjects, words, statements, strict=True):
        if paragraphs and s is None and found and _goes_on(text) and not asked & set(ws):
            s = found[-1]
        found.append(s if s in sides and (labelled or not set(sides) <= _named(ws, heads))
                     else None)
    return tuple(found)


def _shared_head(question: str, sides: set[str]) -> str | None:
    """The word every side is followed by in the question, when they share one ("linear
    regression and logistic regression": "regress"), else None."""
    words = stemmed_words(COMPARISON.sub(" ", question))
    after = [{words[i + 1] for i in range(len(words) - 1) if words[i] == side} for side in sides]
    shared = set.intersection(*after) - STEMMED_STOPWORDS if after else set()
    return next(iter(shared)) if len(shared) == 1 else None


def side_mentions(answer: Sequence[tuple[str, ...]], question: str,
                  sides: set[str]) -> list[tuple[str, ...]]:
    """The answer's clauses (stemmed) with each side word that does not name its side marked
    ("linear~"): with a head the sides share in the question, a side word not followed by it
    ("it passes the linear combination through a sigmoid", of logistic regression)."""
    head = _shared_head(question, sides)
    if head is None:
        return list(answer)
    named = [_named(clause, head) for clause in answer]
    return [tuple(w + "~" if w in sides and w not in found else w for w in clause)
            for clause, found in zip(answer, named, strict=True)]


def _named(words: Sequence[str], head: str | None) -> set[str]:
    """The stemmed words of a statement that may name a side: with a shared head, only those
    followed by it ("linear combination" in a logistic-regression point names no linear
    regression)."""
    if head is None:
        return set(words)
    return {w for i, w in enumerate(words) if i + 1 < len(words) and words[i + 1] == head}


def _labelled(labels: Sequence[str], asked: set[str]) -> tuple[list[str | None], list[str]]:
    """Each point's side from the label over it: the first question word of the label that not
    every label holds ("few" and "zero" for "Few-Shot Learning in LLMs" and "Zero-Shot Learning
    in LLMs"); the sides when there are two (labels of three or more aspects, "Content Quality
    Metrics", "Performance Metrics", "User Satisfaction Metrics", compare nothing)."""
    named = [[w for w in stemmed_words(label) if w in asked] for label in labels]
    held = [set(n) for n in named if n]
    common = set.intersection(*held) if held else set()
    subjects = [next((w for w in n if w not in common), None) for n in named]
    sides = sorted({s for s in subjects if s})
    return (subjects, sides) if len(sides) == 2 else ([], [])


def _alternatives(question: str, statements: Sequence[str],
                  asked: set[str]) -> tuple[list[str | None], list[str]]:
    """For a question pairing two things ("too low or too high?", "prefill vs decode",
    "between GANs and VAEs"), each point's side: the one of the pair its first clause names
    (alone). The first pair of the question that both open a point is taken."""
    for pair in question_pairs(question):
        if not set(pair) <= asked:
            continue
        subjects: list[str | None] = []
        for text in statements:
            first = next(iter(clauses(text)), ())
            named = [w for w in pair if w in first]
            # a point that asks ('"Is decode ever compute-bound?" → …') states no side
            subjects.append(named[0] if len(named) == 1 and "?" not in text else None)
        if set(pair) <= set(subjects):
            return subjects, list(pair)
    return [], []


def question_pairs(question: str) -> list[tuple[str, str]]:
    """The pairs a question joins with "or", "vs", "versus" or "and", each by the words that tell
    its two phrases apart ("dynamic batching vs static batching" gives ("dynam", "static")); the
    end of a list of more ("HNSW, IVF, and flat") is no pair."""
    pairs = []
    for found in PAIRED.finditer(question):
        before = " ".join(question[:found.start()].split()[-PHRASE_WORDS:])
        if "," in before:
            continue  # the end of a list ("HNSW, IVF, and flat"): more than two things
        left = content_words(before)
        right = content_words(" ".join(question[found.end():].split()[:PHRASE_WORDS]))
        a = next((w for w in reversed(left) if w not in right), None)
        b = next((w for w in right if w not in left), None)
        if a and b and a != b:
            pairs.append((a, b))
    return pairs


def _goes_on(text: str) -> bool:
    """Does the statement open without a subject ("Trained with…", "It is…", "Best for…")?"""
    first = next(iter(tokenize(text)), "")
    return first in ANAPHORS or (first.endswith("ed") and len(first) > 4)


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


def named_subjects(question: str, statements: Sequence[str],
                   terms: Sequence[Sequence[TermGroup]]) -> tuple[str | None, ...]:
    """Each point's side when the points list things side by side (losses, retrievers): the
    thing a point opens with, when that is one of its own key terms ("MSE (L2) penalises…",
    "Style loss compares…"), by the term's first word, and the question does not name it (the
    question's topic is the whole the points are parts of). None for every point unless
    LISTED_SIDES things or more open half the points or more."""
    return _listed([side for side, _ in _openings(question, statements, terms)])


def listed_sides(question: str, statements: Sequence[str], terms: Sequence[Sequence[TermGroup]],
                 answer: Sequence[tuple[str, ...]]
                 ) -> tuple[tuple[str | None, ...], list[tuple[str, ...]]]:
    """Each point's listed side (`named_subjects`) and the answer's clauses with every alias of
    a side's term said as the side ("mean squared error" as "mse")."""
    openings = _openings(question, statements, terms)
    subjects = _listed([side for side, _ in openings])
    names = _side_names(statements, openings, subjects)
    return subjects, [_with_side_names(c, names) for c in answer] if names else list(answer)


def _listed(found: list[str | None]) -> tuple[str | None, ...]:
    named = [s for s in found if s]
    listed = len(set(named)) >= LISTED_SIDES and 2 * len(named) >= len(found)
    return tuple(found) if listed else (None,) * len(found)


def _side_names(statements: Sequence[str],
                openings: Sequence[tuple[str | None, TermGroup | None]],
                subjects: Sequence[str | None]) -> dict[tuple[str, ...], str]:
    """The other names of each listed side, from the key term the point opens with: an alias
    its opening gives in brackets ("L2" in "MSE (L2) penalises…") or that the term abbreviates
    ("mean squared error" for "MSE"). Other aliases of that term ("Gram matrices" beside "style
    loss") are what the thing does, not its name."""
    names: dict[tuple[str, ...], str] = {}
    for text, (_, group), side in zip(statements, openings, subjects, strict=True):
        if side is None or group is None:
            continue
        found = AKA.match(text)
        aka = stemmed_words(found.group(1)) if found else ()
        for seq in group.stems:
            if seq == aka or len(seq) > 1 and "".join(w[0] for w in seq) == side:
                names.setdefault(seq, side)
    return names


def _with_side_names(clause: tuple[str, ...],
                     names: dict[tuple[str, ...], str]) -> tuple[str, ...]:
    """The clause with each alias of a side said as the side itself, longest alias first."""
    out: list[str] = []
    i = 0
    longest = sorted(names, key=len, reverse=True)
    while i < len(clause):
        seq = next((q for q in longest if clause[i:i + len(q)] == q), None)
        out.append(names[seq] if seq else clause[i])
        i += len(seq) if seq else 1
    return tuple(out)


def _openings(question: str, statements: Sequence[str], terms: Sequence[Sequence[TermGroup]]
              ) -> list[tuple[str | None, TermGroup | None]]:
    """For each statement, the side it opens by naming with one of its key terms (not a word
    of the question), and that term's group; (None, None) when it opens otherwise."""
    asked = set(content_words(question))
    found: list[tuple[str | None, TermGroup | None]] = []
    for text, groups in zip(statements, terms, strict=True):
        opening = stemmed_words(text)
        found.append(next(((seq[0], g) for g in groups for seq in g.stems
                           if seq and seq[0] not in asked and opening[:len(seq)] == seq),
                          (None, None)))
    return found


def misattributed(groups: Sequence[TermGroup], subject: str, sides: set[str],
                  answer: Sequence[tuple[str, ...]], paragraphs: bool = False,
                  shared: frozenset[str] = frozenset(), listed: bool = False) -> bool:
    """Does the answer (its clauses, as stemmed words) only ever give the point's terms to
    another side? With `paragraphs` (the loose reading): are the terms it gives the point's own
    side fewer than, and all among, those it gives another side? With `listed` (sides a rubric
    lists, `listed_sides`), terms are read as the module's docstring says of listed sides."""
    if paragraphs:
        return _outnumbered(groups, subject, sides, answer, shared)
    if listed:  # aliases naming a side, or that other sides' points use too, tell no side
        groups = [TermGroup(tuple(a for a, _ in kept), tuple(seq for _, seq in kept))
                  for g in groups if (kept := [(a, seq) for a, seq in zip(g.aliases, g.stems)
                                               if not sides.intersection(seq)
                                               and not set(seq) <= shared
                                               and "".join(seq) not in shared])]
        if not any(subject in clause for clause in answer):
            return False  # an answer that never names the point's thing says nothing of it
        given = [side for c, carried in _carried_sides(answer, sides, one=True)
                 if (side := _listed_side(groups, sides, c, carried)) is not None]
    else:
        given = [side for c in answer if (side := _side_of_terms(groups, sides, c)) is not None]
    return bool(given) and subject not in given


def _side_of_terms(groups: Sequence[TermGroup], sides: set[str],
                   clause: tuple[str, ...]) -> str | None:
    """The side a clause gives the groups' terms to: the one it names last before the first
    term it says, else the first after it; None when it says no term or names no side."""
    at = _first_term(groups, clause)
    return None if at is None else _side_at(at, sides, clause, None)


def _listed_side(groups: Sequence[TermGroup], sides: set[str], clause: tuple[str, ...],
                 carried: str | None) -> str | None:
    """For listed sides: the one side the clause names before the first term it says, or the
    side it goes on about when it names none (`_carried_sides`); None when it names two."""
    at = _first_term(groups, clause)
    if at is None:
        return None
    named = {w for w in clause if w in sides}
    before = {w for w in clause[:at] if w in sides}
    return (before.pop() if len(before) == 1 else None) if named else carried


def _first_term(groups: Sequence[TermGroup], clause: tuple[str, ...]) -> int | None:
    return min((i for g in groups if (i := g.position_in(clause)) is not None), default=None)


def _side_at(at: int, sides: set[str], clause: tuple[str, ...], last: str | None) -> str | None:
    """The side named last before position `at` of the clause, else first after it, else
    `last`."""
    before = [w for w in clause[:at] if w in sides]
    after = [w for w in clause[at:] if w in sides]
    return before[-1] if before else (after[0] if after else last)


def _outnumbered(groups: Sequence[TermGroup], subject: str, sides: set[str],
                 answer: Sequence[tuple[str, ...]], shared: frozenset[str]) -> bool:
    """The loose reading: a clause naming no side speaks of the side named last when it goes on
    from it ("and it …") or follows a bare subject ("BERT, …", "Self-refinement, …") or a
    condition naming a side ("When the rate is too high, …"); terms naming a side say
    nothing, and so does a term the other side's points use too ("weights" in "L1 zeroes some
    weights" and "L2 shrinks all weights"); an answer that never names the point's own side is
    not judged."""
    if not any(subject in clause for clause in answer):
        return False  # an answer that never names the point's side ("RNNs" for "recurrent")
    telling = [g for g in groups if not any(sides.intersection(seq) or set(seq) <= shared
                                            for seq in g.stems)]
    given: dict[str, set[int]] = {}
    for clause, carried in _carried_sides(answer, sides):
        for n, g in enumerate(telling):
            at = g.position_in(clause)
            side = None if at is None else _side_at(at, sides, clause, carried)
            if side is not None:
                given.setdefault(side, set()).add(n)
    own = given.get(subject, set())
    return any(own < terms for side, terms in given.items() if side != subject)


def _carried_sides(answer: Sequence[tuple[str, ...]], sides: set[str], one: bool = False
                   ) -> Iterator[tuple[tuple[str, ...], str | None]]:
    """Each clause with the side it speaks of when it names none: the side named last, when the
    clause goes on from it ("and it …") or follows a bare subject ("BERT, …", "L1 loss, by
    contrast, …") or a condition naming a side ("When the rate is too high, …"); else None.
    With `one`, a clause naming two sides ("autoregressive/transformer models") carries none."""
    last: str | None = None
    bare = False  # the last clause that says something only named a side ("BERT, …")
    for clause in answer:
        yield clause, last if bare or (clause and clause[0] in GOES_ON) else None
        named_here = {w for w in clause if w in sides}
        if one and len(named_here) > 1:
            last = None
        else:
            last = next((w for w in reversed(clause) if w in sides), last)
        if len(clause) > ASIDE or sides.intersection(clause):  # "on the other hand" is aside
            named = bool(sides.intersection(clause))
            bare = all(w in sides or w in STEMMED_STOPWORDS for w in clause) or named and (
                len(clause) <= ASIDE or clause[0] in CONDITIONS)
