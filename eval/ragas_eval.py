"""RAGAS on the tutor's answers to the golden questions, plus exact groundedness and refusals.

Offline, with ragas' classic metric objects and our packaged MiniLM (no hosted defaults):
non-LLM context precision and recall, ROUGE-L and semantic similarity. ragas' non-LLM context
metrics compare whole strings by edit distance, so contexts are given sentence by sentence (a
golden context is one or two guide sentences; a retrieved chunk is many). With `--llm`, the
LLM-judged metrics run on chunk-level contexts through the configured endpoint; each failed
sample is counted and named, never fatal.
"""

from __future__ import annotations

import math
import os
import warnings
from collections import Counter
from typing import Any

from tutor.eval.context import EvalContext, limited
from tutor.eval.datasets import EVAL_DIR, read_rows
from tutor.eval.groundedness import answer_citations, check_citations, grade_citations

from tutor.ask.answer import answer_question
from tutor.core.errors import TutorError
from tutor.core.text import split_sentences

GOLDEN_FILE = EVAL_DIR / "rag_golden.jsonl"
K = 5
REFUSAL_MARKERS = ("not in the guide", "guide does not cover", "not covered by the guide")
REFUSAL_SOURCES = {"none", "refusal", "refused", "not_in_guide", "not-in-guide"}


def require_ragas() -> None:
    """Import ragas with its telemetry off, or say which extra to install."""
    os.environ["RAGAS_DO_NOT_TRACK"] = "true"
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import ragas  # noqa: F401
        import rapidfuzz  # noqa: F401
        import rouge_score  # noqa: F401
    except ImportError as exc:
        missing = exc.name or str(exc)
        raise TutorError(
            f"The RAGAS suite needs {missing}, which is not installed: pip install 'tutor[eval]'"
        ) from exc


class RecordingRetriever:
    """Passes searches through to the real retriever and keeps the hits it returned."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.hits: list[Any] = []

    def search(self, query: str, k: int = 5) -> list[Any]:
        hits = self._inner.search(query, k)
        self.hits.extend(h for h in hits if all(h.chunk.id != x.chunk.id for x in self.hits))
        return hits

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def answer_all(ctx: EvalContext, answer_question: Any, rows: list[dict],
               label: str) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Answer each golden question offline, keeping what was retrieved for it."""
    records, errors = [], []
    tick = ctx.progress(label)
    for n, row in enumerate(rows, 1):
        recorder = RecordingRetriever(ctx.retriever)
        try:
            answer = answer_question(row["question"], recorder, ctx.embedder, None, k=K)
        except TutorError as exc:
            errors.append({"id": row["id"], "error": str(exc)})
        else:
            hits = recorder.hits or ctx.retriever.search(row["question"], K)
            records.append({"id": row["id"], "row": row, "answer": answer,
                            "chunks": [h.chunk.text for h in hits]})
        tick(n, len(rows))
    return records, errors


def is_refusal(answer: Any) -> bool:
    """An honest "not in the guide": no citations, or the answer says so."""
    text = (getattr(answer, "answer", "") or "").lower()
    source = str(getattr(answer, "answered_by", "")).lower()
    return (not getattr(answer, "citations", None) or source in REFUSAL_SOURCES
            or any(marker in text for marker in REFUSAL_MARKERS))


def sentences(texts: list[str]) -> list[str]:
    return [s for t in texts for s in split_sentences(t) if len(s) > 12] or texts


def sample_for(record: dict[str, Any], chunk_level: bool) -> Any:
    from ragas.dataset_schema import SingleTurnSample

    row = record["row"]
    return SingleTurnSample(
        user_input=row["question"], response=record["answer"].answer or "",
        reference=row["reference"],
        retrieved_contexts=record["chunks"] if chunk_level else sentences(record["chunks"]),
        reference_contexts=(row["reference_contexts"] if chunk_level
                            else sentences(row["reference_contexts"])))


def score_samples(records: list[dict[str, Any]], metrics: dict[str, Any], chunk_level: bool,
                  run_config: Any, llm: Any = None, embeddings: Any = None,
                  show_progress: bool = False) -> dict[str, Any]:
    """Run `ragas.evaluate`; means over scored samples and every failure by sample and metric."""
    from ragas import evaluate
    from ragas.dataset_schema import EvaluationDataset
    from tutor.eval.ragas_adapters import JobFailures

    if not records:
        return {"samples": 0, "metrics": {}, "failures": []}
    dataset = EvaluationDataset(samples=[sample_for(r, chunk_level) for r in records])
    names, objects = list(metrics), list(metrics.values())
    with JobFailures() as log:
        result: Any = evaluate(dataset, metrics=objects, llm=llm, embeddings=embeddings,
                               run_config=run_config, raise_exceptions=False,
                               show_progress=show_progress)
    per_sample: list[dict[str, Any]] = []
    failures = []
    for i, (record, scores) in enumerate(zip(records, result.scores, strict=True)):
        values = list(scores.values())
        entry: dict[str, Any] = {"id": record["id"]}
        for j, name in enumerate(names):
            value = values[j]
            ok = isinstance(value, (int, float)) and not math.isnan(float(value))
            entry[name] = round(float(value), 4) if ok else None
            if not ok:
                failures.append({"id": record["id"], "metric": name,
                                 "error": log.failures.get(i * len(names) + j, "no score (NaN)")})
        per_sample.append(entry)
    summary = {}
    for name in names:
        got = [s[name] for s in per_sample if s[name] is not None]
        summary[name] = {"mean": round(sum(got) / len(got), 4) if got else None,
                         "scored": len(got), "failed": len(per_sample) - len(got)}
    return {"samples": len(records), "metrics": summary, "failures": failures,
            "per_sample": per_sample}


