"""Agreement between predicted and human scores: correlation, error, confusion, breakdowns."""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Sequence

import numpy as np


def _corr(kind: str, a: np.ndarray, b: np.ndarray) -> float | None:
    """Pearson or Spearman, or None when it is undefined (fewer than 3 points, a constant)."""
    from scipy.stats import pearsonr, spearmanr

    if len(a) < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = float((pearsonr if kind == "pearson" else spearmanr)(a, b)[0])
    return None if math.isnan(value) else round(value, 4)


def agreement(predicted: Sequence[float], truth: Sequence[float]) -> dict[str, float | None]:
    """Pearson, Spearman, RMSE, MAE, within-1 accuracy and mean bias of predictions."""
    p, t = np.asarray(predicted, dtype=float), np.asarray(truth, dtype=float)
    if len(p) == 0:
        return {"n": 0}
    err = p - t
    return {
        "n": int(len(p)),
        "pearson": _corr("pearson", p, t),
        "spearman": _corr("spearman", p, t),
        "rmse": round(float(np.sqrt(np.mean(err ** 2))), 4),
        "mae": round(float(np.mean(np.abs(err))), 4),
        "within1": round(float(np.mean(np.abs(err) <= 1.0)), 4),
        "bias": round(float(np.mean(err)), 4),
    }


def confusion(rows: Sequence[str], cols: Sequence[str]) -> dict[str, dict[str, int]]:
    """Counts of (row label, column label) pairs: here human level by grader verdict."""
    table: dict[str, dict[str, int]] = {}
    for r, c in zip(rows, cols, strict=True):
        table.setdefault(r, {})
        table[r][c] = table[r].get(c, 0) + 1
    return {r: dict(sorted(v.items())) for r, v in sorted(table.items())}


def pairwise_order(groups: Sequence[str], predicted: Sequence[float],
                   truth: Sequence[float]) -> float | None:
    """Share of answer pairs to the same question, graded differently by humans, that the
    predictions order the same way (a tie counts half)."""
    by_group: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        by_group.setdefault(g, []).append(i)
    right = total = 0.0
    for idx in by_group.values():
        for a in range(len(idx)):
            for b in range(a + 1, len(idx)):
                i, j = idx[a], idx[b]
                if truth[i] == truth[j]:
                    continue
                total += 1
                sign = (predicted[i] - predicted[j]) * (truth[i] - truth[j])
                right += 1.0 if sign > 0 else 0.5 if sign == 0 else 0.0
    return round(right / total, 4) if total else None


def breakdown(keys: Sequence[str], predicted: Sequence[float],
              truth: Sequence[float]) -> list[dict]:
    """Per group (a question, a level, a topic): size, mean scores, error and rank agreement."""
    groups: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    p, t = np.asarray(predicted, dtype=float), np.asarray(truth, dtype=float)
    out = []
    for key, idx in groups.items():
        pi, ti = p[idx], t[idx]
        out.append({"group": key, "n": len(idx), "human_mean": round(float(ti.mean()), 3),
                    "predicted_mean": round(float(pi.mean()), 3),
                    "mae": round(float(np.abs(pi - ti).mean()), 3),
                    "spearman": _corr("spearman", pi, ti)})
    return sorted(out, key=lambda g: -g["mae"])


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[*_`]+", "", text).lower().split()).rstrip(".")


def same_sentence(gold: str, quote: str) -> bool:
    """A quote cites a gold sentence when one holds the other (markup and case aside) or they
    share at least 80% of their words."""
    g, q = normalise(gold), normalise(quote)
    if g in q or q in g:
        return True
    a, b = set(g.split()), set(q.split())
    return len(a & b) / max(len(a | b), 1) >= 0.8
