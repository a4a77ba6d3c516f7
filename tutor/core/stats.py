"""Statistics shared by retrieval, answering and grading: one definition of each."""

from __future__ import annotations

from typing import overload

import numpy as np
from numpy.typing import ArrayLike


@overload
def idf(df: float, n: int) -> float: ...


@overload
def idf(df: ArrayLike, n: int) -> np.ndarray: ...


def idf(df: ArrayLike, n: int) -> float | np.ndarray:
    """Smoothed inverse document frequency of terms found in `df` of `n` documents.

    ln((1 + n) / (1 + df)) + 1, as scikit-learn's `TfidfVectorizer(smooth_idf=True)`: as if
    one more document held every term, so a term found nowhere stays finite, and + 1 so a
    term found everywhere still weighs something. Always >= 1 for 0 <= df <= n.
    """
    return np.log((1.0 + n) / (1.0 + np.asarray(df, dtype=np.float64))) + 1.0