def classic_metrics(*names: str) -> dict[str, Any]:
    """Classes of ragas' classic metrics (`ragas.metrics`, deprecated there in favour of the
    `collections` API, whose objects `ragas.evaluate` does not take)."""
    import ragas.metrics

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return {name: getattr(ragas.metrics, name) for name in names}


def offline_metrics(embeddings: Any) -> dict[str, Any]:
    m = classic_metrics("NonLLMContextPrecisionWithReference", "NonLLMContextRecall",
                        "RougeScore", "SemanticSimilarity")
    return {"context_precision": m["NonLLMContextPrecisionWithReference"](),
            "context_recall": m["NonLLMContextRecall"](),
            "rouge_l": m["RougeScore"](rouge_type="rougeL", mode="fmeasure"),
            "semantic_similarity": m["SemanticSimilarity"](embeddings=embeddings)}


def llm_metrics(llm: Any, embeddings: Any) -> dict[str, Any]:
    m = classic_metrics("Faithfulness", "ResponseRelevancy", "LLMContextPrecisionWithReference",
                        "LLMContextRecall")
    return {"faithfulness": m["Faithfulness"](llm=llm),
            "response_relevancy": m["ResponseRelevancy"](llm=llm, embeddings=embeddings),
            "llm_context_precision": m["LLMContextPrecisionWithReference"](llm=llm),
            "llm_context_recall": m["LLMContextRecall"](llm=llm)}


def feedback_groundedness(ctx: EvalContext) -> dict[str, Any]:
    """Citations in the grades of the bundled graded answers, checked verbatim."""
    from tutor.eval.grading_eval import graded_bundle

    rows, _, grades = graded_bundle(ctx)
    return check_citations(ctx.verifier, grade_citations(rows, grades))


def run_ragas(ctx: EvalContext) -> dict[str, Any]:
    """Answers to golden questions scored by ragas; groundedness; out-of-guide refusals."""
    require_ragas()
    from tutor.eval.ragas_adapters import MiniLMEmbeddings, run_config_for

    out: dict[str, Any] = {"feedback_groundedness": feedback_groundedness(ctx)}
    golden = read_rows(GOLDEN_FILE)
    inside = limited([r for r in golden if r["in_guide"]], ctx.limit)
    outside = limited([r for r in golden if not r["in_guide"]], ctx.limit)
    records, errors = answer_all(ctx, answer_question, inside, "answering golden questions")
    off_records, off_errors = answer_all(ctx, answer_question, outside, "out-of-guide questions")
    out["answers"] = {"questions": len(inside), "answered": len(records), "errors": errors,
                      "answered_by": dict(Counter(str(r["answer"].answered_by) for r in records)),
                      "false_refusals": sum(is_refusal(r["answer"]) for r in records)}
    out["groundedness"] = check_citations(ctx.verifier, answer_citations(records))
    out["groundedness"]["answers_flagged_ungrounded"] = sum(
        not getattr(r["answer"], "grounded", True) for r in records)
    refused = sum(is_refusal(r["answer"]) for r in off_records)
    out["out_of_guide"] = {"questions": len(outside), "refused": refused, "errors": off_errors,
                           "refusal_rate": round(refused / len(off_records), 4)
                           if off_records else None}
    config = run_config_for(ctx.settings)
    embeddings = MiniLMEmbeddings(ctx.embedder, config)
    out["offline"] = score_samples(records, offline_metrics(embeddings), False, config,
                                   embeddings=embeddings)
    if ctx.use_llm:
        out["llm"] = llm_scores(ctx, records, config, embeddings)
    return out


def llm_scores(ctx: EvalContext, records: list[dict[str, Any]], config: Any,
               embeddings: Any) -> dict[str, Any]:
    """The LLM-judged metrics; an endpoint that cannot even be set up is reported, not fatal
    (the offline results are already in hand)."""
    from tutor.eval.ragas_adapters import ragas_llm

    from tutor.core.errors import LLMError

    try:
        llm = ragas_llm(ctx.settings, config)
    except LLMError as exc:
        return {"samples": len(records), "metrics": {}, "failures": [], "error": str(exc),
                "model": ctx.settings.llm_model}
    out = score_samples(records, llm_metrics(llm, embeddings), True, config, llm=llm,
                        embeddings=embeddings, show_progress=True)
    return {**out, "model": llm.model, "job_timeout_seconds": config.timeout}
