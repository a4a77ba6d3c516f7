"""Lines broken by wrapping: questions kept whole, continuations rejoined, hyphens as written."""

from __future__ import annotations

from pathlib import Path

import pytest
from tutor.ingest.cards import unwrap
from tutor.ingest.parse import parse_guide
from tutor.ingest.pdf import paragraphs
from tutor.ingest.readers import read_guide
from tutor.ingest.wrapping import Spellings, join_broken, keeps_hyphen

BOLD, ROMAN = "Helvetica-Bold", "Times-Roman"


def write_pdf(path: Path, lines: list[tuple[str, str] | None]) -> Path:
    """One page, one string per line exactly where the test breaks it (None: a gap)."""
    pytest.importorskip("reportlab", reason="pip install 'tutor[test]'")
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    y = 800.0
    for line in lines:
        if line is None:
            y -= 14
            continue
        font, text = line
        indent = 50 if font == BOLD or text.startswith("\u2022") else 62
        pdf.setFont(font, 12 if font == BOLD else 11)
        pdf.drawString(indent, y, text)
        y -= 16
    pdf.save()
    return path


def test_pdf_questions_wrapped_onto_a_capitalised_line_start_their_own_cards(tmp_path: Path):
    pdf = write_pdf(tmp_path / "guide.pdf", [
        (BOLD, "1. What is fine-tuning, and why is it used instead of prompting?"), None,
        (ROMAN, "\u2022  What it is: further training of a pre-trained model on a smaller,"),
        (ROMAN, "task-specific dataset so that its weights adapt to the task."), None,
        (BOLD, "2. Can you compare full fine-tuning with Parameter-Efficient Fine-"),
        (BOLD, "Tuning (PEFT) methods? What are the pros and cons of each?"), None,
        (ROMAN, "\u2022  Full fine-tuning updates every weight; PEFT trains few of them."),
        (ROMAN, "\u2022  Datasets: Dolly, OpenAssistant Conversations (OASST),"),
        (ROMAN, "ShareGPT data and other instruction sets built for the task."), None,
        (BOLD, "3. What are some common challenges encountered when fine-tuning"),
        (BOLD, "LLMs?"), None,
        (ROMAN, "\u2022  Catastrophic forgetting of general skills learnt in pre-training."),
    ])
    guide = parse_guide(read_guide(pdf), "guide.pdf", set())
    assert [c.question for c in guide.cards] == [
        "What is fine-tuning, and why is it used instead of prompting?",
        "Can you compare full fine-tuning with Parameter-Efficient Fine-Tuning (PEFT) methods? "
        "What are the pros and cons of each?",
        "What are some common challenges encountered when fine-tuning LLMs?",
    ]
    assert "Conversations (OASST), ShareGPT data" in guide.cards[1].body
    text = " ".join(c.body for c in guide.cards)
    assert "\x7f" not in text and "- What it is" in guide.cards[0].body


def test_pdf_lines_join_where_the_sentence_cannot_stop():
    lines = [
        "   Title of the Guide" + " " * 60 + "Interview Preparation Series — Rev. 2.1",
        "",
        "\x7f  lit-gpt: an implementation of various LLMs, supporting pre-training and Flash",
        "   Attention.",
        "\x7f  Tools: the trainer supports the (optional",
        "   Deepspeed) backend.",
        "Hypothesis Testing",
        "A p-value is the probability of data at least as extreme as observed.",
    ]
    assert paragraphs(lines).split("\n\n") == [
        "Title of the Guide" + " " * 60 + "Interview Preparation Series — Rev. 2.1",
        "\x7f  lit-gpt: an implementation of various LLMs, supporting pre-training and Flash "
        "Attention.",
        "\x7f  Tools: the trainer supports the (optional Deepspeed) backend.",
        "Hypothesis Testing",  # a heading over a paragraph stays apart
        "A p-value is the probability of data at least as extreme as observed.",
    ]


def test_a_q_line_wrapped_without_a_question_mark_keeps_its_continuation():
    text = "\n".join([
        "Question 1: Explain NRMSE along with its equation, and tell how NRMSE is",
        "    better than RMSE?",
        "",
        "    NRMSE is the RMSE divided by the range or the mean of the target.",
        "",
        "Question 2: Please explain The Mean Absolute Percentage Error (MAPE)",
        "    along with its equation in a marketing mix model.",
        "",
        "    MAPE averages the absolute percentage errors of the predictions.",
    ])
    cards = parse_guide(text, "g.txt", set()).cards
    assert [c.question for c in cards] == [
        "Explain NRMSE along with its equation, and tell how NRMSE is better than RMSE?",
        "Please explain The Mean Absolute Percentage Error (MAPE) along with its equation in a "
        "marketing mix model.",
    ]
    assert cards[1].body == "MAPE averages the absolute percentage errors of the predictions."


@pytest.mark.parametrize(("left", "right", "joined"), [
    ("desired resp-", "onses", "desired responses"),  # a typesetter's break in a word
    ("the trans-", "former", "the transformer"),  # both halves are words; the whole is common
    ("hyperpa-", "rameters", "hyperparameters"),  # neither half is a word
    ("well-", "known", "well-known"),
    ("self-", "attention", "self-attention"),
    ("LoRA-", "based", "LoRA-based"),
    ("Fine-", "Tuning", "Fine-Tuning"),
    ("GPT-", "4", "GPT-4"),
])
def test_a_word_broken_at_a_hyphen_follows_the_dictionary(left, right, joined):
    assert join_broken(left, right) == joined


def test_the_documents_own_spelling_decides_a_broken_hyphen():
    hyphenated = Spellings.of("Fine-tuning adapts a model.\nWe use fine-tuning when")
    glued = Spellings.of("Finetuning adapts a model; finetuning is cheap. A fine-\ntuning run")
    assert keeps_hyphen("fine", "tuning", hyphenated)
    assert not keeps_hyphen("fine", "tuning", glued)
    assert join_broken("Domain fine-", "tuning helps.", hyphenated) == "Domain fine-tuning helps."
    assert join_broken("Domain fine-", "tuning helps.", glued) == "Domain finetuning helps."


def test_pdf_and_text_keep_a_real_hyphen_at_a_line_break():
    spellings = Spellings.of("Parameter-efficient fine-tuning is fine-tuning of few weights.")
    lines = ["Models pre-trained on web text need fine-", "tuning on domain data, and the",
             "desired resp-", "onses are learnt."]
    joined = ("Models pre-trained on web text need fine-tuning on domain data, and the desired "
              "responses are learnt.")
    assert paragraphs(lines, spellings) == joined
    assert unwrap(lines, spellings) == [joined]
