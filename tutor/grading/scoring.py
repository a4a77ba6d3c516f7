"""The score: a documented function of the rubric points' credits, minus explicit penalties.

    essential = sum(weight * credit over essential points) / sum(weight over essential points)
    supporting = the same over supporting points (0 when there are none)
    content = essential + SUPPORTING_SHARE * supporting * (1 - essential)
    score = 5 * content ** curve * grounding - penalty * min(wrong, 3) - 0.5 * strictness,
            clipped to 0-5

`grounding` is 1 unless the answer leans on vocabulary the guide uses for other questions (the
field's words applied to the wrong question): it falls linearly from 1 at `misplaced_low` to 0
at `misplaced_high` of that share (tutor.grading.evidence.misplaced_share). A point's
credit is 1 when covered, 0 when missing or contradicted, and its evidence value when partial.
A covered point is shown partial when grounding cuts its share of the score under `covered`
(`grounded_status`); its credit is unchanged, so the breakdown still recomputes the score, and
every point with credit is shown covered or partial: no score comes from a point shown missing.
`wrong` counts the claims found wrong: offline, the points whose key terms the answer says
negated where the guide says them plainly (tutor.grading.polarity); with an LLM, its verified
wrong claims.
Nothing counts sentences, words or characters; repeating a point (in any words) earns it once.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from tutor.core.errors import ConfigError

SUPPORTING_SHARE = 0.2


@dataclass(frozen=True)
class ScoringParams:
    """How evidence becomes credit; fitted by `python -m tutor.eval.calibrate` (cross-validated)."""

    term_weight: float = 0.6  # share of a point's evidence from its key terms (rest: meaning)
    sim_lo: float = 0.35  # sentence cosine that earns nothing …
    sim_hi: float = 0.70  # … and full meaning evidence
    covered: float = 0.65  # evidence at which a point counts as covered
    partial: float = 0.30  # … as partly covered
    misplaced_low: float = 0.35  # misplaced-vocabulary share up to which grounding is whole …
    misplaced_high: float = 0.80  # … and at which it reaches 0
    wrong_penalty: float = 0.0  # points off per contradicted point (at most 3 count)
    curve: float = 1.0  # exponent on the content share (< 1: a few essentials earn more)
    # Floors decided before the formula (fitted like the rest):
    off_topic: float = 0.32  # best sentence cosine under which, with no key term, it is off-topic
    other_margin: float = 0.20  # lead in token recall by which another card's question wins
    keyword_prose: float = 0.12  # function-word share under which the answer is a keyword list

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")


PARAMS_FILES = {"guide": "scoring.json", "extracted": "scoring_extracted.json",
                "reference": "scoring_reference.json"}


def params_kind(source: str) -> str:
    """Which fitted parameters grade a rubric of this source (tutor.grading.rubric.Rubric)."""
    return {"curated": "guide", "reference": "reference"}.get(source, "extracted")


def load_params(path: Path | None = None, kind: str = "guide") -> ScoringParams:
    """The shipped parameters, fitted apart for each kind of rubric: a guide's curated rubrics
    (tutor/grading/scoring.json); rubrics extracted from a guide's own text, as any guide without
    a curated rubric gets (scoring_extracted.json: fewer aliases, points cut from the text); and
    rubrics made from a supplied reference answer (scoring_reference.json: fewer key terms, and
    every sentence of it is a point).

    Raises:
        ConfigError: the file is missing or does not match ScoringParams (no silent default).
    """
    source = path or resources.files("tutor.grading").joinpath(PARAMS_FILES[kind])
    try:
        return ScoringParams(**json.loads(source.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigError(f"Cannot read the grading parameters {source}: {exc}; reinstall the "
                          "tutor or refit them with `python -m tutor.eval.calibrate --write`"
                          ) from exc


def evidence(terms: float | None, meaning: float, params: ScoringParams) -> float:
    """A point's evidence, 0-1: key-term recall blended with meaning; the terms can only add
    (an answer in the candidate's own words carries a point by meaning alone). None: no terms."""
    if terms is None:
        return float(np.clip(meaning, 0.0, 1.0))
    blended = params.term_weight * terms + (1 - params.term_weight) * meaning
    return float(np.clip(max(blended, meaning), 0.0, 1.0))


def scaled_similarity(cosine: float, params: ScoringParams) -> float:
    return float(np.clip((cosine - params.sim_lo) / (params.sim_hi - params.sim_lo), 0.0, 1.0))


def status_and_credit(value: float, params: ScoringParams) -> tuple[str, float]:
    if value >= params.covered:
        return "covered", 1.0
    if value >= params.partial:
        return "partial", round(value, 3)
    return "missing", 0.0


def grounding_factor(misplaced: float, params: ScoringParams) -> float:
    span = max(params.misplaced_high - params.misplaced_low, 1e-6)
    return float(np.clip((params.misplaced_high - misplaced) / span, 0.0, 1.0))


def grounded_status(status: str, credit: float, grounding: float, params: ScoringParams) -> str:
    """The status shown for a covered or partial point once the answer's grounding applies. Its
    share of the score is credit * grounding ** (1 / curve) (grounding scales the score, the
    curve spreads it over the credits): under `covered` the point is shown partial, so a long
    answer in the topic's words that says the wrong things shows no covered point next to a low
    score. A point that adds anything stays shown (partial at least): a score never comes from a
    point shown missing. Only an answer that grounding takes to 0 shows none.

    Measured and left out: hiding a partial point whose share falls under `partial` and
    dropping its credit (57 of 1083 graded rows scored 0.5-2.6 with every point shown missing
    before) lowered the held-out figures, refitted: curated Spearman 0.740 -> 0.726, own-words
    answers 2.94 -> 2.73; with `partial` allowed down to 0.05 in the fit, reference Pearson
    0.754 -> 0.734 and long wrong answers 1.61 -> 1.73."""
    if status not in ("covered", "partial"):
        return status
    share = credit * grounding ** (1.0 / params.curve)
    if share <= 0:
        return "missing"
    return "partial" if status == "covered" and share < params.covered else status


MAX_WRONG_CLAIMS = 3


def combine(points: list[tuple[float, bool, float]], grounding: float, curve: float = 1.0,
            strictness: float = 0.0, wrong: int = 0,
            penalty: float = 0.0) -> tuple[float, dict[str, float | str]]:
    """(weight, essential, credit) per point -> score and the breakdown that recomputes it;
    `wrong` claims cost `penalty` each (at most MAX_WRONG_CLAIMS count)."""
    def share(essential: bool) -> float:
        chosen = [(w, c) for w, e, c in points if e == essential]
        total = sum(w for w, _ in chosen)
        return sum(w * c for w, c in chosen) / total if total else 0.0

    essential, supporting = share(True), share(False)
    content = essential + SUPPORTING_SHARE * supporting * (1 - essential)
    wrong_penalty = penalty * min(wrong, MAX_WRONG_CLAIMS)
    score = float(np.clip(5 * content ** curve * grounding - wrong_penalty - 0.5 * strictness,
                          0.0, 5.0))
    return score, {
        "formula": "5 * (E + 0.2 * S * (1 - E)) ** curve * grounding - wrong_claims_penalty"
                   " - 0.5 * strictness",
        "essential": round(essential, 4), "supporting": round(supporting, 4),
        "curve": curve, "grounding": round(grounding, 4), "strictness": strictness,
        "wrong_claims": float(wrong), "wrong_claims_penalty": round(wrong_penalty, 4),
    }
