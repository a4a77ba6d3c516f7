"""`tutor ask` on the team's ask set: support recall, answer precision, refusals.

data/eval/ask_set.jsonl holds in-guide questions, each with its gold supporting sentence(s) and
section(s), and out-of-guide questions (half of them near the domain). For every question the
offline answer is built once; then

- support recall: share of in-guide questions whose answer cites a gold sentence (a refused
  in-guide question counts as a miss);
- gold leads: share of in-guide questions whose answer opens with a gold sentence (does the
  answer answer first?);
- answer precision: share of the answers' citations that come from a gold section;
- refusal rate (out-of-guide questions refused) and false-refusal rate (in-guide refused);
- quotes verbatim: share of citations found verbatim in the indexed guide.

The refusal model (`tutor.ask.coverage`) and the evidence's weighting
(`tutor.ask.evidence.Weighting`: section, context, answer-type and section-score weights,
whether a two-sentence list item is cited whole, and the gain for covering a facet) are chosen
on this set, so its figures are given cross-validated: folds share no guide section
(out-of-guide questions are dealt round the folds); the weighting (each setting by its mean
over the rest of a short grid), the refusal weights and the threshold are chosen on the other
folds. `python -m tutor.eval.ask_eval --fit` prints the settings chosen on every row, for
`tutor/ask/evidence.py` and `tutor/ask/coverage.py`.

Questions that ask to define a term the guide never writes (`tutor.ask.facets.undefined_term`),
or ask for a figure (a count, a size, a setting: `tutor.ask.answer_type.asks_figure`) that none
of their evidence sentences holds, are refused by rule and left out of the refusal model's fit.

Sets never fitted on (guide-words questions, questions written blind by others) are reported
apart: `tutor.eval.ask_apart`.
"""

from __future__ import annotations

import argparse
import itertools
from typing import Any

import numpy as np
from tutor.eval.agreement import same_sentence
from tutor.eval.ask_apart import apart_figures
from tutor.eval.context import EvalContext, limited
from tutor.eval.datasets import EVAL_DIR, read_rows
from tutor.eval.retrieval_eval import section_folds

ASK_FILE = EVAL_DIR / "ask_set.jsonl"
FOLDS = 5
OOG_COST = 3.0  # a question answered outside the guide costs three false refusals
STRENGTH = 1.0  # inverse L2 strength of the logistic refusal model
MIN_CV_ROWS = 40
# the evidence weightings tried, chosen inside the folds
SECTION_WEIGHTS = (0.0, 0.15, 0.3, 0.45)
CONTEXT_WEIGHTS = (0.5, 0.7)
ANSWER_TYPE_WEIGHTS = (0.05, 0.1, 0.15)
CARD_SCORE_WEIGHTS = (0.05, 0.1)
ITEM_SENTENCES = (1, 2)  # a two-sentence list item is read whole, or each sentence alone
FACET_WEIGHTS = (0.3, 0.6, 1.0)  # MMR gain for covering a facet the chosen ones do not


def weightings() -> list[Any]:
    """Every weighting of the grid."""
    from tutor.ask.evidence import Weighting

    return [Weighting(*w) for w in itertools.product(SECTION_WEIGHTS, CONTEXT_WEIGHTS,
                                                      ANSWER_TYPE_WEIGHTS, CARD_SCORE_WEIGHTS,
                                                      ITEM_SENTENCES, FACET_WEIGHTS)]


def collect(ctx: EvalContext, rows: list[dict]) -> list[dict[str, Any]]:
    """Each question's coverage features and offline citations, for every weighting of the grid
    (the candidates are embedded once and weighed for each)."""
    from tutor.ask.answer import decide, gather
    from tutor.ask.coverage import FEATURES
    from tutor.ask.evidence import compose

    out = []
    grid = weightings()
    tick = ctx.progress("ask set")
    for n, row in enumerate(rows, 1):
        _, candidates, best_chunk, named = gather(row["question"], ctx.retriever, ctx.embedder)
        by_weight = {}
        for weight in grid:
            evidence, coverage = decide(candidates, best_chunk, named, weight)
            by_weight[weight] = {"row": row, "features": [coverage.features[f] for f in FEATURES],
                                 "citations": compose(evidence.sentences)[1],
                                 "covered": coverage.covered, "missing": list(coverage.missing),
                                 "only_named": named.only, "undefined": named.undefined,
                                 "no_figure": coverage.no_figure}
        out.append(by_weight)
        tick(n, len(rows))
    return out


def at_weight(records: list[dict[Any, Any]], weights: list[Any]) -> list[dict[str, Any]]:
    """Each question's record at the weighting given for it."""
    return [r[w] for r, w in zip(records, weights, strict=True)]


