"""Polarity: does the answer say a rubric point's key term the other way round?

A fluent wrong answer often reuses the guide's words with the claim negated ("authentication
isn't needed", "the gradient is never passed back"). A key term is *denied* when a negation
stands within NEAR words of it, inside the same clause of the answer (clauses split at
punctuation and connectives, so "no recurrence, so it trains on GPUs" does not deny "GPU"),
the answer never says it plainly, and the guide's own statement of the point never says it
negated. A negation is a word such as "not", "without" or "unnecessary" ("fine-tuning is
unnecessary"), or a verb of leaving out that denies what follows it ("skip the validation"). Aliases
that carry their own negation ("no labels") and doubly negated clauses are read as plain. "No"
and "without" said after a term deny it only through a verb between ("sequence length has no
impact"), not as an adjunct ("shrinks them without zeroing them"): on 2,239 grades (the team's
rows against curated, extracted and reference rubrics, the external set) that took false
denials off 7 grades of correct answers and lost one in a wrong answer, caught by accident
("the denoiser works without looking at the prompt" had denied "denoising"). On the
team's 509 graded answers, against the curated rubrics, this flags 37 points in wrong answers
(short, long or plain) and 10 in the others (python -m tutor.eval.calibrate measures what it does
to the grades).

A key term is *inverted* when the answer says it next to the opposite of a scalar or directional
word the guide says of it ("the KV cache grows" where the guide says MQA "shrinks" it; OPPOSITES
is a small closed lexicon: more/fewer, higher/lower, add/remove, show/hide, ...) and never says
the guide's own word. On the team's graded answers this flags one long wrong answer against
the curated rubrics and four against extracted ones, and no other answer; on two public guides
it turned an inverted multi-query-attention answer from 3.9 to 1.6.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from tutor.grading.terms import STEMMED_STOPWORDS, TermGroup, stemmed_words

NEGATORS = frozenset(stemmed_words("not no never none nothing neither nor cannot without "
                                   "unnecessary needless"))
# negations of what follows them only ("skip the validation step"); what comes before them is
# said plainly. "Rather than" and "instead of" are not among them: a correct answer contrasts
# with them too ("similarity search instead of SQL queries" of vector databases)
LEADING_NEGATORS = tuple(stemmed_words(w) for w in ("skip", "omit"))
# determiners and prepositions that negate the noun or verb after them: said after a term, they
# deny it only through a verb of having or doing between ("sequence length has no impact",
# "review adds cost without reducing errors"), not as an adjunct ("shrinks the weights without
# zeroing them", "unlabelled data with no target outputs")
NOUN_NEGATORS = frozenset(stemmed_words("no without"))
PREDICATES = frozenset(stemmed_words("is are was were be has have had carries carry plays play "
                                     "adds add makes make gives give brings bring needs need "
                                     "requires require offers offer provides provide does do"))
AUXILIARIES = frozenset(stemmed_words("do does did can could will would should may might must "
                                      "ca wo"))  # "can't", "won't" read as "ca not", "wo not"
COPULAS = frozenset(stemmed_words("be been being have has had"))
ADVERBS = frozenset(stemmed_words("really actually even always ever necessarily much"))
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
NEAR = 4  # words between a negation and the term it denies
COORDINATORS = frozenset(stemmed_words("and or"))
# a comma before a participle ("…to exactly zero, producing sparse models") joins what it
# says to the clause before it: the same side, the same scope
# a clause opened by "which" keeps it: it goes on from the thing named before it
CLAUSE = re.compile(r",(?!\s+[a-z]+ing\b)|[;:()—–]|[.!?](?:\s|$)"
                    r"|\b(?:because|so|but|while|whereas|since|although|then)\b|(?=\bwhich\b)",
                    re.IGNORECASE)
Clause = tuple[str, ...]


@lru_cache(maxsize=16384)
def clauses(text: str) -> tuple[Clause, ...]:
    """Each clause as stemmed words ("isn't" read as "is not"); kept for repeated texts (the
    rubric's statements, the sentences of a batch)."""
    text = re.sub(r"n[’']t\b", " not", text)
    return tuple(stemmed_words(c) for c in CLAUSE.split(text) if c and c.strip())


def negations(words: Clause) -> list[tuple[int, bool]]:
    """Where the clause negates: (position, whether only what follows is negated). A "not"
    after an auxiliary, with the verb's object after it, negates the verb and what follows
    ("decoding does not recompute them"), not the subject before it; without an object it
    says the subject's claim is wrong ("sequence length does not matter")."""
    return [(i, _verb_negated(words, i)) for i, w in enumerate(words) if w in NEGATORS] + [
        (i + len(lead) - 1, True) for lead in LEADING_NEGATORS
        for i in range(len(words) - len(lead) + 1) if words[i:i + len(lead)] == lead]


def _verb_negated(words: Clause, i: int) -> bool:
    """Is the "not" at i an auxiliary's, before a verb with an object ("does not recompute
    them")? Not before a passive or a perfect ("should not be used", "has not been"), nor
    before a verb with nothing after it but adverbs ("doesn't really matter")."""
    if i == 0 or words[i - 1] not in AUXILIARIES or i + 1 >= len(words) \
            or words[i + 1] in COPULAS:
        return False
    rest = [w for w in words[i + 1:] if not w.endswith(("li", "ly")) and w not in ADVERBS]
    return len(rest) > 1


def said_negated(group: TermGroup, words: Clause) -> bool:
    """Is one of the group's plain aliases said within NEAR words of a single negation (before
    it, or after it for a negation like "not needed")? A scope ends at "and" or "or": "no
    preemption and circular wait" denies the preemption, not the circular wait."""
    found = negations(words)
    if len(found) != 1:  # none, or doubly negated
        return False
    j, leading = found[0]
    for seq in group.stems:
        if negations(seq):
            continue
        n = len(seq)
        for i in range(len(words) - n + 1):
            if words[i:i + n] != seq:
                continue
            if i - NEAR <= j < i and not COORDINATORS.intersection(words[j + 1:i]):
                return True
            if not leading and i + n <= j <= i + n - 1 + NEAR \
                    and not COORDINATORS.intersection(words[i + n:j]) \
                    and (words[j] not in NOUN_NEGATORS or PREDICATES.intersection(words[i + n:j])):
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
    guide = [c for sentence in SENTENCE_END.split(guide_text) if (parts := clauses(sentence))
             for c in (_conditioned(parts) if parts[0][:1] and parts[0][0] in NEGATORS
                       else parts)]
    return [g.aliases[0] for g in groups
            if denied(g, answer) and not any(g.found_in(c) and negations(c)
                                             for c in guide)]


def _conditioned(parts: tuple[Clause, ...]) -> list[Clause]:
    """The clauses of a sentence that opens on an absence ("Without a cache, the keys ... would
    be recomputed"), each read with that opening: what they say holds only without it, so an
    answer saying the opposite of the present case ("the cache means they are not
    recomputed") echoes the guide, not denies it."""
    return [parts[0]] + [parts[0] + c for c in parts[1:]]


_COMPOUND = re.compile(r"(?<=\w)-(?=\w)")
# verbs that turn the direction after them round, like a negation ("prevent large weights")
PREVENTS = frozenset(stemmed_words("prevent prevents avoid avoids stop stops against"))
# words that say a claim the other way round: the cache "grows" where the guide says it
# "shrinks", a model uses "more" bits where it uses "fewer"
_OPPOSITE_PAIRS = """more:less more:fewer increase:decrease increase:reduce higher:lower
    high:low larger:smaller large:small bigger:smaller big:small faster:slower fast:slow
    quick:slow grow:shrink improve:degrade improve:worsen better:worse best:worst
    maximize:minimize maximise:minimise raise:lower rise:fall longer:shorter
    long:short many:few cheap:expensive cheaper:costlier easy:hard easier:harder stable:unstable
    exact:approximate lossy:lossless parallel:sequential dense:sparse static:dynamic sharp:blurry
    sharper:blurrier overfitting:underfitting stronger:weaker strong:weak efficient:inefficient
    shared:separate shallow:deep encourage:discourage add:remove keep:remove keep:discard show:hide
    include:exclude enable:disable verified:unverified compute-bound:memory-bound
    compute-bound:memory-bandwidth-bound""".split()


def compounds_joined(text: str) -> str:
    """Hyphenated compounds as one word ("high-risk" -> "highrisk")."""
    return _COMPOUND.sub("", text)


def _opposites() -> dict[str, frozenset[str]]:
    """Each stemmed word of _OPPOSITE_PAIRS (a compound read as one word) and its opposites."""
    found: dict[str, set[str]] = {}
    for pair in _OPPOSITE_PAIRS:
        a, b = (stemmed_words(compounds_joined(w))[0] for w in pair.split(":"))
        found.setdefault(a, set()).add(b)
        found.setdefault(b, set()).add(a)
    return {k: frozenset(v) for k, v in found.items()}


OPPOSITES = _opposites()


def inverted_terms(groups: Iterable[TermGroup], answer_texts: Sequence[str],
                   guide_text: str) -> list[str]:
    """The point's terms the answer says, within NEAR words, next to the opposite of a word the
    guide's statement says within NEAR words of the same alias ("the KV cache grows" where the
    guide says it "shrinks"), both in clauses without a negation or a verb like "prevent" ("does
    not grow" says it the guide's way, "prevent large weights" asks for small ones), while the
    answer never says the guide's word and the guide never says the opposite. Judging each alias
    on the words next to it alone was measured and not kept: it caught "less stable and more
    prone to mode collapse" but read "PEFT adapts a large model" as large adapters (the stems of
    "adapts" and "adapters" are one), a correct answer marked wrong. Words inside a
    compound ("high-risk", "low-confidence") qualify the compound, not the term."""
    guide = [c for c in clauses(compounds_joined(guide_text))  # "prevent large weights"
             if not (negations(c) or PREVENTS.intersection(c))]  # says "small" ones
    answer = [c for text in answer_texts for c in clauses(compounds_joined(text))
              if not (negations(c) or PREVENTS.intersection(c))]
    guide_words = {w for c in guide for w in _directions(c)}
    answer_words = {w for c in answer for w in _directions(c)}
    found = []
    for g in groups:
        for alias, seq in zip(g.aliases, g.stems, strict=True):  # the same alias on both sides
            said = {d for c in guide for d in _directions(c, seq)}
            if not said or said & answer_words:
                continue
            flipped = {d for c in answer for d in _directions(c, seq)
                       if OPPOSITES[d] & said and d not in guide_words}
            if flipped:
                found.append(f"{alias} ({sorted(flipped)[0]})")
                break
    return found


def opposed_terms(groups: Iterable[TermGroup], answer_texts: Sequence[str],
                  guide_text: str, asked: frozenset[str],
                  sides: frozenset[str] = frozenset()) -> list[str]:
    """The point's key terms that are themselves words of OPPOSITES ("sequentially"), which
    the answer never says while it says their opposite ("in parallel") outside a negation, in a
    clause naming the asked thing the guide's statement names ("Gradient boosting trains many
    deep trees independently in parallel" against "Gradient boosting builds ... trees
    sequentially"): the point's own word turned round, where no term of it was said to be read.
    A statement naming two of the compared sides (`sides`), or saying the opposite word too,
    in any form, is left alone ("GANs are sharp, VAEs blurrier"). On 2,239 grades of the
    team's and external rows this marks a point incorrect in 4 grades of wrong answers
    ("transformers are inherently sequential", "GANs are more stable") and in no other; a clause
    about something else ("every token weighs every other in parallel", of a statement on
    sequential data) is not read."""
    guide = {w for c in clauses(compounds_joined(guide_text)) for w in c} - STEMMED_STOPWORDS
    if len(guide & sides) > 1:  # the statement contrasts two sides
        return []
    answer = [c for text in answer_texts for c in clauses(compounds_joined(text))]
    said = {w for c in answer for w in c}
    plain = [c for c in answer if not (negations(c) or PREVENTS.intersection(c))]
    topic = asked & guide
    found = []
    for g in groups:
        for alias, seq in zip(g.aliases, g.stems, strict=True):
            if len(seq) != 1 or seq[0] not in OPPOSITES or seq[0] in said:
                continue
            turned = OPPOSITES[seq[0]]
            if any(t.startswith(w) or w.startswith(t) for t in turned for w in guide
                   if len(w) > 3):
                continue  # the statement says the other way too ("sharp ... blurrier")
            if any(turned.intersection(c) and topic.intersection(c) for c in plain):
                found.append(f"{alias} ({sorted(turned)[0]})")
                break
    return found


def _directions(words: Clause, near: tuple[str, ...] = ()) -> set[str]:
    """The words of OPPOSITES in a clause (within NEAR words of the words `near`, when given)."""
    at = next((i for i in range(len(words)) if words[i:i + len(near)] == near), None) \
        if near else None
    if near and at is None:
        return set()
    return {w for i, w in enumerate(words)
            if w in OPPOSITES and (at is None or abs(i - at) <= NEAR)}


# a claim said both ways: "raises/lowers the cost", "a smaller (or larger) student", "it may, or
# may not, be fine-tuned", "it can/cannot"; a plain "or" is left alone ("long or short texts")
_BOTH_WAYS = re.compile(r"\b([A-Za-z][\w-]*)(?:\s*/\s*|\s*\(\s*or\s+)([A-Za-z][\w-]*)")
_SELF_DENIAL = re.compile(r"\b(\w+)(?:\s*/\s*|\s*,?\s*or\s+)\1\s*(?:not|n[’']t)\b", re.I)


def said_both_ways(sentence: str) -> str | None:
    """The words by which a sentence offers a claim and its opposite as alternatives (an
    OPPOSITES pair joined by a slash or a bracketed "or", or a word and its negation), so that
    whichever is right, it is said: a hedge, not a claim. None for a sentence that commits."""
    denial = _SELF_DENIAL.search(sentence)
    if denial:
        return denial.group(0)
    for match in _BOTH_WAYS.finditer(sentence):
        first, second = (stemmed_words(compounds_joined(w)) for w in match.groups())
        if first and second and second[0] in OPPOSITES.get(first[0], ()):
            return match.group(0)
    return None
