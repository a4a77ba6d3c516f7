"""Guides that mark questions with bold lines and difficulty emoji (`emoji_markers.md`): formula
lines, marked headings without "?", slips next to a marker and "Answer here" placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest
from tutor.ingest.parse import ParsedGuide, parse_guide
from tutor.ingest.readers import read_guide

from tutor.core.types import Card

GUIDE = Path(__file__).parent / "data" / "guides" / "emoji_markers.md"


@pytest.fixture(scope="module")
def guide() -> ParsedGuide:
    return parse_guide(read_guide(GUIDE), str(GUIDE), set())


def card(guide: ParsedGuide, question: str) -> Card:
    return next(c for c in guide.cards if c.question == question)


def test_every_marked_bold_line_is_a_card_with_its_level(guide: ParsedGuide):
    assert [(c.question, c.difficulty) for c in guide.cards] == [
        ("What is a p-value?", "easy"),
        ("What does the softplus function compute?", "easy"),
        ("How do we compare two conversion rates?", "easy"),
        ("What are sensitivity, specificity and balanced accuracy?", "easy"),
        ("Sensitivity-specificity trade-off", "medium"),  # no "?", but marked like a question
        ("Is the Brier score a proper scoring rule? Why?", "medium"),  # "⭐️I": a slip
        ("What is a holdout group?", "medium"),
        ("What is a novelty effect?", "medium"),
        ("What is peeking in an A/B test?", "hard"),
        ("What is a guardrail metric?", "medium"),
    ]


def test_a_formula_line_stays_in_its_answer_and_names_no_topic(guide: ParsedGuide):
    assert guide.topics == ["Probability", "Experiments"]
    assert [c.topic for c in guide.cards] == ["Probability"] * 6 + ["Experiments"] * 4
    assert card(guide, "What does the softplus function compute?").body.endswith(
        "Softplus(x) = log(1 + e^{x})"
    )


def test_a_marked_heading_does_not_swallow_the_card_before_it(guide: ParsedGuide):
    metrics = card(guide, "What are sensitivity, specificity and balanced accuracy?").body
    assert "* Balanced accuracy puts both in one number (arithmetic mean):" in metrics
    assert metrics.endswith("* BA = (Sens + Spec) / 2.")
    assert "threshold" not in metrics
    trade_off = card(guide, "Sensitivity-specificity trade-off")
    assert trade_off.body.startswith("Lowering the decision threshold")
    assert trade_off.key_points and not trade_off.no_reference


def test_answer_here_placeholders_are_reported_as_placeholders(guide: ParsedGuide):
    placeholders = [d for d in guide.dropped if d.text == "Answer here"]
    assert len(placeholders) == 4
    assert {d.reason for d in placeholders} == {"placeholder (no answer)"}
    assert [c.question for c in guide.cards if c.no_reference] == [
        "What is a holdout group?",
        "What is a novelty effect?",
        "What is peeking in an A/B test?",
        "What is a guardrail metric?",
    ]


def test_running_lines_that_are_not_placeholders_are_still_headers():
    body = "\n\n".join(
        f"**What is step {n}? 👶**\n\nStep {n} comes after step {n - 1}.\n\nInterview Prep Notes"
        for n in range(1, 6)
    )
    guide = parse_guide(body, "g.md", set())
    assert {d.reason for d in guide.dropped if d.text == "Interview Prep Notes"} == {
        "page header/footer"
    }


def test_a_marked_heading_over_questions_stays_a_topic():
    text = """## Statistics

**Warm-up 👶**

**What is a mean?**

The sum of the values divided by how many values there are.

**What is a median?**

The middle value once the values are sorted.

## Hard ones 🚀

These need some thought.

### Why can the mean mislead on skewed data?

A few extreme values pull it far from where most values lie.
"""
    guide = parse_guide(text, "g.md", set())
    assert [(c.question, c.topic) for c in guide.cards] == [
        ("What is a mean?", "Warm-up"),
        ("What is a median?", "Warm-up"),
        ("Why can the mean mislead on skewed data?", "Hard ones"),
    ]


@pytest.mark.parametrize("line", ["Accuracy = (TP + TN) / N", "Loss ≈ Bias^2 + Variance"])
def test_a_formula_between_answer_and_question_is_answer_text(line: str):
    text = f"""## Metrics

**What is accuracy? 👶**

The share of predictions that are correct.

{line}

**When does accuracy mislead? ⭐️**

When one class dominates the data.

## Losses

**What is log loss? ⭐️**

The negative log-likelihood of the true labels under the predicted probabilities.
"""
    guide = parse_guide(text, "g.md", set())
    assert [c.topic for c in guide.cards] == ["Metrics", "Metrics", "Losses"]
    assert guide.cards[0].body.endswith(line)
