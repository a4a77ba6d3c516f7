"""The evaluation report as Markdown: one section per suite, tables first, details after."""

from __future__ import annotations

from typing import Any


def fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    return lines + [""]


def retrieval_md(r: dict[str, Any]) -> list[str]:
    keys = ["hit@1", "hit@3", "hit@5", "mrr", "ndcg@5"]
    out = ["## Retrieval", "",
           f"{r['queries']} golden queries, section level (chunks deduplicated by section, "
           f"top {r['depth']} chunks per method).", ""]
    out += table(["method", *keys], [[m, *(s.get(k) for k in keys)]
                                     for m, s in r["methods"].items()])
    out += ["hit@5 by query kind:", ""]
    out += table(["kind", "queries", "dense", "bm25", "hybrid"],
                 [[k, v["queries"], *(v[m].get("hit@5") for m in ("dense", "bm25", "hybrid"))]
                  for k, v in r["by_kind"].items()])
    cards = r.get("cards") or {}
    if "cv" in cards:
        out += [f"Hybrid card weights are fitted on these queries, so the table above is "
                f"in-sample. Held out ({cards['folds']} folds sharing no section, weights and "
                f"their L2 strength fitted on the other folds): "
                + ", ".join(f"{k} {fmt(v)}" for k, v in cards["cv"].items())
                + f". On the ask set's {cards['ask_set']['questions']} questions (never fitted "
                "on): " + ", ".join(f"{k} {fmt(cards['ask_set'][k])}"
                                    for k in ("hit@1", "hit@3", "mrr"))
                + (f". On {cards['blind']['questions']} questions written blind by others: "
                   + ", ".join(f"{k} {fmt(cards['blind'][k])}" for k in ("hit@1", "hit@3", "mrr"))
                   if cards.get("blind") else "") + ".", ""]
    elif cards.get("error"):
        out += [f"Card weights not cross-validated: {cards['error']}.", ""]
    if r["hybrid_misses"]:
        out += [f"Hybrid misses at 5: {len(r['hybrid_misses'])} (first: "
                f"\"{r['hybrid_misses'][0]['query']}\")", ""]
    return out


def agreement_rows(label: str, a: dict[str, Any]) -> list[Any]:
    return [label, a.get("n"), a.get("pearson"), a.get("spearman"), a.get("rmse"),
            a.get("within1"), a.get("pairwise_order")]


def grading_md(g: dict[str, Any]) -> list[str]:
    b = g["bundled"]
    out = ["## Grading", "",
           f"Bundled answers: {b['answers']}, held out in {b['folds']} folds that share no guide "
           "section (the shipped parameters were fitted on them; in-sample shown for contrast).",
           ""]
    rows = [agreement_rows("embedded, held out", b["cv"])]
    if "cv_non_trivial" in b:
        rows.append(agreement_rows("embedded, held out, no empty/off-topic", b["cv_non_trivial"]))
    rows.append(agreement_rows("embedded, in-sample", b["in_sample"]))
    if (g.get("reference") or {}).get("cv"):
        rows.append(agreement_rows("embedded, against a supplied reference, held out",
                                   g["reference"]["cv"]))
    if (g.get("extracted") or {}).get("cv"):
        rows.append(agreement_rows("embedded, against rubrics extracted from the guide's text, "
                                   "held out", g["extracted"]["cv"]))
    external = g.get("external_blind") or {}
    if (external.get("zero_shot") or {}).get("n"):
        rows.append(agreement_rows("embedded, blind external set against its references "
                                   "(never fitted on)", external["zero_shot"]))
    if (external.get("with_examples") or {}).get("n"):
        rows.append(agreement_rows(f"the same, teacher's scale from "
                                   f"{external['examples_per_question']} examples per question",
                                   external["with_examples"]))
    rows += [agreement_rows(f"{name} (plain)", d) for name, d in g["user_data"].items()]
    if "llm" in g:
        rows.append(agreement_rows(f"{g['llm']['grader']} (plain)", g["llm"]))
    out += table(["predictions", "n", "pearson", "spearman", "rmse", "within-1", "pair order"],
                 rows)
    for label, block in (("bundled", b), ("blind external", external)):
        if shown := block.get("shown_points"):
            out += [f"Statuses against scores ({label}, shipped grader): "
                    f"{shown['off_topic_showing_a_point']} of {shown['off_topic']} off-topic "
                    f"answers show a covered or partial point; {shown['scored_without_a_point']} "
                    f"of {shown['graded']} grades above 0 show none.", ""]
    out += ["Cross-validated error by human level:", ""]
    out += table(["level", "n", "human", "predicted", "MAE"],
                 [[x["group"], x["n"], x["human_mean"], x["predicted_mean"], x["mae"]]
                  for x in b["cv"]["by_level"]])
    verdicts = sorted({v for row in b["cv"]["confusion"].values() for v in row})
    out += ["Human level (rows) by grader verdict (columns), cross-validated:", ""]
    out += table(["level", *verdicts], [[lvl, *(row.get(v, 0) for v in verdicts)]
                                        for lvl, row in b["cv"]["confusion"].items()])
    worst = b["cv"]["by_question"][:5]
    out += ["Questions with the largest error:", ""]
    out += table(["question", "n", "human", "predicted", "MAE", "spearman"],
                 [[x["group"], x["n"], x["human_mean"], x["predicted_mean"], x["mae"],
                   x["spearman"]] for x in worst])
    return out + gaming_md(g["gaming"])


