"""Fit the embedded grader's score calibration on labelled answers; report grouped CV figures.

Run: python -m eval.calibrate [--write]   (--write stores tutor/calibration.json)
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tutor.eval.datasets import GradedAnswer, load_graded

from tutor.grading.calibration import DEFAULT, FEATURES, Calibration, fit_calibration
from tutor.grading.embedded import Analysis, EmbeddedGrader

CALIBRATION_PATH = Path(__file__).resolve().parent.parent / "tutor" / "calibration.json"


@dataclass
class CVResult:
    """Cross-validated predictions (folds grouped by question)."""

    predictions: np.ndarray
    truth: np.ndarray
    folds: int


def analyse_all(grader: EmbeddedGrader, rows: list[GradedAnswer]) -> list[Analysis]:
    return [grader.analyse(r.question, r.answer, r.reference) for r in rows]


def grouped_folds(groups: list[str], k: int = 5, seed: int = 0) -> list[np.ndarray]:
    """Boolean test masks; every answer to one question falls in the same fold."""
    names = sorted(set(groups))
    np.random.default_rng(seed).shuffle(names)
    arr = np.array(groups)
    return [np.isin(arr, names[i::k]) for i in range(k)]


def cross_validate(grader: EmbeddedGrader, analyses: list[Analysis],
                   rows: list[GradedAnswer], k: int = 5) -> CVResult:
    """Refit on k-1 folds, grade the held-out fold with the full grader (floors and caps)."""
    X = np.array([a.features.vector() for a in analyses])
    y = np.array([r.score for r in rows])
    pred = np.zeros(len(rows))
    original = grader.calibration
    try:
        for test in grouped_folds([r.section or r.question for r in rows], k):
            grader.calibration = fit_calibration(X[~test], y[~test])
            for i in np.flatnonzero(test):
                pred[i] = grader.grade_analysis(analyses[i]).score
    finally:
        grader.calibration = original
    return CVResult(pred, y, k)


def fit_all(analyses: list[Analysis], rows: list[GradedAnswer]) -> Calibration:
    X = np.array([a.features.vector() for a in analyses])
    return fit_calibration(X, np.array([r.score for r in rows]))


def measure_token_baseline(grader: EmbeddedGrader, pairs: int = 300, seed: int = 0) -> float:
    """Mean idf-weighted soft recall between random pairs of guide sentences (unrelated text)."""
    from tutor.core.text import split_sentences
    from tutor.grading.token_alignment import content_tokens, soft_recall

    sentences = sorted({s for c in grader.retriever.kb.chunks for s in split_sentences(c.text)
                        if len(s) > 40})
    rng = np.random.default_rng(seed)
    chosen = [rng.choice(len(sentences), 2, replace=False) for _ in range(pairs)]
    wanted = sorted({int(i) for pair in chosen for i in pair})
    tokens = dict(zip(wanted, grader.embedder.embed_with_tokens([sentences[i] for i in wanted])[1]))
    idf = grader.tokens.idf()
    return float(np.mean([soft_recall(content_tokens(tokens[a]), content_tokens(tokens[b]),
                                      set(), idf, baseline=0.0) for a, b in chosen]))


def other_question_margins(grader: EmbeddedGrader, rows: list[GradedAnswer]) -> dict[str, float]:
    """Largest margin of another card over the asked one among honest answers (graded set,
    off-topic and empty left out) and smallest among answers copied from another section."""
    from tutor.eval.datasets import read_rows
    from tutor.eval.gaming_eval import GAMING_FILE

    def margin(question: str, answer: str) -> float | None:
        found = grader.analyse(question, answer).other_question
        return found.margin if found else None

    shipped, grader.other_question.margin = grader.other_question.margin, -1.0  # report all
    try:
        honest = [margin(r.question, r.answer) for r in rows
                  if not r.reference and r.level not in ("off-topic", "empty")]
        copied = [margin(g["question"], g["answer"]) for g in read_rows(GAMING_FILE)
                  if g["attack"] == "copied_other"]
    finally:
        grader.other_question.margin = shipped
    return {"honest_max": max(m for m in honest if m is not None),
            "copied_min": min((m for m in copied if m is not None), default=float("nan"))}


def main() -> None:
    from scipy.stats import pearsonr, spearmanr

    from tutor.core.settings import Settings
    from tutor.embedding.embedder import embedder_for
    from tutor.runtime import retriever_for

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    settings = Settings()
    grader = EmbeddedGrader(retriever_for(settings), embedder_for(settings), DEFAULT)
    rows = load_graded()
    analyses = analyse_all(grader, rows)
    cv = cross_validate(grader, analyses, rows)
    err = cv.predictions - cv.truth
    print(f"answers={len(rows)} CV(5 folds by question): "
          f"spearman={spearmanr(cv.predictions, cv.truth)[0]:.3f} "
          f"pearson={pearsonr(cv.predictions, cv.truth)[0]:.3f} "
          f"rmse={np.sqrt((err ** 2).mean()):.3f} within1={np.mean(np.abs(err) <= 1):.3f}")
    for level in sorted({r.level for r in rows}):
        mask = np.array([r.level == level for r in rows])
        print(f"  {level:10s} n={mask.sum():3d} predicted={cv.predictions[mask].mean():.2f} "
              f"human={cv.truth[mask].mean():.2f} max={cv.predictions[mask].max():.1f}")
    calibration = fit_all(analyses, rows)
    print("weights", dict(zip(FEATURES, calibration.weights)), "bias", calibration.bias)
    print(f"token baseline (unrelated guide sentences) {measure_token_baseline(grader):.3f}")
    margins = other_question_margins(grader, rows)
    print(f"other-question margin: honest answers max {margins['honest_max']:.3f}, answers "
          f"copied from another section min {margins['copied_min']:.3f}")
    if args.write:
        calibration.save(CALIBRATION_PATH)
        print(f"wrote {CALIBRATION_PATH}")


if __name__ == "__main__":
    main()
