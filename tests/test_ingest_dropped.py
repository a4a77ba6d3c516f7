"""No question is lost silently: labelled, quoted and two-sentence questions become cards, and
a question-like line that still becomes no card is named in the warnings."""

from __future__ import annotations

from tutor.ingest.parse import parse_guide

QUESTIONS = """# Machine Learning Interview Questions

## Questions & Answers

### Q1: Discuss two clustering algorithms that scale to large datasets ###

Mini-batch k-means and BIRCH both process the data in small pieces.

### Q2: Do you need to scale your data if you will be using the SVM classifier ###

Yes: the margin depends on distances, so features on larger scales dominate.

### Q3: What are loss functions and cost functions? Explain the difference between them. ###

A loss measures one example; the cost averages the loss over the training set.

### Q4: What is the importance of the batch size in gradient descent? ###

It trades the noise of each update against the cost of computing it.

## Coding

### Question 1: Implement Gradient Descent

```python
def gd(f, x): ...
```

### Question 2: Implement SMOTE

```python
def smote(X, y): ...
```

## System Design

### "Design a recommendation system for a music streaming app."

Two-tower retrieval, then a ranking model on recent plays.

> ### "How would you debug a model that is worse in production than offline?"

Compare the feature distributions of training and serving data first.
"""


def test_labelled_quoted_and_two_sentence_questions_become_cards():
    guide = parse_guide(QUESTIONS, "g.md", set())
    assert [c.question for c in guide.cards] == [
        "Discuss two clustering algorithms that scale to large datasets",
        "Do you need to scale your data if you will be using the SVM classifier",
        "What are loss functions and cost functions? Explain the difference between them.",
        "What is the importance of the batch size in gradient descent?",
        "Implement Gradient Descent",
        "Implement SMOTE",
        "Design a recommendation system for a music streaming app.",
        "How would you debug a model that is worse in production than offline?",
    ]
    assert [d for d in guide.dropped if d.reason == "outside any question"] == []
    assert guide.cards[1].body.startswith("Yes: the margin")
    assert "def smote" in guide.cards[5].body
    assert guide.warnings == []


def test_a_question_like_line_that_becomes_no_card_is_named_in_the_warnings():
    text = "\n".join([
        "# ML questions", "", "## Basics", "",
        "### What is overfitting?", "", "Fitting the noise of the training set.", "",
        "### What is a kernel?", "", "A function computing inner products in a feature space.",
        "", "## Extras", "",
        "Feature scaling for SVMs?", "",  # line 15: no question shape of its own
        "Yes, scale the features: margins depend on distances.",
    ])
    guide = parse_guide(text, "g.md", set())
    assert len(guide.cards) == 2
    assert len(guide.warnings) == 1
    warning = guide.warnings[0]
    assert warning.startswith("g.md: 1 question-like line(s) became no card")
    assert 'line 15 "Feature scaling for SVMs?"' in warning
    assert "Yes, scale" not in warning
