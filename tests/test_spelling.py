"""Misspelt key terms, British spellings and PDF ligatures are read as the words they are."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tutor.core.text import clean_input
from tutor.grading.spelling import correct_spelling, rubric_words

VOCABULARY = rubric_words(("Regularization penalizes large weights so the model generalizes; "
                           "variance and retraining, centroids move to the mean.",))


def never_known(word: str) -> bool:
    return False


def test_a_misspelt_rubric_word_is_read_as_it_and_said_so():
    text, readings = correct_spelling("It punishes big wieghts and lowers the varience.",
                                      VOCABULARY, never_known)
    assert text == "It punishes big weights and lowers the variance."
    assert readings == {"wieghts": "weights", "varience": "variance"}
    assert correct_spelling("Centriods move.", VOCABULARY, never_known)[0] == "Centroids move."


def test_a_typo_of_another_form_of_a_rubric_word_is_read_by_its_stem():
    vocabulary = rubric_words(("A simple model tends to underfit; a regression model.",))
    assert correct_spelling("it is undrfitting", vocabulary, never_known) == (
        "it is underfit", {"undrfitting": "underfit"})
    # two edits between stems may be another suffix: "regressors" are no "regression"
    assert correct_spelling("the regressors", vocabulary, never_known)[1] == {}


def test_real_words_first_letters_ties_and_guide_words_stay_as_written():
    # "pretraining" is one edit from "retraining" but starts with another letter
    for answer in ("pretraining helps", "misreading the data", "to much noise",
                   "the weigths"):  # ... and the guide knows "weigths" (see below)
        known = (lambda w: w == "weigths") if "weigths" in answer else never_known
        assert correct_spelling(answer, VOCABULARY, known) == (answer, {})
    tie = rubric_words(("beast", "least"))
    assert correct_spelling("the yeast", tie, never_known)[1] == {}  # another first letter
    assert correct_spelling("bleast", rubric_words(("bleats", "breast")), never_known)[1] == {}


def test_a_british_spelling_is_no_typo():
    vocabulary = rubric_words(("The optimizer normalizes the weights.",))
    for answer in ("the optimiser", "normalisation helps", "it normalises them"):
        assert correct_spelling(answer, vocabulary, never_known) == (answer, {})


def test_a_typo_answer_is_graded_on_its_terms(embedded_grader):
    question = "What is overfitting, and how does regularization help prevent it?"
    reference = ("Overfitting is when a model fits the noise in its training data. "
                 "Regularization adds a penalty on large weights to the loss.")
    typed = embedded_grader.grade(question, "the model memorizes noise in the trainig data; "
                                  "regularization adds a penalty on big wieghts", reference)
    assert any('"wieghts" as "weights"' in w for w in typed.warnings)
    clean = embedded_grader.grade(question, "the model memorizes noise in the training data; "
                                  "regularization adds a penalty on big weights", reference)
    assert typed.score == clean.score


def test_ligatures_from_pdf_text_are_spelt_out(tmp_path: Path):
    from tutor.ingest.readers import read_guide

    assert clean_input("What is the diﬀerence? Overﬁtting.") == (
        "What is the difference? Overfitting.")
    guide = tmp_path / "guide.txt"
    guide.write_text("## What is the diﬀerence between overﬁtting and underﬁtting?\n\nText.\n",
                     encoding="utf-8")
    assert "difference between overfitting and underfitting" in read_guide(guide)


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists() or not shutil.which("chromium"),
                    reason="needs Debian chromium (bash scripts/install_browser.sh)")
def test_a_browser_printed_pdf_guide_reads_without_ligatures(tmp_path: Path):
    """Chromium's text shaping writes "ﬀ" and "ﬁ" ligatures into the PDF it prints."""
    from tutor.ingest.parse import parse_guide
    from tutor.ingest.readers import read_guide

    html = tmp_path / "guide.html"
    html.write_text("<html><body><h2>What is the difference between overfitting and "
                    "underfitting?</h2><p>Overfitting fits the noise of the training data; "
                    "underfitting misses the signal. Efficient fixes differ.</p>"
                    "<h2>Why is feature scaling important?</h2><p>Distance-based models are "
                    "dominated by features with large ranges unless they are scaled.</p>"
                    "</body></html>", encoding="utf-8")
    pdf = tmp_path / "guide.pdf"
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
                    "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri()],
                   check=True, capture_output=True, timeout=120)
    text = read_guide(pdf)
    assert not any(0xFB00 <= ord(c) <= 0xFB06 for c in text)
    headings = [c.heading for c in parse_guide(text, pdf.name, set()).cards]
    assert "What is the difference between overfitting and underfitting?" in headings