def features_of(records: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray([r["features"] for r in records], dtype=np.float64)
    return x, np.asarray([bool(r["row"]["in_guide"]) for r in records])


def only_named(records: list[dict[str, Any]]) -> np.ndarray:
    """Questions that only name a rare guide term (exempt from the evidence floor)."""
    return np.asarray([bool(r["only_named"]) for r in records])


def supported(record: dict[str, Any]) -> bool:
    """Whether the record's answer cites one of its gold sentences."""
    return any(same_sentence(g, c.quote) for g in record["row"].get("gold", [])
               for c in record["citations"])


def leads(record: dict[str, Any]) -> bool:
    """Whether the record's answer opens with one of its gold sentences."""
    first = record["citations"][:1]
    return any(same_sentence(g, c.quote) for g in record["row"].get("gold", []) for c in first)


def evidence_floor(x: np.ndarray, y: np.ndarray, exempt: np.ndarray) -> float:
    """One spread (standard deviation) below the least best-sentence cosine of the in-guide
    questions not exempt (tutor.ask.coverage): the closest call seen, less the usual
    variation."""
    from tutor.ask.coverage import FEATURES

    best = x[y & ~exempt, FEATURES.index("best_sentence")]
    return float(best.min() - best.std()) if len(best) else 0.0


def vetoed(records: list[dict[str, Any]]) -> np.ndarray:
    """Questions refused by rule (never covered): they ask to define a term the guide never
    writes, or for a figure none of their evidence sentences holds."""
    return np.asarray([bool(r["undefined"]) or bool(r["no_figure"]) for r in records])


def decisions(x: np.ndarray, w: np.ndarray, b: float, floor: float,
              exempt: np.ndarray, refused: np.ndarray) -> np.ndarray:
    """Covered: the refusal model's score at least 0, the best sentence at the floor (or the
    question exempt from it), and no rule refusing it (`refused`, as `vetoed` gives)."""
    from tutor.ask.coverage import FEATURES

    return ((x @ w + b >= 0) & ((x[:, FEATURES.index("best_sentence")] >= floor) | exempt)
            & ~refused)


def choose_weight(records: list[dict[Any, Any]], rows: np.ndarray) -> tuple[Any, np.ndarray,
                                                                           float, float]:
    """The weighting, refusal weights and bias best on `rows` (a mask). A weighting's value is
    the in-guide questions answered with a gold sentence, less OOG_COST for each out-of-guide
    one answered; each setting (section, context, ...) takes the value whose weightings are
    best on average over the other settings, which varies far less from fold to fold than the
    single best weighting of the grid (ties go to the shipped value). The evidence floor comes
    from the in-guide questions on `rows` (`evidence_floor`)."""
    from dataclasses import astuple, fields

    from tutor.ask.evidence import Weighting

    shipped = astuple(Weighting())
    values, fits = {}, {}
    for weight in records[0]:
        flat = at_weight(records, [weight] * len(records))
        x, y = features_of(flat)
        exempt, refused = only_named(flat), vetoed(flat)
        fitted = rows & ~refused  # the model decides only what the veto leaves
        w, b = fit_refusal(x[fitted], y[fitted])
        floor = evidence_floor(x[fitted], y[fitted], exempt[fitted])
        fits[weight] = (w, b, floor)
        covered = decisions(x, w, b, floor, exempt, refused)
        value = sum(bool(covered[i]) and supported(flat[i]) for i in np.flatnonzero(rows & y))
        values[weight] = value - OOG_COST * int((covered & rows & ~y).sum())
    chosen = []
    for n, _ in enumerate(fields(Weighting)):
        options = sorted({astuple(w)[n] for w in values})
        mean = {o: np.mean([v for w, v in values.items() if astuple(w)[n] == o])
                for o in options}
        chosen.append(max(options, key=lambda o: (mean[o], o == shipped[n])))
    weight = Weighting(*chosen)
    return weight, *fits[weight]


def fit_refusal(x: np.ndarray, y: np.ndarray,
                strength: float = STRENGTH) -> tuple[np.ndarray, float]:
    """Weights and bias in raw feature units: covered when x @ w + b >= 0.

    A class-balanced L2 logistic regression on standardised features, whose threshold is then
    moved to minimise OOG_COST * out-of-guide answered + in-guide refused on the same rows
    (midway between the two questions it separates).
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
    edges = np.unique(scores)  # cut midway between neighbouring scores, not on a question
    cuts = np.concatenate([[-np.inf], (edges[:-1] + edges[1:]) / 2, [edges[-1] + 1.0]])
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


def cross_validated(records: list[dict[Any, Any]],
                    rows: list[dict]) -> tuple[list[dict[str, Any]], np.ndarray, list[Any]]:
    """Each question's record and coverage decision from the weighting and refusal model
    chosen on the other folds, and the weighting each fold chose."""
    fold = np.asarray(fold_numbers(rows))
    weights = [next(iter(records[0]))] * len(rows)
    covered = np.zeros(len(rows), dtype=bool)
    chosen = []
    for f in range(FOLDS):
        test = fold == f
        if not test.any() or not (~test).any():
            continue
        weight, w, b, floor = choose_weight(records, ~test)
        chosen.append(weight)
        flat = at_weight(records, [weight] * len(records))
        x, _ = features_of(flat)
        covered[test] = decisions(x[test], w, b, floor, only_named(flat)[test],
                                  vetoed(flat)[test])
        for i in np.flatnonzero(test):
            weights[i] = weight
    return at_weight(records, weights), covered, chosen


def figures(records: list[dict[str, Any]], covered: np.ndarray, verifier: Any) -> dict[str, Any]:
    """Support recall, answer precision, refusal and false-refusal rates for given decisions."""
    inside = [i for i, r in enumerate(records) if r["row"]["in_guide"]]
    outside = [i for i, r in enumerate(records) if not r["row"]["in_guide"]]
    near = [i for i in outside if records[i]["row"].get("near_domain")]
    answered = sum(bool(covered[i]) and supported(records[i]) for i in inside)
    leading = sum(bool(covered[i]) and leads(records[i]) for i in inside)
    cited = [(c, records[i]["row"]["sections"]) for i in inside if covered[i]
             for c in records[i]["citations"]]
    shown = [c for i in inside + outside if covered[i] for c in records[i]["citations"]]

    def rate(n: int, d: int) -> float | None:
        return round(n / d, 4) if d else None

    return {
        "in_guide": len(inside), "out_of_guide": len(outside), "near_domain": len(near),
        "support_recall": rate(answered, len(inside)),
        "gold_leads": rate(leading, len(inside)),
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
    """The ask suite: the shipped settings in-sample, and their choice cross-validated."""
    from tutor.ask.evidence import SECTION_WEIGHT, Weighting

    rows = read_rows(ASK_FILE)
    rows = (limited([r for r in rows if r["in_guide"]], ctx.limit)
            + limited([r for r in rows if not r["in_guide"]], ctx.limit))
    records = collect(ctx, rows)
    ctx.cache["ask_records"] = records
    shipped = at_weight(records, [Weighting()] * len(records))
    _, y = features_of(shipped)
    out: dict[str, Any] = {"questions": len(rows), "folds": FOLDS, "section_weight": SECTION_WEIGHT,
                           "shipped": figures(shipped, np.asarray([r["covered"] for r in shipped]),
                                              ctx.verifier)}
    if len(rows) >= MIN_CV_ROWS and y.any() and (~y).any():
        held_out, covered, chosen = cross_validated(records, rows)
        out["cv"] = figures(held_out, covered, ctx.verifier)
        out["cv"]["section_weights"] = [w.section for w in chosen]
        out["cv"]["weightings"] = [[w.section, w.context, w.answer_type, w.card_score,
                                    w.item_sentences, w.facet] for w in chosen]
    else:
        out["cv_error"] = f"cross-validation needs at least {MIN_CV_ROWS} questions of both kinds"
    out["partial_answers"] = sum(bool(r["missing"]) and r["covered"] for r in shipped)
    out.update(apart_figures(ctx))
    return out


def main(argv: list[str] | None = None) -> None:
    """Print the cross-validated figures; with --fit, the settings fitted on every row."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--fit", action="store_true", help="print the settings fitted on all rows")
    args = parser.parse_args(argv)
    from tutor.ask.coverage import FEATURES
    from tutor.core.settings import Settings

    ctx = EvalContext(Settings())
    report = run_ask(ctx)
    for key in ("cv", "shipped"):
        if key in report:
            print(key, {k: v for k, v in report[key].items() if k != "answered_out_of_guide"})
            print("  answered out of guide:", report[key]["answered_out_of_guide"])
    print("guide_words", report["guide_words"])
    print("blind", report["blind"])
    if args.fit:
        records = ctx.cache["ask_records"]
        weight, w, b, floor = choose_weight(records, np.ones(len(records), dtype=bool))
        print(f"SECTION_WEIGHT = {weight.section}")
        print(f"CONTEXT_WEIGHT = {weight.context}")
        print(f"ANSWER_TYPE_WEIGHT = {weight.answer_type}")
        print(f"CARD_SCORE_WEIGHT = {weight.card_score}")
        print(f"ITEM_SENTENCES = {weight.item_sentences}")
        print(f"FACET_WEIGHT = {weight.facet}")
        print("WEIGHTS = {" + ", ".join(f'"{n}": {v:.4f}' for n, v in zip(FEATURES, w)) + "}")
        print(f"BIAS = {b:.4f}")
        print(f"MIN_BEST_SENTENCE = {floor:.4f}")


if __name__ == "__main__":
    main()
