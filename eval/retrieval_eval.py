"""Retrieval quality on the golden queries: dense, BM25 and hybrid side by side, at section level.

A query's relevant items are guide sections; each method's ranked chunks are mapped to their
section and deduplicated (a section counts once, at its best rank) before scoring.

The hybrid retriever's card weights are fitted on these same queries, so its plain figures are
in-sample. The honest ones are cross-validated: the queries fall into folds that share no guide
section; for each fold the weights (and their L2 strength, by an inner CV) are fitted on the
other folds and the fold is ranked with them. The ask set's questions, never used in a fit,
give a second held-out check, and the in-guide questions written blind by people who saw only
the guide (data/eval/ask_blind.jsonl; their cards are those holding their gold sentences) a
third. `python -m tutor.eval.retrieval_eval --fit` prints the weights fitted on all queries, for
`tutor/retrieval/fusion.py`.
"""

from __future__ import annotations

import argparse
import math
import random
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from tutor.eval.context import EvalContext, limited
from tutor.eval.datasets import EVAL_DIR, read_rows

QUERIES_FILE = EVAL_DIR / "retrieval_queries.jsonl"
ASK_FILE = EVAL_DIR / "ask_set.jsonl"
# questions written blind by people who saw only the guide (tutor.eval.ask_apart); their cards
# are the ones holding their gold sentences
BLIND_FILE = EVAL_DIR / "ask_blind.jsonl"
METHODS = ("dense", "bm25", "hybrid")
KS = (1, 3, 5)
DEPTH = 30  # chunks fetched per method before deduplicating by section
FOLDS = 5
MIN_CV_QUERIES = 40
STRENGTHS = (0.01, 0.03, 0.1, 0.3, 1.0)  # inverse L2 strengths (C) tried by the inner CV


def section_ranking(chunk_ids: Iterable[str], section_of: Callable[[str], str | None]) -> list[str]:
    """Sections in rank order, each kept at its first (best) position."""
    seen: list[str] = []
    for cid in chunk_ids:
        section = section_of(cid)
        if section is not None and section not in seen:
            seen.append(section)
    return seen


def first_relevant(ranking: list[str], relevant: set[str]) -> int | None:
    """1-based rank of the first relevant section, if any."""
    return next((i for i, s in enumerate(ranking, 1) if s in relevant), None)


def ndcg_at(ranking: list[str], relevant: set[str], k: int = 5) -> float:
    """Binary-relevance nDCG@k."""
    dcg = sum(1.0 / math.log2(i + 1) for i, s in enumerate(ranking[:k], 1) if s in relevant)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(relevant), k) + 1))
    return dcg / ideal if ideal else 0.0


def score_ranking(ranking: list[str], relevant: set[str]) -> dict[str, float]:
    """hit@1/3/5, reciprocal rank and nDCG@5 of one query."""
    rank = first_relevant(ranking, relevant)
    out = {f"hit@{k}": float(rank is not None and rank <= k) for k in KS}
    out["mrr"] = 1.0 / rank if rank else 0.0
    out["ndcg@5"] = ndcg_at(ranking, relevant, 5)
    return out


def mean_scores(rows: list[dict[str, float]]) -> dict[str, float]:
    if not rows:
        return {}
    return {key: round(sum(r[key] for r in rows) / len(rows), 4) for key in rows[0]}


def method_rankings(ctx: EvalContext, query: str) -> dict[str, list[str]]:
    """The deduplicated section ranking each method gives a query."""
    retriever = ctx.retriever

    def section_of(cid: str) -> str | None:
        chunk = ctx.kb.chunk(cid)
        return chunk.heading if chunk else None

    chunk_lists = {
        "dense": [cid for cid, _ in retriever.dense(query, DEPTH)],
        "bm25": [cid for cid, _ in retriever.lexical(query, DEPTH)],
        "hybrid": [h.chunk.id for h in retriever.search(query, DEPTH)],
    }
    return {m: section_ranking(ids, section_of) for m, ids in chunk_lists.items()}


