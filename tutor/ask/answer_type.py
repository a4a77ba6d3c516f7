"""What kind of answer a question asks for, and whether a guide sentence is of that kind.

Classic question answering reads the answer type off the question's frame: "why ..." wants a
cause or purpose, "how many ..." a quantity, "what is that called?" a name, that is a sentence
that defines a term. A sentence of the asked-for kind gets a small bonus in the evidence score
(`tutor.ask.evidence`); a question of no recognised type gives no bonus to any sentence.

A question whose frame asks for a figure ("how many ...", "what rank ...") is refused when none of
the chosen sentences gives one (`asks_figure`, `gives_figure`; `tutor.ask.coverage`). That test
is stricter than the bonus's cue for a quantity: a bonus for "GPT-3" or "one of" costs little,
but taking them for figures would answer "How many heads does GPT use?" from a guide that never
says.
"""

from __future__ import annotations

import re

# a sentence that defines a term: "X is a ...", "X refers to ...", "Definition: ..."
DEFINITION = re.compile(r"^(?:Definition:|[^.;:]{0,80}?\b(?:is|are|refers? to|means)\s+(?:an?|the"
                        r"|one|any)\b)", re.IGNORECASE)
_WHY = re.compile(r"^\W*(?:why|what (?:causes|makes))\b", re.IGNORECASE)
_CAUSE = re.compile(r"\b(?:because|since|due to|as a result|so that|leads? to|causes?|thus"
                    r"|therefore|hence)\b", re.IGNORECASE)
_QUANTITY = re.compile(r"\b(?:how (?:many|much|long|fast|often|big|large|small)|what (?:\w+ )?"
                       r"(?:number|size|percentage|time|latency|rate))\b", re.IGNORECASE)
_NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|hundreds?"
                     r"|thousands?|millions?|billions?|few|several|dozens?)\b", re.IGNORECASE)
# a figure asked for by the question's own frame, at its start or a clause's ("Roughly how many
# parameters ...", "..., and how much memory ...", "What rank should ..."); not "how do I put a
# number on how often it fails", which asks for a method
_FIGURE = re.compile(r"(?:^|[,;:]\s*|\band\s+)\W*(?:(?:roughly|approximately|about|exactly)\s+)?"
                     r"(?:how (?:many|much)|what (?:[\w-]+ )?(?:number|size|percentage|rank|value"
                     r"|threshold|score)s?\b)", re.IGNORECASE)
_NAME = re.compile(r"\b(?:called|known as|term for|name for)\b", re.IGNORECASE)


def asked_type(question: str) -> str | None:
    """"cause", "quantity" or "name" when the question's frame asks for one, else None."""
    if _WHY.search(question):
        return "cause"
    if _QUANTITY.search(question):
        return "quantity"
    if _NAME.search(question):
        return "name"
    return None


# a figure a sentence gives: digits that are not part of a name ("GPT-3", "T5") or a year
# ("in 2017"), or a number word; not "one", which is mostly "one of the ..."
_GIVEN_FIGURE = re.compile(r"(?<![\w-])(?!(?:1[89]|20)\d\d\b)\d|\b(?:two|three|four"
                           r"|five|six|seven|eight|nine|ten|dozens?|hundreds?|thousands?|millions?"
                           r"|billions?|trillions?|few|several)\b", re.IGNORECASE)


def asks_figure(question: str) -> bool:
    """Whether the question's frame asks for a figure (a count, size or setting), which only a
    sentence holding a number can give."""
    return bool(_FIGURE.search(question))


def gives_figure(sentence: str) -> bool:
    """Whether the sentence gives a figure (a year or a model's name is not one)."""
    return bool(_GIVEN_FIGURE.search(sentence))


def of_type(kind: str | None, sentence: str) -> bool:
    """Whether the sentence gives an answer of the kind (never, for no kind)."""
    if kind == "cause":
        return bool(_CAUSE.search(sentence))
    if kind == "quantity":
        return bool(_NUMBER.search(sentence))
    if kind == "name":
        return bool(DEFINITION.match(sentence))
    return False
