"""Maps answer features to a 0-5 score: a non-negative linear blend, then a monotonic curve.

The curve is fitted (isotonic regression) on the team's labelled answers and shipped as
`tutor/calibration.json`; `eval/` refits it and reports cross-validated figures.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from tutor.core.errors import TutorError

FEATURES = ["coverage", "top_coverage", "lexical", "relevance", "precision", "holistic",
            "length", "token_recall"]


@dataclass
class Calibration:
    """score = curve(weights . features + bias), clipped to 0-5; monotonic in every feature."""

    weights: list[float]
    bias: float
    knots_x: list[float]
    knots_y: list[float]
    fitted_on: int = 0

    def score(self, features: list[float], strictness: float = 0.0) -> float:
        z = float(np.dot(self.weights, features) + self.bias)
        raw = float(np.interp(z, self.knots_x, self.knots_y))
        return float(np.clip(raw - 0.5 * strictness, 0.0, 5.0))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")


DEFAULT = Calibration(weights=[1.0] + [0.0] * (len(FEATURES) - 1), bias=0.0,
                      knots_x=[0.0, 0.8], knots_y=[0.0, 5.0])


def load_calibration(path: Path | None = None) -> Calibration:
    """The shipped calibration (or a plain linear default when none was fitted yet)."""
    try:
        text = path.read_text() if path else (
            resources.files("tutor").joinpath("calibration.json").read_text())
    except (FileNotFoundError, OSError):
        return DEFAULT
    calibration = Calibration(**json.loads(text))
    if len(calibration.weights) != len(FEATURES):
        raise TutorError(f"the calibration has {len(calibration.weights)} weights for "
                         f"{len(FEATURES)} features: refit it with `python -m eval.calibrate "
                         "--write`")
    return calibration


def fit_calibration(X: np.ndarray, y: np.ndarray) -> Calibration:
    """Fit non-negative weights by least squares, then an isotonic curve from blend to score."""
    from scipy.optimize import nnls

    x_mean, y_mean = X.mean(axis=0), y.mean()
    weights, _ = nnls(X - x_mean, y - y_mean)
    bias = float(y_mean - x_mean @ weights)
    z = X @ weights + bias
    xs, ys = isotonic(z, y)
    return Calibration(weights=[round(float(w), 6) for w in weights], bias=round(float(bias), 6),
                       knots_x=[round(float(v), 6) for v in xs],
                       knots_y=[round(float(v), 4) for v in ys], fitted_on=len(y))


def isotonic(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pool-adjacent-violators: the non-decreasing step fit of y on x, as interpolation knots."""
    order = np.argsort(x, kind="mergesort")
    xs, ys = x[order].astype(float), y[order].astype(float)
    blocks: list[list[float]] = []  # [sum_y, count, x_first, x_last]
    for xv, yv in zip(xs, ys):
        blocks.append([yv, 1.0, xv, xv])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, c, x0, _ = blocks.pop(-2)
            blocks[-1] = [blocks[-1][0] + s, blocks[-1][1] + c, x0, blocks[-1][3]]
    knots_x, knots_y = [], []
    for s, c, x0, x1 in blocks:
        knots_x.append((x0 + x1) / 2)
        knots_y.append(s / c)
    return np.array(knots_x), np.clip(np.array(knots_y), 0, 5)