def gaming_md(gaming: dict[str, Any]) -> list[str]:
    out = ["### Gaming and injection", ""]
    for grader, block in gaming.items():
        out += [f"{grader}: {block['graded']} answers, max score {fmt(block['max'])}, "
                f"{block['exceeded']} above fair + {block['tolerance']}"
                + (f", {block['fallbacks']} fell back offline" if block["fallbacks"] else ""),
                ""]
        out += table(["attack", "n", "max", "mean", "exceeded"],
                     [[a, v["n"], v["max"], v["mean"], v["exceeded"]]
                      for a, v in block["attacks"].items()])
        gain = block.get("attack_gain")
        if gain and gain["n"]:
            out += [f"Attack gain over the content alone ({gain['n']} answers that wrap or repeat "
                    f"content): max {fmt(gain['max'])}, {gain['positive']} positive", ""]
        if block["exceeding"]:
            out += ["Above fair: " + ", ".join(
                f"{e['id']} ({e['attack']}: {fmt(e['score'])} > {e['max_fair_score']})"
                for e in block["exceeding"]), ""]
    return out


def ragas_md(r: dict[str, Any]) -> list[str]:
    out = ["## RAGAS and groundedness", ""]
    fg = r["feedback_groundedness"]
    out += [f"Grade feedback citations verbatim: {fg['verified']}/{fg['citations']} "
            f"({fmt(fg['share'])}).", ""]
    g, oog = r["groundedness"], r["out_of_guide"]
    out += [f"Answers: {r['answers']['answered']}/{r['answers']['questions']} in-guide questions "
            f"(by {r['answers']['answered_by']}), {r['answers']['false_refusals']} refused.",
            f"Answer citations verbatim: {g['verified']}/{g['citations']} ({fmt(g['share'])}).",
            f"Out-of-guide refusal rate: {fmt(oog['refusal_rate'])} "
            f"({oog['refused']}/{oog['questions']}).", ""]
    for suite in ("offline", "llm"):
        if suite in r:
            block = r[suite]
            title = ("Offline metrics" if suite == "offline"
                     else f"LLM metrics ({block.get('model') or 'configured endpoint'})")
            if block.get("error"):
                out += [f"{title}: not run ({block['error']})", ""]
                continue
            out += [f"{title}, {block['samples']} samples:", ""]
            out += table(["metric", "mean", "scored", "failed"],
                         [[k, v["mean"], v["scored"], v["failed"]]
                          for k, v in block["metrics"].items()])
            for f in block["failures"][:10]:
                out.append(f"- failed: {f['id']} {f['metric']}: {f['error'][:160]}")
            out += [""] if block["failures"] else []
    return out


def ask_md(a: dict[str, Any]) -> list[str]:
    keys = ["support_recall", "gold_leads", "answer_precision", "refusal_rate",
            "near_domain_refusal_rate", "false_refusal_rate", "quotes_verbatim"]
    out = ["## Ask", "",
           f"{a['questions']} questions of the ask set; the refusal model is fitted on it, so "
           f"the held-out row ({a['folds']} folds sharing no section) is the one to quote.", ""]
    rows = [[label, *(a[key].get(k) for k in keys)]
            for label, key in (("held out", "cv"), ("shipped, in-sample", "shipped")) if key in a]
    out += table(["model", *keys], rows)
    if a.get("cv_error"):
        out += [f"Not cross-validated: {a['cv_error']}.", ""]
    if (a.get("cv") or {}).get("section_weights"):
        out += [f"Section weight of the evidence: shipped {a.get('section_weight')}, chosen per "
                f"fold {a['cv']['section_weights']}.", ""]
    answered = (a.get("cv") or a["shipped"])["answered_out_of_guide"]
    if answered:
        out += ["Out-of-guide questions answered (held out): "
                + "; ".join(f"\"{q}\"" for q in answered), ""]
    words = a.get("guide_words")
    if words and words["questions"]:
        out += [f"Out-of-guide questions named only by the guide's own words (never fitted on): "
                f"{words['refused']} of {words['questions']} refused by the shipped model. "
                "Offline, the refusal cannot tell them from the guide's own questions in other "
                "words.", ""]
    blind = a.get("blind")
    if blind and blind["in_guide"] + blind["out_of_guide"]:
        out += [f"Questions written blind by others (never fitted on), shipped model: support "
                f"recall {blind['support_recall']}, false refusals {blind['false_refusals']} of "
                f"{blind['in_guide']}, out-of-guide refused {blind['refusal_rate']} of "
                f"{blind['out_of_guide']}.", ""]
    return out


