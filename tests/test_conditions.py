"""Conditions: a point said of the opposite condition ("higher temperature ... deterministic")
is caught, not credited, and a right answer in other words is not."""

import pytest

from tutor.grading.conditions import Condition, condition_of, reversed_condition
from tutor.grading.terms import TermGroup, stemmed_words

QUESTION = "How does temperature affect text generation?"
ASKED = frozenset(stemmed_words(QUESTION))
LOW = "A low temperature sharpens the distribution, so the output becomes more deterministic."
HIGH = "A high temperature flattens the distribution, so the output is diverse but less coherent."
TERMS = [[TermGroup.of(["sharpens"]), TermGroup.of(["deterministic"]), TermGroup.of(["output"])],
         [TermGroup.of(["flattens"]), TermGroup.of(["coherent"]), TermGroup.of(["output"])]]


def test_a_direction_word_on_an_asked_word_sets_a_points_condition():
    assert condition_of(LOW, ASKED) == Condition("low", "temperatur")
    assert condition_of(HIGH, ASKED) == Condition("high", "temperatur")
    # no asked word qualified, or both directions in one statement: no condition
    assert condition_of("Temperature divides the logits before the softmax.", ASKED) is None
    assert condition_of("A low temperature sharpens, a high one flattens.", ASKED) is None


@pytest.mark.parametrize(("answer", "caught"), [
    ("Higher temperature makes the distribution sharper so the output is deterministic; "
     "lower temperature flattens it.", [True, True]),
    ("When the temperature is high the output is deterministic. When the temperature is low "
     "the distribution flattens.", [True, True]),
    # "raising" is the opposite of "lower", so of "low": said of a high temperature
    ("Raising the temperature sharpens the distribution and makes the output deterministic.",
     [True, False]),
    # right, in other words and orders: nothing caught
    ("Low temperature sharpens the distribution, while a high temperature flattens it and "
     "costs coherence.", [False, False]),
    ("Output becomes deterministic with a lower temperature; raising the temperature flattens "
     "the distribution.", [False, False]),
    # a comparison or a negation is not read as a claim of the other condition
    ("Higher temperatures give less deterministic output.", [False, False]),
    ("A high temperature does not make the output deterministic.", [False, False]),
])
def test_terms_said_only_under_the_opposite_condition_are_caught(answer, caught):
    conditions = [condition_of(LOW, ASKED), condition_of(HIGH, ASKED)]
    segments = [s.strip() + "." for s in answer.split(".") if s.strip()]
    found = [bool(reversed_condition(n, conditions, TERMS, ASKED, segments)) for n in range(2)]
    assert found == caught


def test_a_swapped_temperature_answer_loses_both_points(embedded_grader):
    """Found on a new guide: the swapped answer said every key term and scored 4.4/5."""
    reference = ("Temperature divides the logits before the softmax. " + LOW + " " + HIGH)
    swapped = embedded_grader.grade(QUESTION, "Temperature divides the logits before the "
                                    "softmax. A higher temperature sharpens the distribution and "
                                    "makes the output deterministic; a lower temperature "
                                    "flattens it so the output is diverse but incoherent.",
                                    reference=reference)
    right = embedded_grader.grade(QUESTION, "Temperature divides the logits before the "
                                  "softmax. A lower temperature sharpens the distribution and "
                                  "makes the output deterministic; a higher temperature "
                                  "flattens it so the output is diverse but incoherent.",
                                  reference=reference)
    assert len(swapped.incorrect) == 2, swapped.incorrect
    assert not right.incorrect
    assert swapped.score < right.score - 1.5


def test_two_points_saying_one_verb_of_two_things_set_up_sides(embedded_grader):
    """Found on a new markdown guide: "BM25 matches exact terms ...", "Dense retrieval matches
    paraphrases ..." (asked "What is hybrid search?") name no side of the question, and the
    answer giving each the other's matches scored 5.0, the right answer's score."""
    from tutor.grading.halves import parallel_subjects

    reference = ("Hybrid search combines lexical retrieval with dense vector retrieval. BM25 "
                 "matches exact terms such as product codes and rare names. Dense retrieval "
                 "matches paraphrases and synonyms.")
    question = "What is hybrid search?"
    assert parallel_subjects(question, tuple(reference.split(". "))) == (
        (None, "bm25", "dens"), frozenset({"bm25", "dens", "retriev"}))
    # a labelled item, a word of the question, a noun that is also a verb: no sides
    assert parallel_subjects("What is latent space?", (
        "Latent space matches codes.", "1. Concept:\n- Latent space represents data.",
        "Space matters."))[0] == (None,) * 3
    answer = ("Hybrid search combines BM25 with dense vector retrieval. {} matches exact terms "
              "such as product codes, while {} matches paraphrases and synonyms.")
    right = embedded_grader.grade(question, answer.format("BM25", "dense retrieval"),
                                  reference=reference)
    swapped = embedded_grader.grade(question, answer.format("Dense retrieval", "BM25"),
                                    reference=reference)
    assert swapped.incorrect and not right.incorrect
    assert swapped.score < right.score - 1
