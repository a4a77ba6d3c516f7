"""Retrieval quality on the golden queries: dense, BM25 and hybrid side by side, at section level.

A query's relevant items are guide sections; each method's ranked chunks are mapped to their
section and deduplicated (a section counts once, at its best rank) before scoring.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from tutor.eval.context import EvalContext, limited
from tutor.eval.datasets import EVAL_DIR, read_rows

QUERIES_FILE = EVAL_DIR / "retrieval_queries.jsonl"
METHODS = ("dense", "bm25", "hybrid")
KS = (1, 3, 5)
DEPTH = 30  # chunks fetched per method before deduplicating by section


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
    return {
        "queries": len(queries),
        "depth": DEPTH,
        "methods": {m: mean_scores(rows) for m, rows in per_method.items()},
        "by_kind": {kind: {"queries": len(by["hybrid"]),
                           **{m: mean_scores(rows) for m, rows in by.items()}}
                    for kind, by in sorted(kinds.items())},
        "hybrid_misses": misses,
    }
