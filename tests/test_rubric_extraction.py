"""Rubrics extracted from a guide without a curated one: what becomes a point, its label, key
terms and follow-up. The guide here is made up; nothing is embedded."""

import re

import pytest
from tutor.ingest.parse import parse_guide

from tutor.core.lexicon import technicality
from tutor.grading.follow_ups import question_from_statement, template_follow_up
from tutor.grading.rubric import rubric_from_card
from tutor.grading.statements import chunk_quoting, is_non_statement, short_label
from tutor.index.knowledge import KnowledgeBase

GUIDE = """# Ranking

## Which signals rate a playlist ranker?

Depending on the listener, we can track the following signals:

1. Skip rate
2. Dwell time
3. Replay share
4. Serendipity index

## What do we do with sparse tags?

Sparse tags must be hashed before a ranker can use them as inputs. There are various ways,
including:
- bucket hashing
- tag embeddings

# Mixing

## How is a mixing desk laid out?

There are mainly two kinds of faders,
|Channel| Gain (dB) | Pan | Mute |
|---|---|---|---|
|Vocal| 3 | L | no |

A fader scales the amplitude of its channel before the master bus sums every channel.
There are many knobs, but below are a few key defaults.
For specifics, refer to the above answer.
If we assume the bus sums channels, , then
where g is the gain and p is the pan of the channel.

## Which filters does a tagger use?

Tag filters remove duplicate tags [Smith, J. (2019). Tagging at scale. In Proc. of the
Conference on Tags (pp. 1-9).]. Filters run before the embeddings are built.

## What is a crossfade?

## Why normalise loudness?

Loudness normalisation keeps tracks at one perceived level, so a listener doesn’t reach for the
volume; the company thereby simply avoids complaints about jumps between tracks.
"""


@pytest.fixture(scope="module")
def guide() -> KnowledgeBase:
    parsed = parse_guide(GUIDE, "notes.md", set())
    return KnowledgeBase(parsed.cards, parsed.chunks)


def card_of(kb: KnowledgeBase, heading_start: str):
    return next(c for c in kb.cards if c.heading.startswith(heading_start))


def test_short_list_items_are_points_of_a_list_answer(guide):
    signals = card_of(guide, "Which signals")
    rubric = rubric_from_card(signals, guide)
    assert [p.label for p in rubric.points] == [
        "Skip rate", "Dwell time", "Replay share", "Serendipity index"]
    sparse = card_of(guide, "What do we do with sparse")
    labels = [p.label for p in rubric_from_card(sparse, guide).points]
    assert "bucket hashing" in labels and "tag embeddings" in labels
    assert labels[0].startswith("Sparse tags must be hashed")  # before the lead-in's colon
    for card in (signals, sparse):  # every quote is verbatim, as `tutor rubric import` checks
        for point in rubric_from_card(card, guide).points:
            assert point.citation is not None
            assert chunk_quoting(card, guide, point.citation.quote) is not None


def test_table_rows_fragments_intros_and_pointers_are_no_points(guide):
    rubric = rubric_from_card(card_of(guide, "How is a mixing desk"), guide)
    texts = [p.text for p in rubric.points]
    assert texts == ["A fader scales the amplitude of its channel before the master bus sums "
                     "every channel."]


@pytest.mark.parametrize("text", [
    "|Vocal| 3 | L | no |",
    "There are mainly two kinds of faders,",
    "Common choices include:",
    "There are many knobs, but below are a few key defaults.",
    "For specifics, refer to the above answer.",
    "Second method: bucket hashing. See the explanation below.",
    "If we assume the bus sums channels, , then",
    "where g is the gain and p is the pan of the channel.",
    "The fader scales the signal of the",
])
def test_non_statements(text):
    assert is_non_statement(text)


@pytest.mark.parametrize("text", [
    "A fader scales the amplitude of its channel.",
    "- bucket hashing",
    "k-means groups points around centroids.",
    "Gain is applied before the pan (see the channel strip).",
])
def test_statements(text):
    assert not is_non_statement(text)


def test_a_citation_split_by_sentences_leaves_no_pieces(guide):
    rubric = rubric_from_card(card_of(guide, "Which filters"), guide)
    assert [p.text for p in rubric.points] == ["Tag filters remove duplicate tags",
                                               "Filters run before the embeddings are built."]


def test_a_card_without_an_answer_has_no_points(guide):
    assert rubric_from_card(card_of(guide, "What is a crossfade"), guide).points == []


def test_key_terms_are_the_guides_words_and_never_everyday_ones(guide):
    card = card_of(guide, "Why normalise")
    words = set(re.findall(r"[a-z0-9-]+", card.body.lower()))
    terms = [a for p in rubric_from_card(card, guide).points for g in p.terms for a in g.aliases]
    assert terms
    for term in terms:
        assert term in words, term  # as written, not a stem ("normalis", "complaint")
        assert technicality(term) > 0, term  # "company", "simply", "reach": everyday English
    assert "doesn" not in terms  # a contraction's stem is no word


