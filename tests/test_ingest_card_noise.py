"""What a card's text holds that is no point to make: a guide's template repeated under every
question, field lines (tags, the scenario of a question), lists of what not to do; and points
hidden in one paragraph ("(1) ... (2) ..."), and topic names for a guide without sections.
Small made-up guides, one per case."""

from __future__ import annotations

import pytest
from tutor.ingest.parse import parse_guide

from tutor.core.lexicon import technicality


def parse(text: str):
    guide = parse_guide(text, "g.md", set())
    assert guide.warnings == []
    return guide


def template_guide(n_cards: int, shared_by: int) -> str:
    """`n_cards` questions with their own answers; the first `shared_by` also carry one line."""
    parts = []
    for i in range(n_cards):
        parts += [f"### Q: What does component {i} of the pipeline do?", "",
                  f"Component {i} transforms record batch {i} into feature vector {i}.", ""]
        if i < shared_by:
            parts += ["- Clear assumptions and problem framing.", ""]
    return "\n".join(parts)


@pytest.mark.parametrize(("n_cards", "shared_by", "template"), [
    (6, 2, False),  # two neighbouring questions may share a sentence
    (6, 3, True),
    (20, 5, False),  # a quarter of the cards is not more than a quarter
    (20, 6, True),
])
def test_a_line_repeated_in_many_cards_is_template(n_cards, shared_by, template):
    guide = parse(template_guide(n_cards, shared_by))
    points = [k.text for c in guide.cards for k in c.key_points]
    assert ("- Clear assumptions and problem framing." in points) is not template
    dropped = [d for d in guide.dropped if d.reason.startswith("repeated")]
    assert len(dropped) == (shared_by if template else 0)
    assert all(d.reason == f"repeated in {shared_by} cards" for d in dropped)


TEMPLATED = "\n".join(
    part for i, own in enumerate([
        "A KV cache keeps the keys and values of past tokens so decoding reuses them.",
        "Speculative decoding drafts tokens with a small model and verifies them in one pass.",
        "", "",
    ]) for part in [
        f"### Q: Question number {i} about serving?", "",
        "**Difficulty:** Medium  ",
        "**What a strong answer includes:**",
        "- Clear assumptions and problem framing.",
        "- Concrete validation or monitoring approach.",
        "**Common pitfalls:**",
        "- Giving generic definitions without operational detail.",
        own, "",
    ])


def test_template_is_dropped_reported_and_leaves_cards_without_answer():
    guide = parse(TEMPLATED)
    texts = [k.text for c in guide.cards for k in c.key_points]
    assert texts == [
        "A KV cache keeps the keys and values of past tokens so decoding reuses them.",
        "Speculative decoding drafts tokens with a small model and verifies them in one pass."]
    assert [c.no_reference for c in guide.cards] == [False, False, True, True]
    assert all(c.difficulty == "medium" for c in guide.cards)  # a field repeats: not template
    bodies = " ".join(c.body for c in guide.cards)
    assert "Clear assumptions" not in bodies and "generic definitions" not in bodies
    reported = {(d.text, d.reason) for d in guide.dropped}
    assert ("- Clear assumptions and problem framing.", "repeated in 4 cards") in reported
    # a label line ("**Common pitfalls:**") stays where it is: labels are not content
    assert not any("strong answer" in d.text for d in guide.dropped)
    assert len({d.line for d in guide.dropped}) == len(guide.dropped) == 12


def test_tags_are_metadata_and_a_question_field_is_part_of_the_question():
    guide = parse("""### Q: Why can higher recall retrieval still hurt answers?

**Difficulty:** Hard
**Tags:** retrieval,precision-noise,tradeoffs
**Question:** A team raised top-k and sees more hallucinations; discuss the mechanism.

More passages bring distractors that dilute the relevant facts in a long context.
Labels: the judged passages we measure precision against.

### Q: What does a reranker add?

**Keywords:** reranking, cross-encoders
A cross-encoder reads query and passage together and reorders the retrieved candidates.
""")
    first, second = guide.cards
    assert first.question == ("Why can higher recall retrieval still hurt answers? A team raised "
                              "top-k and sees more hallucinations; discuss the mechanism.")
    assert first.difficulty == "hard"
    assert [k.text for k in first.key_points] == [
        "More passages bring distractors that dilute the relevant facts in a long context.",
        "Labels: the judged passages we measure precision against."]  # content, not a tag line
    assert "Tags" not in first.body and "precision-noise" not in first.body
    assert first.body.startswith("Question: A team raised top-k")  # context, shown as asked
    assert [k.text for k in second.key_points] == [
        "A cross-encoder reads query and passage together and reorders the retrieved candidates."]
    assert [(d.line, d.reason) for d in guide.dropped] == [
        (4, "metadata (tags)"), (12, "metadata (tags)")]