def run_retrieval(ctx: EvalContext) -> dict:
    """Per-method means overall and per query kind, plus the queries hybrid misses at 5."""
    queries = limited(read_rows(QUERIES_FILE), ctx.limit)
    per_method: dict[str, list[dict[str, float]]] = {m: [] for m in METHODS}
    kinds: dict[str, dict[str, list[dict[str, float]]]] = {}
    misses = []
    tick = ctx.progress("retrieval")
    for n, row in enumerate(queries, 1):
        relevant = set(row["sections"])
        rankings = method_rankings(ctx, row["query"])
        for method, ranking in rankings.items():
            scores = score_ranking(ranking, relevant)
            per_method[method].append(scores)
            kinds.setdefault(row.get("kind", "all"), {m: [] for m in METHODS})[method].append(
                scores)
        if not score_ranking(rankings["hybrid"], relevant)["hit@5"]:
            misses.append({"query": row["query"], "expected": sorted(relevant),
                           "got": rankings["hybrid"][:3]})
        tick(n, len(queries))
    cards = (run_card_cv(ctx, queries) if len(queries) >= MIN_CV_QUERIES else
             {"error": f"cross-validation needs at least {MIN_CV_QUERIES} queries"})
    return {
        "queries": len(queries),
        "depth": DEPTH,
        "cards": cards,
        "methods": {m: mean_scores(rows) for m, rows in per_method.items()},
        "by_kind": {kind: {"queries": len(by["hybrid"]),
                           **{m: mean_scores(rows) for m, rows in by.items()}}
                    for kind, by in sorted(kinds.items())},
        "hybrid_misses": misses,
    }


# --- cross-validated card weights ---------------------------------------------------------

def section_folds(groups: Sequence[str], k: int = FOLDS, seed: int = 0) -> list[int]:
    """A fold number per item such that items of one group (guide section) share a fold."""
    names = sorted(set(groups))
    random.Random(seed).shuffle(names)
    fold_of = {name: i % k for i, name in enumerate(names)}
    return [fold_of[g] for g in groups]


def fit_pairwise(matrices: list[np.ndarray], relevant: list[list[int]],
                 strength: float) -> np.ndarray:
    """Weights of a linear ranker: L2-regularised logistic loss on (relevant - other) pairs.

    Args:
        matrices: per query, (cards, features) of standardised features.
        relevant: per query, the row numbers of its relevant cards.
        strength: C, the inverse L2 strength.
    """
    from scipy.optimize import minimize

    diffs = [m[r] - m[j] for m, rel in zip(matrices, relevant) for r in rel
             for j in range(len(m)) if j not in rel]
    x = np.asarray(diffs)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        margin = x @ w
        value = float(np.logaddexp(0, -margin).sum() + 0.5 / strength * w @ w)
        grad = -(x.T @ (1.0 / (1.0 + np.exp(margin)))) + w / strength
        return value, grad

    return minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B").x


def rank_metrics(orders: list[np.ndarray], relevant: list[list[int]]) -> dict[str, float]:
    """hit@1, hit@3 and MRR of card orders (row numbers, best first)."""
    ranks = [next((i for i, c in enumerate(order, 1) if c in rel), None)
             for order, rel in zip(orders, relevant)]
    n = max(len(ranks), 1)
    return {"hit@1": round(sum(r == 1 for r in ranks) / n, 4),
            "hit@3": round(sum(r is not None and r <= 3 for r in ranks) / n, 4),
            "mrr": round(sum(1 / r for r in ranks if r) / n, 4)}


def _orders(matrices: list[np.ndarray], w: np.ndarray) -> list[np.ndarray]:
    return [np.lexsort((np.arange(len(m)), -(m @ w))) for m in matrices]


def cross_validated(matrices: list[np.ndarray], relevant: list[list[int]],
                    groups: list[str], folds: int = FOLDS,
                    seed: int = 0) -> tuple[dict[str, float], list[float]]:
    """Held-out figures: each fold ranked by weights fitted on the others, C by inner CV."""
    fold = section_folds(groups, folds, seed)
    orders: list[np.ndarray] = [np.zeros(0)] * len(matrices)
    chosen = []
    for f in range(folds):
        train = [i for i, x in enumerate(fold) if x != f]
        strength = choose_strength([matrices[i] for i in train], [relevant[i] for i in train],
                                   [groups[i] for i in train], folds - 1, seed + 1)
        chosen.append(strength)
        w = fit_pairwise([matrices[i] for i in train], [relevant[i] for i in train], strength)
        for i in (i for i, x in enumerate(fold) if x == f):
            orders[i] = _orders([matrices[i]], w)[0]
    return rank_metrics(orders, relevant), chosen