@pytest.mark.parametrize("statement", [
    "If any of them is broken, the mix may clip.",
    "Where g is the gain, the output is louder.",
    "What is left is the master bus.",
    "Because z is large, the bus clips.",
    "There are two kinds of faders.",
    "We can route a bus to a group.",
    "B is the bias of the channel.",
    "Beacuse z is large, it clips.",
    "It is the gain.",
])
def test_no_question_about_a_subject_that_is_not_a_thing(statement):
    assert question_from_statement(statement) is None


def test_follow_ups_fall_back_but_never_ask_the_question_back(guide):
    card = card_of(guide, "How is a mixing desk")
    generic = "Which part of this topic have you not covered yet, and how does it work?"
    assert template_follow_up("If any of them is…", "If any of them is broken, it clips.",
                              card) == generic
    assert template_follow_up("", "A fader is a slider.", card) == "What is a fader?"
    crossfade = card_of(guide, "What is a crossfade")  # its definition: probed, not asked back
    assert template_follow_up("", "A crossfade is a blend of two tracks.", crossfade) == \
        "How would you define a crossfade precisely?"
    assert template_follow_up("", "A crossfade prevents a gap between tracks.", crossfade) == \
        "What does a crossfade prevent, and how?"
    assert template_follow_up("It should stay quiet.", "It should stay quiet.", card) == generic


def test_labels_are_whole_or_cut_at_a_boundary_with_no_open_bracket():
    short = "A fader scales the amplitude of its channel."
    assert short_label(short) == short
    long = ("A case when we have both features (the gain and the pan of each channel strip on "
            "the desk) set by the engineer before the master bus sums them all together.")
    label = short_label(long)
    assert label.endswith("…") and label.count("(") == label.count(")")
    assert long.startswith(label[:-1]) and long[len(label) - 1] in " ,;:"
    clause = ("Loudness normalisation keeps tracks at one perceived level, so a listener does "
              "not reach for the volume knob between any two tracks of the playlist.")
    assert short_label(clause) == "Loudness normalisation keeps tracks at one perceived level…"


def test_extracted_labels_are_not_cut_mid_phrase(guide):
    for card in guide.cards:
        for point in rubric_from_card(card, guide).points:
            assert point.label.count("(") <= point.label.count(")"), point.label
            if point.label.endswith("…"):
                last = point.label[:-1].split()[-1].lower()
                assert last not in {"the", "a", "of", "and", "to", "in"}, point.label


def test_what_not_to_do_and_enumerated_pieces_in_extracted_rubrics():
    """Short items of a pitfalls list are no points (statements add short list items back);
    each piece of a "(1) ... (2) ..." paragraph is one, lower-case or not."""
    parsed = parse_guide("""## How do you evaluate a ranker offline?

Replay logged sessions and compare the ranker's order with what listeners chose.

Common pitfalls:
- Tuning on the test week
- Ignoring position bias

## What is the curse of dimensionality?

In high dimensions: (1) the volume of space grows exponentially, so data becomes sparse.
(2) All points become nearly equidistant, which breaks nearest neighbours. (3) Far more data
is needed to cover the space.
""", "notes.md", set())
    kb = KnowledgeBase(parsed.cards, parsed.chunks)
    ranker, curse = kb.cards
    assert [p.label for p in rubric_from_card(ranker, kb).points] == [
        "Replay logged sessions and compare the ranker's order with what listeners chose."]
    labels = [p.label for p in rubric_from_card(curse, kb).points]
    assert labels == [
        "the volume of space grows exponentially, so data becomes sparse.",
        "All points become nearly equidistant, which breaks nearest neighbours.",
        "Far more data is needed to cover the space."]


FILLER_GUIDE = """# Networks

## What is backpropagation?

This is one of the most frequently asked deep learning interview questions.
Backpropagation sends the error gradient backwards through the layers to update each weight.

## What is a recurrent network?

In this deep learning interview question, the interviewee expects you to give a detailed answer.
A recurrent network feeds its hidden state back as an input at the next timestep.
The next step on this top interview questions and answers blog will be to discuss optimisers.

## Which elements does TensorFlow have?

Variables hold trainable parameters that the optimiser updates.
W = tf.Variable([.3], dtype=tf.float32)
*Q: "How would you define a placeholder quickly?"*

## What is the difference between batch and stochastic descent?

| Batch gradient descent | Stochastic gradient descent |
| --- | --- |
| It computes the gradient on the entire dataset. | It computes the gradient on one sample. |
| It converges slowly on large data. | It updates the weights far more often. |

## What is the difference between system and user prompts?

System Prompt: Sets the overall behaviour and constraints of the assistant.
Interview Tip: The system prompt configures the session while user prompts carry the data.
"""


