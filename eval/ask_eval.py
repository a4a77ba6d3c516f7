"""`tutor ask` on the team's ask set: support recall, answer precision, refusals.

data/eval/ask_set.jsonl holds in-guide questions, each with its gold supporting sentence(s) and
section(s), and out-of-guide questions (half of them near the domain). For every question the
offline answer is built once; then

- support recall: share of in-guide questions whose answer cites a gold sentence (a refused
  in-guide question counts as a miss);
- answer precision: share of the answers' citations that come from a gold section;
- refusal rate (out-of-guide questions refused) and false-refusal rate (in-guide refused);
- quotes verbatim: share of citations found verbatim in the indexed guide.

The refusal model (`tutor.ask.coverage`) is fitted on this set, so its figures are given
cross-validated: folds share no guide section (out-of-guide questions are dealt round the
folds), the weights and the threshold are fitted on the other folds. `python -m
tutor.eval.ask_eval --fit` prints the weights fitted on every row, for `tutor/ask/coverage.py`.
"""

from __future__ import annotations

import argparse
import re
from typing import Any

import numpy as np
from tutor.eval.context import EvalContext, limited
from tutor.eval.datasets import EVAL_DIR, read_rows
from tutor.eval.retrieval_eval import section_folds

ASK_FILE = EVAL_DIR / "ask_set.jsonl"
FOLDS = 5
OOG_COST = 3.0  # a question answered outside the guide costs three false refusals
STRENGTH = 1.0  # inverse L2 strength of the logistic refusal model
MIN_CV_ROWS = 40


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


def collect(ctx: EvalContext, rows: list[dict]) -> list[dict[str, Any]]:
    """Each question's coverage features and the citations of its offline answer."""
    from tutor.ask.answer import assess
    from tutor.ask.coverage import FEATURES
    from tutor.ask.evidence import compose

    out = []
    tick = ctx.progress("ask set")
    for n, row in enumerate(rows, 1):
        _, evidence, coverage = assess(row["question"], ctx.retriever, ctx.embedder)
        _, citations = compose(evidence.sentences)
        out.append({"row": row, "features": [coverage.features[f] for f in FEATURES],
                    "citations": citations, "shipped_covered": coverage.covered,
                    "missing": list(coverage.missing)})
        tick(n, len(rows))
    return out