def comparison_md(c: dict[str, Any] | None) -> list[str]:
    if not c:
        return ["## Compared with the previous report", "", "No previous report.", ""]
    out = ["## Compared with the previous report", "",
           f"Previous: {c['previous']} ({c.get('previous_created')}); "
           f"{c.get('better', 0)} better, {c.get('worse', 0)} worse"
           + ("" if c.get("comparable", True) else " (different --limit or --llm: "
              "not like for like)") + ".", ""]
    changed = [m for m in c["metrics"] if m["change"] != "same"]
    if changed:
        out += table(["metric", "previous", "current", "delta", "change"],
                     [[m["metric"], m["previous"], m["current"], m["delta"], m["change"]]
                      for m in changed])
    return out


def render_markdown(report: dict[str, Any]) -> str:
    meta = report["meta"]
    out = ["# tutor evaluation report", "",
           f"Created {meta['created']} in {meta['seconds']:.1f}s; suites: "
           f"{', '.join(meta['suites'])}; LLM: {meta['llm'] or 'off'}; "
           f"limit: {meta['limit'] or 'none'}.", ""]
    if "retrieval" in report:
        out += retrieval_md(report["retrieval"])
    if "grading" in report:
        out += grading_md(report["grading"])
    if "ragas" in report:
        out += ragas_md(report["ragas"])
    if "ask" in report:
        out += ask_md(report["ask"])
    out += comparison_md(report.get("comparison"))
    if report.get("plots"):
        out += ["## Plots", ""] + [f"![{p}]({p})" for p in report["plots"]] + [""]
    for note in report.get("notes", []):
        out.append(f"> {note}")
    return "\n".join(out) + "\n"


def render_summary(report: dict[str, Any]) -> str:
    """A few lines for the terminal: the headline numbers and where the report is."""
    h = report["headline"]
    lines = []
    if "retrieval" in report:
        lines += [f"retrieval {m:6s} " + "  ".join(f"{k}={fmt(h.get(f'retrieval.{m}.{k}'))}"
                                                  for k in ("hit@1", "hit@5", "mrr", "ndcg@5"))
                  for m in report["retrieval"]["methods"]]
    if "grading" in report:
        lines.append("grading (CV)     " + "  ".join(
            f"{k}={fmt(h.get(f'grading.cv.{k}'))}"
            for k in ("pearson", "spearman", "rmse", "within1")))
        for grader, block in report["grading"]["gaming"].items():
            lines.append(f"gaming {grader:9s} max={fmt(block['max'])}  "
                         f"exceeded={block['exceeded']}/{block['graded']}  attack gain max="
                         f"{fmt(block.get('attack_gain', {}).get('max'))}")
    if "ragas" in report:
        r = report["ragas"]
        lines.append(f"feedback citations verbatim {fmt(r['feedback_groundedness']['share'])}")
        lines.append(f"answer citations verbatim {fmt(r['groundedness']['share'])}  "
                     f"out-of-guide refusal {fmt(r['out_of_guide']['refusal_rate'])}")
        if (r.get("llm") or {}).get("error"):
            lines.append(f"ragas LLM metrics not run: {r['llm']['error']}")
        for suite in ("offline", "llm"):
            for name, m in (r.get(suite) or {}).get("metrics", {}).items():
                lines.append(f"ragas {name:22s} {fmt(m['mean'])}"
                             + (f"  ({m['failed']} failed)" if m["failed"] else ""))
    if "ask" in report:
        a = report["ask"].get("cv") or report["ask"]["shipped"]
        lines.append(("ask (held out)   " if "cv" in report["ask"] else "ask (in-sample)  ")
                     + "  ".join(f"{k}={fmt(a.get(k))}" for k in (
                         "support_recall", "answer_precision", "refusal_rate",
                         "false_refusal_rate")))
    c = report.get("comparison")
    if c and c.get("metrics") is not None and "error" not in c:
        lines.append(f"vs previous: {c['better']} better, {c['worse']} worse"
                     + ("" if c["comparable"] else " (not like for like)"))
    lines += report.get("notes", [])
    lines.append(f"report: {report['files']['markdown']}")
    return "\n".join(lines)