def test_lists_of_what_not_to_do_are_no_key_points():
    guide = parse("""### What is data leakage?

Leakage is information from outside the training data reaching the model during training.

**Common pitfalls:**
- Scaling the whole dataset before splitting off the test set.
- Choosing features with the labels of the test period in view.

Fit every transform on the training split only and apply it unchanged elsewhere.

### How do you tune hyperparameters?

Search a validation split or cross-validation folds, never the test set.

#### Mistakes to avoid

- Reporting the best test score over many configurations as the final estimate.

Anti-patterns: grid searches over dozens of parameters with a tiny validation split.
""")
    leakage, tuning = guide.cards
    assert [k.text for k in leakage.key_points] == [
        "Leakage is information from outside the training data reaching the model during "
        "training.",
        "Fit every transform on the training split only and apply it unchanged elsewhere."]
    assert "Scaling the whole dataset before splitting" in leakage.body  # still worth reading
    assert [k.text for k in tuning.key_points] == [
        "Search a validation split or cross-validation folds, never the test set."]


def test_an_enumeration_inside_a_paragraph_gives_one_point_per_item():
    guide = parse("""### How do you handle imbalanced datasets?

In order of preference: (1) Use the right metric (not accuracy). (2) Tune the decision threshold on
the PR curve. (3) Reweight the loss by class frequency. The root cause matters too: a rare class
may be rare in production as well.

### What does batch normalization do?

Batch norm normalizes layer inputs within each mini-batch. Benefits: (1) smooths the loss
landscape; (2) reduces dependence on initialization; and (3) acts as mild regularization.
Lookups stay O(1) per step (see 2) in the appendix of the paper).
""")
    imbalance, batch_norm = guide.cards
    assert [k.label for k in imbalance.key_points] == [
        "Use the right metric (not accuracy).",
        "Tune the decision threshold on the PR curve.",
        "Reweight the loss by class frequency.",
        "The root cause matters too"]
    assert [k.text for k in batch_norm.key_points][1:4] == [
        "(1) smooths the loss landscape", "(2) reduces dependence on initialization",
        "(3) acts as mild regularization."]
    for card in guide.cards:  # quotes stay verbatim
        assert all(k.text in card.body for k in card.key_points)


def test_clustered_topic_names_are_technical_terms_or_plain():
    from tutor.ingest.topics import PLAIN_TOPIC, clustered_topics

    texts = [f"Explain simply how gradient descent walks downhill step by step, part {i}."
             for i in range(6)]
    texts += [f"Describe briefly how decision trees split features by entropy, part {i}."
              for i in range(6)]
    texts += [f"Tell us about a good day at work with your friends, story {i}." for i in range(6)]
    names = clustered_topics(texts, texts)
    assert len(set(names)) == 3 and PLAIN_TOPIC in names
    for name in set(names) - {PLAIN_TOPIC}:
        assert all(technicality(w) >= 0.5 for w in name.lower().split(", ")), name


def test_clustered_topic_names_keep_the_guides_capitals():
    """Found on a new text guide: its LLM cluster was named "Llms"."""
    from tutor.ingest.topics import clustered_topics

    texts = [f"Why do LLMs need instruction tuning and RLHF alignment, case {i}?"
             for i in range(4)]
    texts += [f"How does beam search decoding pick tokens from logits, case {i}?"
              for i in range(4)]
    names = clustered_topics(texts, texts)
    llm = names[0]
    assert "LLMs" in llm or "RLHF" in llm, names
    assert llm[0].isupper() and "Llms" not in llm and "Rlhf" not in llm


def test_a_caution_label_may_end_with_a_full_stop():
    from tutor.ingest.cautions import is_caution_label

    assert is_caution_label("**Common mistakes.**") and is_caution_label("Common pitfalls:")
    assert not is_caution_label("**Common follow-ups.**")


def test_a_guide_too_small_to_cluster_gets_one_plain_topic():
    """Found on a new four-question markdown guide: its cards had no topic, so the interview
    showed "Question 1/2 — " and the report a nameless topic."""
    from tutor.ingest.parse import parse_guide
    from tutor.ingest.topics import PLAIN_TOPIC

    text = "\n\n".join(f"## {n}. What is thing {n}?\n\nThing {n} is a kind of widget that does "
                       f"task {n} well." for n in range(1, 5))
    guide = parse_guide(text, "small.md", set())
    assert len(guide.cards) == 4
    assert {c.topic for c in guide.cards} == {PLAIN_TOPIC} and guide.topics == [PLAIN_TOPIC]