@pytest.fixture(scope="module")
def filler() -> KnowledgeBase:
    parsed = parse_guide(FILLER_GUIDE, "dl.md", set())
    return KnowledgeBase(parsed.cards, parsed.chunks)


def test_sentences_about_the_interview_or_the_document_are_no_points(filler):
    texts = [p.text for c in filler.cards for p in rubric_from_card(c, filler).points]
    assert not any("interview" in t or "blog" in t for t in texts), texts
    backprop = rubric_from_card(card_of(filler, "What is backpropagation"), filler)
    assert [p.text for p in backprop.points] == [
        "Backpropagation sends the error gradient backwards through the layers to update each "
        "weight."]


def test_code_lines_and_quoted_questions_are_no_points(filler):
    rubric = rubric_from_card(card_of(filler, "Which elements"), filler)
    assert [p.text for p in rubric.points] == [
        "Variables hold trainable parameters that the optimiser updates."]


def test_a_comparison_table_row_is_a_point_per_compared_side(filler):
    """Each cell of a comparison row is a point of its column's side (a swapped answer gives
    one side's cell to the other), the cells sharing the row's weight, quoting the row."""
    card = card_of(filler, "What is the difference between batch")
    rubric = rubric_from_card(card, filler)
    assert len(card.key_points) == 2 and len(rubric.points) == 4
    first, second = rubric.points[:2]
    assert first.units == ["Batch gradient descent: It computes the gradient on the entire "
                           "dataset."]
    assert second.units == ["Stochastic gradient descent: It computes the gradient on one "
                            "sample."]
    assert (first.side, second.side) == ("Batch gradient descent", "Stochastic gradient descent")
    assert first.weight + second.weight == 1.0 and first.text == second.text
    assert "|" not in first.label
    assert chunk_quoting(card, filler, first.citation.quote) is not None  # verbatim row


def test_a_label_naming_no_subject_is_titled_with_its_sentence(filler):
    rubric = rubric_from_card(card_of(filler, "What is the difference between system"), filler)
    assert [p.label for p in rubric.points] == [
        "System Prompt",
        "Interview Tip: The system prompt configures the session while user prompts carry the "
        "data."]


def test_a_label_line_over_a_passage_names_its_side():
    """"Self-Consistency:" on a line of its own labels the paragraph under it, and "1.
    Discriminative Models:" the list under it; a lead-in sentence and a numbered label
    followed by its sibling label nothing."""
    parsed = parse_guide("""## What are self-consistency and self-refinement techniques?

Both techniques improve output quality by having the model generate several times.

**Self-Consistency:**

Generate multiple responses and pick the most common answer (majority voting).

**Self-Refinement:**

The model critiques and improves its own output iteratively.

## What is the difference between discriminative and generative models?

The main kinds of models here include:

1. Discriminative Models:
- Primary task: they learn the boundary between classes.
- They model the conditional probability of the label.

2. Generative Models:

3. Uses:
- Generative models learn the joint distribution of features and labels.
""", "notes.md", set())
    kb = KnowledgeBase(parsed.cards, parsed.chunks)
    techniques, models = (rubric_from_card(c, kb) for c in kb.cards)
    assert [p.side for p in techniques.points] == ["", "Self-Consistency", "Self-Refinement"]
    assert techniques.points[1].label.startswith("Self-Consistency: Generate multiple")
    # a statement with no subject to ask about is asked about through its label
    assert techniques.points[1].follow_up == \
        "What can you tell me about self-consistency in this context?"
    assert [p.side for p in models.points] == ["Discriminative Models", ""]


def test_a_first_column_naming_no_compared_side_labels_the_rows():
    from tutor.grading.statements import comparison_cells

    body = ("| Aspect | Sparse | Dense |\n|---|---|---|\n"
            "| Dimensions | Vocabulary size, few non-zero | Hundreds of numbers, all non-zero |")
    row = body.split("\n")[2]
    assert comparison_cells(row, body, "What is the difference between sparse and dense?") == [
        ("Sparse", "Dimensions - Sparse: Vocabulary size, few non-zero"),
        ("Dense", "Dimensions - Dense: Hundreds of numbers, all non-zero")]


def test_a_follow_up_the_guide_answers_is_a_supporting_point():
    parsed = parse_guide("""## What is the difference between prefill and decode?

Prefill processes the whole prompt in one forward pass and is compute-bound.

Decode generates one token at a time and is memory-bound.

**Common follow-ups.**
- "When does decode become compute-bound?" → At very large batch sizes.
""", "notes.md", set())
    kb = KnowledgeBase(parsed.cards, parsed.chunks)
    points = rubric_from_card(kb.cards[0], kb).points
    assert [p.essential for p in points] == [True, True, False]
    assert points[2].weight == 0.5
