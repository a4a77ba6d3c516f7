"""`tutor ask` on sets reported apart from the ask set and never fitted or tuned on.

data/eval/ask_blind.jsonl holds 110 questions written blind by people who read only the guide
(55 in-guide paraphrases, many informal, each with one gold sentence; 55 out-of-guide, a fifth
of them in the guide's own words): the shipped model's figures on them are reported apart
(`blind`), never fitted or tuned on.

data/eval/ask_guide_words.jsonl holds out-of-guide questions of another kind, never fitted on:
things the guide does not treat, named only by words it uses elsewhere ("What is teacher
forcing ...?", "How does product quantization compress vectors ...?"). The shipped model's
refusals on them are reported apart (`guide_words`). Offline, the refusal reads the question's
words and its similarity to the guide's sentences, and these questions look like the guide's own
paraphrased questions on both; fitting on them traded every refusal gained for a false refusal.
"""

from __future__ import annotations

from typing import Any

from tutor.eval.agreement import same_sentence
from tutor.eval.context import EvalContext, limited
from tutor.eval.datasets import EVAL_DIR, read_rows

GUIDE_WORDS_FILE = EVAL_DIR / "ask_guide_words.jsonl"
BLIND_FILE = EVAL_DIR / "ask_blind.jsonl"


def apart_figures(ctx: EvalContext) -> dict[str, Any]:
    """The shipped model on the guide-words questions and on the blind ones."""
    blind = read_rows(BLIND_FILE)
    return {"guide_words": guide_words_refusals(ctx, limited(read_rows(GUIDE_WORDS_FILE),
                                                             ctx.limit)),
            "blind": blind_figures(ctx, limited([r for r in blind if r["in_guide"]], ctx.limit)
                                   + limited([r for r in blind if not r["in_guide"]],
                                             ctx.limit))}


def blind_figures(ctx: EvalContext, rows: list[dict]) -> dict[str, Any]:
    """The shipped `tutor ask`, offline, on questions written blind by people who saw only the
    guide (never fitted on, never tuned to): support recall, false refusals, refusals."""
    from tutor.ask.answer import answer_question

    tick = ctx.progress("ask, blind questions")
    inside = outside = supported_n = refused_in = 0
    answered_out: list[str] = []
    for n, row in enumerate(rows, 1):
        answer = answer_question(row["question"], ctx.retriever, ctx.embedder)
        answered = answer.grounded and bool(answer.citations)
        if row["in_guide"]:
            inside += 1
            refused_in += not answered
            supported_n += answered and any(same_sentence(g, c.quote) for g in row["gold"]
                                            for c in answer.citations)
        else:
            outside += 1
            if answered:
                answered_out.append(row["question"])
        tick(n, len(rows))

    def rate(k: int, d: int) -> float | None:
        return round(k / d, 4) if d else None

    return {"in_guide": inside, "out_of_guide": outside,
            "support_recall": rate(supported_n, inside),
            "false_refusal_rate": rate(refused_in, inside), "false_refusals": refused_in,
            "refusal_rate": rate(outside - len(answered_out), outside),
            "answered_out_of_guide": answered_out}


def guide_words_refusals(ctx: EvalContext, rows: list[dict]) -> dict[str, Any]:
    """The shipped model on out-of-guide questions named only by the guide's own words."""
    from tutor.ask.answer import assess

    tick = ctx.progress("ask, guide-words questions")
    answered = []
    for n, row in enumerate(rows, 1):
        if assess(row["question"], ctx.retriever, ctx.embedder)[2].covered:
            answered.append(row["question"])
        tick(n, len(rows))
    return {"questions": len(rows), "refused": len(rows) - len(answered),
            "refusal_rate": round(1 - len(answered) / len(rows), 4) if rows else None,
            "answered": answered}
