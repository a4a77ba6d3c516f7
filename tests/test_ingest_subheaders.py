"""Answers shaped by sub-headers, code examples and multiple choices: what becomes a key point,
and which repeated lines are conversion artefacts. The guides here are made up."""

from tutor.ingest.parse import parse_guide

TECHNIQUES = """# Prompting

## How do you reduce hallucinations?

Hallucinations are confident statements the model cannot support.

Techniques:

1. Ask for Citations:

```
"Cite a source for every factual claim."
```

2. Allow "I don't know":

```
"If you are not certain, say that you do not know."
```

3. Constrain to a Template:

```
Answer: [your answer]
Evidence: [what supports it]
```

Quick Comparison:

```
Bad prompt: "Tell me about XYZ"
```

Interview Tip: Retrieval grounds the answer in documents, which reduces fabrication further.

## Which strategy does not prevent overfitting?

1. Dropout
2. Pooling
3. Data augmentation
4. Early stopping

Answer: 2) Pooling - it is a down-sampling layer of a CNN, not a regulariser.

## Which loss suits binary labels?

a) Hinge loss
b) Binary cross-entropy
c) Mean squared error

Correct answer: b

## How do you show a consistent few-shot format?

Keep every example in one format:

```
Input: "text here" | Output: label
Input: "text here" | Output: label
```

The model copies the format it sees in the examples.
"""


def cards():
    parsed = parse_guide(TECHNIQUES, "prompting.md", set())
    return {c.heading: c for c in parsed.cards}, parsed


def test_sub_headers_over_code_are_points_and_label_lines_are_not():
    card = cards()[0]["How do you reduce hallucinations?"]
    texts = [k.text for k in card.key_points]
    assert texts[1:4] == ["1. Ask for Citations", '2. Allow "I don\'t know"',
                          "3. Constrain to a Template"]
    assert not any("Quick Comparison" in t for t in texts)  # a label over code ends the group
    assert texts[-1].startswith("Interview Tip: Retrieval grounds")


def test_multiple_choice_options_join_the_question_and_the_stated_answer_is_the_point():
    by_heading = cards()[0]
    card = by_heading["Which strategy does not prevent overfitting?"]
    assert [k.text for k in card.key_points] == [
        "2) Pooling - it is a down-sampling layer of a CNN, not a regulariser."]
    assert card.question.endswith("Options: 1. Dropout; 2. Pooling; 3. Data augmentation; "
                                  "4. Early stopping")
    bare = by_heading["Which loss suits binary labels?"]  # "Correct answer: b" names option b
    assert [k.text for k in bare.key_points] == [
        "The correct answer is b) Binary cross-entropy."]


def test_repeated_lines_inside_code_stay_and_removals_are_listed_with_their_line():
    by_heading, parsed = cards()
    body = by_heading["How do you show a consistent few-shot format?"].body
    assert body.count('Input: "text here" | Output: label') == 2
    text = ("# Notes\n\n## What is tokenization?\n\n"
            "- Subword units: BPE splits rare words into frequent pieces.\n"
            "- Characters: every symbol is its own token, so nothing is unknown.\n"
            "- Subword units: BPE splits rare words into frequent pieces.\n\n"
            "## What is a vocabulary?\n\nThe set of tokens a model knows, fixed at training.\n")
    dedup = parse_guide(text, "notes.md", set())
    assert [(d.line, d.reason) for d in dedup.dropped if d.reason == "duplicate line"] == [
        (7, "duplicate line")]