def fit_refusal(x: np.ndarray, y: np.ndarray,
                strength: float = STRENGTH) -> tuple[np.ndarray, float]:
    """Weights and bias in raw feature units: covered when x @ w + b >= 0.

    A class-balanced L2 logistic regression on standardised features, whose threshold is then
    moved to minimise OOG_COST * out-of-guide answered + in-guide refused on the same rows.
    """
    from scipy.optimize import minimize

    mean, spread = x.mean(axis=0), np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)
    z = (x - mean) / spread
    sign = np.where(y, 1.0, -1.0)
    weight = np.where(y, 0.5 / max(y.sum(), 1), 0.5 / max((~y).sum(), 1))

    def loss(p: np.ndarray) -> tuple[float, np.ndarray]:
        margin = sign * (z @ p[:-1] + p[-1])
        value = float((weight * np.logaddexp(0, -margin)).sum() + 0.5 / strength
                      * p[:-1] @ p[:-1] / len(y))
        d = -weight * sign / (1.0 + np.exp(margin))
        grad = np.append(z.T @ d + p[:-1] / strength / len(y), d.sum())
        return value, grad

    p = minimize(loss, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B").x
    scores = z @ p[:-1] + p[-1]
    cuts = np.concatenate([[-np.inf], np.sort(scores) + 1e-9])
    costs = [OOG_COST * ((scores >= c) & ~y).sum() + ((scores < c) & y).sum() for c in cuts]
    cut = float(cuts[int(np.argmin(costs))])
    w = p[:-1] / spread
    return w, float(p[-1] - cut - w @ mean)


def fold_numbers(rows: list[dict]) -> list[int]:
    """In-guide rows by section (no section in two folds); out-of-guide rows dealt round."""
    inside = [i for i, r in enumerate(rows) if r["in_guide"]]
    folds = section_folds([rows[i]["sections"][0] for i in inside], FOLDS)
    out = [0] * len(rows)
    for i, f in zip(inside, folds):
        out[i] = f
    for n, i in enumerate(i for i, r in enumerate(rows) if not r["in_guide"]):
        out[i] = n % FOLDS
    return out


def cross_validated_covered(x: np.ndarray, y: np.ndarray, rows: list[dict]) -> np.ndarray:
    fold = np.asarray(fold_numbers(rows))
    covered = np.zeros(len(y), dtype=bool)
    for f in range(FOLDS):
        test = fold == f
        if test.any() and (~test).any():
            w, b = fit_refusal(x[~test], y[~test])
            covered[test] = x[test] @ w + b >= 0
    return covered


def figures(records: list[dict[str, Any]], covered: np.ndarray, verifier: Any) -> dict[str, Any]:
    """Support recall, answer precision, refusal and false-refusal rates for given decisions."""
    inside = [i for i, r in enumerate(records) if r["row"]["in_guide"]]
    outside = [i for i, r in enumerate(records) if not r["row"]["in_guide"]]
    near = [i for i in outside if records[i]["row"].get("near_domain")]
    supported = sum(covered[i] and any(same_sentence(g, c.quote) for g in records[i]["row"]["gold"]
                                       for c in records[i]["citations"]) for i in inside)
    cited = [(c, records[i]["row"]["sections"]) for i in inside if covered[i]
             for c in records[i]["citations"]]
    shown = [c for i in inside + outside if covered[i] for c in records[i]["citations"]]

    def rate(n: int, d: int) -> float | None:
        return round(n / d, 4) if d else None

    return {
        "in_guide": len(inside), "out_of_guide": len(outside), "near_domain": len(near),
        "support_recall": rate(supported, len(inside)),
        "answer_precision": rate(sum(c.section in s for c, s in cited), len(cited)),
        "refusal_rate": rate(sum(not covered[i] for i in outside), len(outside)),
        "near_domain_refusal_rate": rate(sum(not covered[i] for i in near), len(near)),
        "false_refusal_rate": rate(sum(not covered[i] for i in inside), len(inside)),
        "false_refusals": int(sum(not covered[i] for i in inside)),
        "answered_out_of_guide": [records[i]["row"]["question"] for i in outside if covered[i]],
        "quotes_verbatim": rate(sum(verifier.exists(c.quote, c.chunk_id) for c in shown),
                                len(shown)),
        "citations_per_answer": rate(len(cited), sum(bool(covered[i]) for i in inside)),
    }


def run_ask(ctx: EvalContext) -> dict[str, Any]:
    """The ask suite: shipped refusal model in-sample, and its fit cross-validated."""
    rows = read_rows(ASK_FILE)
    rows = (limited([r for r in rows if r["in_guide"]], ctx.limit)
            + limited([r for r in rows if not r["in_guide"]], ctx.limit))
    records = collect(ctx, rows)
    x = np.asarray([r["features"] for r in records], dtype=np.float64)
    y = np.asarray([bool(r["row"]["in_guide"]) for r in records])
    shipped = np.asarray([r["shipped_covered"] for r in records])
    out: dict[str, Any] = {"questions": len(rows), "folds": FOLDS,
                           "shipped": figures(records, shipped, ctx.verifier)}
    if len(rows) >= MIN_CV_ROWS and y.any() and (~y).any():
        out["cv"] = figures(records, cross_validated_covered(x, y, rows), ctx.verifier)
    else:
        out["cv_error"] = f"cross-validation needs at least {MIN_CV_ROWS} questions of both kinds"
    out["partial_answers"] = sum(bool(r["missing"]) and bool(c)
                                 for r, c in zip(records, shipped))
    return out


def main(argv: list[str] | None = None) -> None:
    """Print the cross-validated figures; with --fit, the refusal weights fitted on every row."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--fit", action="store_true", help="print the weights fitted on all rows")
    args = parser.parse_args(argv)
    from tutor.ask.coverage import FEATURES
    from tutor.core.settings import Settings

    ctx = EvalContext(Settings())
    report = run_ask(ctx)
    for key in ("cv", "shipped"):
        if key in report:
            print(key, {k: v for k, v in report[key].items() if k != "answered_out_of_guide"})
            print("  answered out of guide:", report[key]["answered_out_of_guide"])
    if args.fit:
        records = collect(ctx, read_rows(ASK_FILE))
        x = np.asarray([r["features"] for r in records], dtype=np.float64)
        y = np.asarray([bool(r["row"]["in_guide"]) for r in records])
        w, b = fit_refusal(x, y)
        print("WEIGHTS = {" + ", ".join(f'"{n}": {v:.3f}' for n, v in zip(FEATURES, w)) + "}")
        print(f"BIAS = {b:.3f}")


if __name__ == "__main__":
    main()
