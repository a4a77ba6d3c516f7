"""CI guard: the offline grader's held-out agreement with the team's grades must not regress."""

import json

import numpy as np
import pytest
from scipy.stats import pearsonr, spearmanr
from tutor.eval.calibrate import analyse_all, cross_validate, with_references
from tutor.eval.datasets import TRIVIAL_LEVELS, load_graded

from tutor.core.settings import PACKAGE_DATA

FIGURES = json.loads((PACKAGE_DATA / "eval" / "grading_figures.json").read_text())


@pytest.fixture(scope="module")
def held_out(embedded_grader):
    rows = load_graded()
    analyses = analyse_all(embedded_grader, rows)
    return rows, analyses, cross_validate(embedded_grader, analyses, rows)


def test_held_out_agreement_does_not_regress(held_out):
    rows, _, cv = held_out
    tol = FIGURES["tolerance"]
    trivial = np.array([r.level in TRIVIAL_LEVELS for r in rows])
    assert cv.folds == 2  # fitted on one half, reported on the other
    assert spearmanr(cv.predictions, cv.truth)[0] >= FIGURES["spearman_all"] - tol
    assert spearmanr(cv.predictions[~trivial], cv.truth[~trivial])[0] >= \
        FIGURES["spearman_non_trivial"] - tol
    assert np.sqrt(np.mean((cv.predictions - cv.truth) ** 2)) <= FIGURES["rmse_all"] + tol


def test_trivial_answers_stay_at_zero(held_out):
    rows, _, cv = held_out
    for level, key in (("off-topic", "max_mean_off_topic"), ("empty", "max_mean_empty")):
        mask = np.array([r.level == level for r in rows])
        assert cv.predictions[mask].mean() <= FIGURES[key] + 1e-9, level


def test_length_decorrelated_levels_do_not_regress(held_out):
    """Long fluent wrong answers stay low; short correct and own-words answers stay high."""
    rows, _, cv = held_out
    tol = FIGURES["tolerance"] * 5  # level means move more than rank figures
    mean = {level: cv.predictions[np.array([r.level == level for r in rows])].mean()
            for level in ("long_wrong", "short_correct", "own_words")}
    assert mean["long_wrong"] <= FIGURES["max_mean_long_wrong"] + tol
    assert mean["short_correct"] >= FIGURES["min_mean_short_correct"] - tol
    assert mean["own_words"] >= FIGURES["min_mean_own_words"] - tol


def test_every_score_shows_the_points_that_made_it(embedded_grader, held_out):
    """A grade above 0 shows at least one covered or partial point, and no credit hides behind a
    point shown missing unless grounding took the score to 0 (the team's rows, shipped
    calibration)."""
    rows, analyses, _ = held_out
    for row, analysis in zip(rows, analyses, strict=True):
        grade = embedded_grader.grade_analysis(analysis)
        shown = [p for p in grade.covered + grade.partial if p.credit > 0]
        hidden = [p for p in grade.missing if p.credit > 0]
        assert not hidden or grade.breakdown["grounding"] == 0, (row.id, hidden[0].point)
        assert grade.score == 0 or shown, (row.id, grade.score)


def test_grading_against_a_supplied_reference_does_not_regress(embedded_grader):
    """External sets come with a reference answer, not the guide: the same rows graded against
    one excellent answer per section, fitted on one half and reported on the other."""
    rows = with_references(load_graded())
    cv = cross_validate(embedded_grader, analyse_all(embedded_grader, rows), rows)
    tol = FIGURES["tolerance"]
    assert pearsonr(cv.predictions, cv.truth)[0] >= FIGURES["reference_pearson_all"] - tol
    assert np.sqrt(np.mean((cv.predictions - cv.truth) ** 2)) <= \
        FIGURES["reference_rmse_all"] + tol


def test_grading_against_extracted_rubrics_does_not_regress(embedded_grader):
    """Any guide without a curated rubric is graded against rubrics extracted from its text: the
    team's rows graded that way (the bundled curated rubric left out), held out by half."""
    grader = embedded_grader.with_extracted_rubrics()
    rows = load_graded()
    analyses = analyse_all(grader, rows)
    assert all(a.rubric.source != "curated" for a in analyses)
    cv = cross_validate(grader, analyses, rows)
    tol = FIGURES["tolerance"]
    assert spearmanr(cv.predictions, cv.truth)[0] >= FIGURES["extracted_spearman_all"] - tol
    assert np.sqrt(np.mean((cv.predictions - cv.truth) ** 2)) <= \
        FIGURES["extracted_rmse_all"] + tol