def choose_strength(matrices: list[np.ndarray], relevant: list[list[int]], groups: list[str],
                    folds: int, seed: int) -> float:
    """The C of STRENGTHS with the best cross-validated MRR (folds grouped by section)."""
    fold = section_folds(groups, folds, seed)
    best = (-1.0, STRENGTHS[0])
    for strength in STRENGTHS:
        orders: list[np.ndarray] = [np.zeros(0)] * len(matrices)
        for f in range(folds):
            train = [i for i, x in enumerate(fold) if x != f]
            w = fit_pairwise([matrices[i] for i in train], [relevant[i] for i in train],
                             strength)
            for i in (i for i, x in enumerate(fold) if x == f):
                orders[i] = _orders([matrices[i]], w)[0]
        mrr = rank_metrics(orders, relevant)["mrr"]
        if mrr > best[0] + 1e-9:
            best = (mrr, strength)
    return best[1]


def card_dataset(retriever: Any, rows: list[dict], key: str
                 ) -> tuple[list[np.ndarray], list[list[int]], list[str]]:
    """Standardised card features, relevant card rows and the group (first section) per query."""
    from tutor.retrieval.fusion import standardise_columns

    views = retriever.views
    row_of = {card.heading: i for i, card in enumerate(views.cards)}
    matrices, relevant, groups = [], [], []
    for row in rows:
        rel = [row_of[s] for s in row.get("sections") or [] if s in row_of]
        if not rel:
            continue
        matrices.append(standardise_columns(retriever.card_features(row[key])))
        relevant.append(rel)
        groups.append(row["sections"][0])
    return matrices, relevant, groups


def with_gold_sections(kb: Any, rows: list[dict]) -> list[dict]:
    """Rows with `sections`: the headings of the cards whose text holds one of the row's gold
    sentences (markup and case aside: tutor.eval.agreement.normalise)."""
    from tutor.eval.agreement import normalise

    bodies = [(card.heading, normalise(card.body)) for card in kb.cards]
    return [{**row, "sections": [heading for heading, body in bodies
                                 if any(normalise(g) in body for g in row["gold"])]}
            for row in rows]


def run_card_cv(ctx: EvalContext, queries: list[dict]) -> dict[str, Any]:
    """Cross-validated card ranking on the golden queries, and the shipped weights on the ask
    set and the blind questions (both held out from every fit)."""
    retriever = ctx.retriever
    if retriever.views is None:
        return {"error": "the vectors are not held in memory: no card views"}
    from tutor.retrieval.fusion import weight_vector
    from tutor.retrieval.views import FEATURES

    matrices, relevant, groups = card_dataset(retriever, queries, "query")
    cv, chosen = cross_validated(matrices, relevant, groups)
    ask_m, ask_rel, _ = card_dataset(
        retriever, [r for r in read_rows(ASK_FILE) if r.get("in_guide")], "question")
    blind_m, blind_rel, _ = card_dataset(retriever, with_gold_sections(
        retriever.kb, [r for r in read_rows(BLIND_FILE) if r.get("in_guide")]), "question")
    shipped = weight_vector(retriever.card_weights, FEATURES)
    return {"folds": FOLDS, "queries": len(matrices), "cv": cv, "cv_strengths": chosen,
            "in_sample": rank_metrics(_orders(matrices, shipped), relevant),
            "ask_set": {"questions": len(ask_m), **rank_metrics(_orders(ask_m, shipped),
                                                                 ask_rel)},
            "blind": {"questions": len(blind_m), **rank_metrics(_orders(blind_m, shipped),
                                                                blind_rel)}}


def main(argv: list[str] | None = None) -> None:
    """Fit the card weights on all golden queries (C by CV) and print them with CV figures."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--fit", action="store_true", help="print the weights fitted on all rows")
    args = parser.parse_args(argv)
    from tutor.core.settings import Settings

    ctx = EvalContext(Settings())
    queries = read_rows(QUERIES_FILE)
    report = run_card_cv(ctx, queries)
    print(f"cross-validated ({report['folds']} folds by section): {report['cv']} "
          f"(C per fold {report['cv_strengths']})")
    print(f"shipped weights: in-sample {report['in_sample']}, ask set {report['ask_set']}, "
          f"blind questions {report['blind']}")
    if args.fit:
        from tutor.retrieval.views import FEATURES

        matrices, relevant, groups = card_dataset(ctx.retriever, queries, "query")
        strength = choose_strength(matrices, relevant, groups, FOLDS, 1)
        w = fit_pairwise(matrices, relevant, strength)
        print(f"C = {strength}\nCARD_WEIGHTS = {{")
        for name, value in zip(FEATURES, w):
            print(f'    "{name}": {value:.3f},')
        print("}")


if __name__ == "__main__":
    main()
