"""Question shapes beyond the six test guides: the family of formats, one small case each."""

from __future__ import annotations

import pytest
from tutor.ingest.headings import heading_text, is_question, parse_legend, split_difficulty
from tutor.ingest.parse import parse_guide


def cards(text: str):
    guide = parse_guide(text, "g.md", set())
    assert guide.warnings == []
    return guide.cards


@pytest.mark.parametrize(("line", "question", "level"), [
    ("**What is overfitting? 👶**", "What is overfitting?", "easy"),
    ("Why does L1 give sparse weights? 🚀", "Why does L1 give sparse weights?", "hard"),
    ("Explain the bias-variance trade-off ‍⭐️", "Explain the bias-variance trade-off", "medium"),
    ("[Hard] How does attention scale?", "How does attention scale?", "hard"),
    ("Q3: What is a KV cache? (Medium)", "What is a KV cache?", "medium"),
    ("12. What is _beam search_ and `top-k`?", "What is beam search and top-k?", None),
    ("What is LoRA? ★★☆", "What is LoRA?", "medium"),
    ("What makes training hard?", "What makes training hard?", None),  # a word, not a marker
    ("**Is it a useful metric? ⭐️I**", "Is it a useful metric?", "medium"),  # a slip of a key
    ("Is it? 🚀 3D", "Is it? 🚀 3D", None),  # a word after the marker is not a slip
    ("**[M] Explain vanishing gradients.**", "Explain vanishing gradients.", "medium"),
    ("[E] What is bias?", "What is bias?", "easy"),
])
def test_heading_text_strips_markup_numbers_and_difficulty(line, question, level):
    assert heading_text(line) == (question, level)


def test_an_intro_difficulty_is_easy():
    from tutor.ingest.headings import DIFFICULTY_LINE, WORD_LEVELS

    found = DIFFICULTY_LINE.match("Difficulty: intro")
    assert found is not None and WORD_LEVELS[found.group(1).lower()] == "easy"


def test_legend_maps_the_guides_own_markers():
    legend = parse_legend("Legend: 🟢 beginner · 🟡 intermediate · 🔴 expert")
    assert legend == {"🟢": "easy", "🟡": "medium", "🔴": "hard"}
    assert split_difficulty("What is X? 🟡", legend) == ("What is X?", "medium")
    assert parse_legend("What is easy and what is hard?") is None


@pytest.mark.parametrize(("text", "heading", "expected"), [
    ("Design a URL shortener", True, True),
    ("Design", True, False),
    ("List of resources", True, False),
    ("How LoRA works", True, False),
    ("Compare the two losses below.", False, False),  # a plain sentence in an answer
    ("Scenario 3: Churn spike", False, True),
])
def test_question_shapes(text, heading, expected):
    assert is_question(text, heading) is expected


def test_details_summary_blocks_with_html_wrappers():
    text = """<h1>DL questions</h1>

## Basics

<details>
<summary>What is a neural network?</summary>

Layers of weighted sums and non-linear activations, trained by gradient descent on a loss.
</details>

<details><summary>Why do we need activation functions?</summary>
Without them the network collapses into a single linear map of its inputs.
</details>

## CNNs

<details><summary>What does pooling do?</summary>
Pooling downsamples feature maps and adds some translation invariance to the features.
</details>
"""
    found = cards(text)
    assert [(c.question, c.topic) for c in found] == [
        ("What is a neural network?", "Basics"),
        ("Why do we need activation functions?", "Basics"),
        ("What does pooling do?", "CNNs")]
    assert all("<" not in c.body for c in found)


def test_question_bank_without_answers_is_listed_as_no_reference():
    text = """# SQL questions

## Basic

1. What is a primary key?
2. What is the difference between WHERE and HAVING?
3. Explain normalization.

## Advanced

4. What is a window function?
"""
    found = cards(text)
    assert [c.question for c in found] == [
        "What is a primary key?", "What is the difference between WHERE and HAVING?",
        "Explain normalization.", "What is a window function?"]
    assert all(c.no_reference and not c.key_points for c in found)
    assert [c.difficulty for c in found] == ["easy", "easy", "easy", "hard"]  # from the topics


def test_q_and_ans_lines_with_difficulty_words():
    text = """Python questions

Q1. What is a decorator in Python?
Ans. A decorator wraps a function to extend its behaviour, applied with the @ syntax.

Q2. Explain list comprehensions. (Easy)
Ans: A list comprehension builds a list from an iterable in one expression.
"""
    found = cards(text)
    assert [(c.question, c.difficulty) for c in found] == [
        ("What is a decorator in Python?", None), ("Explain list comprehensions.", "easy")]
    assert found[1].body.startswith("A list comprehension")


def test_numbered_headings_between_questions_are_questions_too():
    text = """# Kubernetes

### 1. What is a Pod?
The smallest deployable unit: one or more containers sharing network and storage.

### 2. Services and networking
A Service gives a stable virtual IP and DNS name to a set of Pods selected by labels.

### 3. What is an Ingress?
An Ingress routes external HTTP traffic to Services based on host and path rules.

**Example:**
```yaml
kind: Ingress
```
"""
    found = cards(text)
    assert [c.question for c in found] == [
        "What is a Pod?", "Services and networking", "What is an Ingress?"]
    assert "kind: Ingress" in found[2].body


def test_question_label_headings_take_the_question_below():
    text = """## Question 1
What is gradient clipping?

Gradient clipping caps the gradient norm so that one bad batch cannot blow up the weights.

## Question 2
Why use a learning-rate warm-up?

Early steps with a large rate are unstable while optimizer statistics are still poor.
"""
    found = cards(text)
    assert [c.question for c in found] == ["What is gradient clipping?",
                                           "Why use a learning-rate warm-up?"]
    assert found[0].heading == "What is gradient clipping?"


def test_sub_questions_inside_an_answer_stay_in_it():
    text = """## 1. How do you evaluate a RAG system?

### Why evaluate retrieval separately?

Because a perfect generator cannot fix a missing passage, measure recall@k first.

**What about the generator?**

Check faithfulness of each claim against the retrieved passages.

## 2. What is reranking?

A cross-encoder rescoring of the top candidates from the first-stage retriever.
"""
    found = cards(text)
    assert [c.question for c in found] == ["How do you evaluate a RAG system?",
                                           "What is reranking?"]
    assert "Why evaluate retrieval separately?" in found[0].body
    assert "faithfulness" in found[0].body
