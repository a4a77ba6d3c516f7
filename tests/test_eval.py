"""`tutor eval`: metric arithmetic, a smoke run of every suite on a tiny slice with real ragas,
and the --llm path against the local LLM server."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from tutor.eval.agreement import agreement, pairwise_order
from tutor.eval.context import limited
from tutor.eval.report import compare
from tutor.eval.retrieval_eval import score_ranking, section_ranking

from tutor.cli.main import cli
from tutor.core.settings import Settings

LIMIT = 4
HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None


@pytest.fixture(scope="module", autouse=True)
def ragas_home(tmp_path_factory: pytest.TempPathFactory):
    """ragas writes an id file under XDG_DATA_HOME whenever it builds a usage event, tracking
    or not: keep it out of the user's home."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg")))
        yield


def clean_env(data_dir: Path) -> dict[str, str | None]:
    """The CLI's environment: our data directory and no user LLM configuration."""
    env: dict[str, str | None] = {k: None for k in os.environ
                                  if k.startswith(("TUTOR_", "OPENAI_"))}
    env["TUTOR_DATA_DIR"] = str(data_dir)
    return env


def run_cli(args: list[str], data_dir: Path):
    return CliRunner().invoke(cli, args, env=clean_env(data_dir), catch_exceptions=False)


# --- the arithmetic -------------------------------------------------------------------------

def test_section_metrics_dedupe_by_section_and_rank():
    sections = {"c1": "A", "c2": "A", "c3": "B", "c4": "C"}
    ranking = section_ranking(["c1", "c2", "c3", "c4"], sections.get)
    assert ranking == ["A", "B", "C"]
    scores = score_ranking(ranking, {"B"})
    assert scores["hit@1"] == 0.0 and scores["hit@3"] == 1.0 and scores["mrr"] == 0.5
    assert scores["ndcg@5"] == pytest.approx(1 / __import__("math").log2(3))
    assert score_ranking(ranking, {"Z"}) == {"hit@1": 0.0, "hit@3": 0.0, "hit@5": 0.0,
                                             "mrr": 0.0, "ndcg@5": 0.0}


def test_agreement_and_ordering():
    a = agreement([0, 2, 4, 5], [0, 1, 4, 5])
    assert a["within1"] == 1.0 and a["rmse"] == pytest.approx(0.5) and a["spearman"] == 1.0
    assert agreement([1, 1, 1], [0, 2, 4])["pearson"] is None  # undefined, not NaN
    # q1 ordered right, q2 reversed: one of two pairs
    assert pairwise_order(["q1", "q1", "q2", "q2"], [1, 3, 3, 1], [0, 5, 0, 5]) == 0.5


def test_comparison_knows_which_way_is_better():
    rows = {r["metric"]: r["change"] for r in compare(
        {"retrieval.hybrid.mrr": 0.9, "grading.cv.rmse": 1.2, "gaming.embedded.gaming_max": 2.0},
        {"retrieval.hybrid.mrr": 0.8, "grading.cv.rmse": 1.0, "gaming.embedded.gaming_max": 2.0})}
    assert rows == {"retrieval.hybrid.mrr": "better", "grading.cv.rmse": "worse",
                    "gaming.embedded.gaming_max": "same"}


def test_limit_spreads_over_the_data():
    assert limited(list(range(10)), 3) == [0, 3, 6]
    assert limited([1, 2], 5) == [1, 2]


# --- a smoke run of every suite ---------------------------------------------------------------

@pytest.fixture(scope="module")
def smoke(indexed_settings: Settings, tmp_path_factory: pytest.TempPathFactory):
    """One offline `tutor eval --suite all` on a tiny slice, with a user CSV of graded answers."""
    work = tmp_path_factory.mktemp("eval")
    csv = work / "mine.csv"
    csv.write_text("question,answer,score\n"
                   "What is LoRA and QLoRA?,LoRA adds small low-rank matrices to frozen "
                   "weights; QLoRA also quantises the base model to 4 bits.,4\n"
                   "What is LoRA and QLoRA?,I don't know,0\n"
                   "What is a vector database?,It stores embeddings and finds the nearest "
                   "ones to a query vector.,3\n", encoding="utf-8")
    out = work / "reports" / "first"
    result = run_cli(["eval", "--suite", "all", "--limit", str(LIMIT), "--out", str(out),
                      "--grading-data", str(csv), "--json"], indexed_settings.data_dir)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), out, indexed_settings.data_dir


def test_smoke_writes_report_files_and_plots(smoke):
    report, out, _ = smoke
    assert json.loads((out / "report.json").read_text())["headline"] == report["headline"]
    md = (out / "report.md").read_text()
    assert "## Retrieval" in md and "## Grading" in md and "## RAGAS" in md
    if HAS_MATPLOTLIB:
        assert set(report["plots"]) == {"retrieval_hits.png", "calibration.png",
                                        "grading_error.png"}
        for name in report["plots"]:
            assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert report["plots"] == [] and "matplotlib" in report["notes"][0]
    assert report["meta"]["limit"] == LIMIT and report["comparison"] is None


def test_smoke_retrieval_metrics(smoke):
    retrieval = smoke[0]["retrieval"]
    assert retrieval["queries"] == LIMIT
    assert set(retrieval["methods"]) == {"dense", "bm25", "hybrid"}
    for scores in retrieval["methods"].values():
        assert set(scores) == {"hit@1", "hit@3", "hit@5", "mrr", "ndcg@5"}
        assert all(0.0 <= v <= 1.0 for v in scores.values())
        assert scores["hit@1"] <= scores["hit@3"] <= scores["hit@5"]
    assert retrieval["methods"]["hybrid"]["hit@5"] >= 0.5


def test_smoke_grading_metrics(smoke):
    grading = smoke[0]["grading"]
    bundled = grading["bundled"]
    assert bundled["answers"] == LIMIT and bundled["folds"] >= 2
    cv = bundled["cv"]
    assert cv["rmse"] >= 0 and 0.0 <= cv["within1"] <= 1.0
    assert cv["pearson"] is None or -1.0 <= cv["pearson"] <= 1.0
    assert sum(n for row in cv["confusion"].values() for n in row.values()) == LIMIT
    assert all(0.0 <= s["predicted"] <= 5.0 for s in bundled["samples"])
    reference = grading["reference"]  # the references themselves are not graded
    assert reference["answers"] < LIMIT
    mine = grading["user_data"]["mine.csv"]
    assert mine["answers"] == 3 and mine["graded"] == 3 and mine["errors"] == []
    assert {s["predicted"] for s in mine["samples"]} and mine["samples"][1]["predicted"] == 0.0
    gaming = grading["gaming"]["embedded"]
    assert gaming["graded"] == LIMIT and 0.0 <= gaming["max"] <= 5.0
    assert sum(a["n"] for a in gaming["attacks"].values()) == LIMIT
    assert gaming["exceeded"] == len(gaming["exceeding"])
    external = grading["external_blind"]  # graded against its references, never fitted on
    assert external["answers"] == external["zero_shot"]["n"] == LIMIT
    for block in (bundled, external):  # statuses agree with scores on the rows graded
        shown = block["shown_points"]
        assert shown["graded"] == LIMIT and shown["scored_without_a_point"] == 0
        assert 0 <= shown["off_topic_showing_a_point"] <= shown["off_topic"]
    assert "grading.bundled.scored_without_a_point" in smoke[0]["headline"]
    blind = grading["gaming"]["embedded_blind"]  # the set written blind, reported apart
    assert blind["graded"] == LIMIT and blind["exceeded"] == len(blind["exceeding"])


def test_smoke_ask_metrics_share_the_report(smoke):
    report, out, _ = smoke
    ask = report["ask"]
    assert ask["questions"] == 2 * LIMIT and "cv_error" in ask  # a slice is too small for folds
    words = ask["guide_words"]  # out-of-guide questions in the guide's words, reported apart
    assert words["questions"] == LIMIT and words["refused"] + len(words["answered"]) == LIMIT
    blind = ask["blind"]  # questions written blind by others, reported apart
    assert blind["in_guide"] == blind["out_of_guide"] == LIMIT
    assert blind["false_refusals"] == round(blind["false_refusal_rate"] * LIMIT)
    assert 0.0 <= blind["support_recall"] <= 1.0 - blind["false_refusal_rate"]
    assert len(blind["answered_out_of_guide"]) == round((1 - blind["refusal_rate"]) * LIMIT)
    for key in ("support_recall", "answer_precision", "refusal_rate", "false_refusal_rate"):
        assert f"ask.shipped.{key}" in report["headline"]
    assert "## Ask" in (out / "report.md").read_text()


def test_smoke_ragas_metrics(smoke):
    ragas = smoke[0]["ragas"]
    feedback = ragas["feedback_groundedness"]
    assert feedback["citations"] > 0 and feedback["share"] == 1.0, feedback["violations"]
    assert ragas["groundedness"]["share"] == 1.0, ragas["groundedness"]["violations"]
    assert ragas["answers"]["answered"] == LIMIT
    offline = ragas["offline"]
    assert set(offline["metrics"]) == {"context_precision", "context_recall", "rouge_l",
                                       "semantic_similarity"}
    for name, m in offline["metrics"].items():
        assert m["failed"] == 0 and m["scored"] == LIMIT, offline["failures"]
        assert (-1.0 if name == "semantic_similarity" else 0.0) <= m["mean"] <= 1.0
    assert 0.0 <= ragas["out_of_guide"]["refusal_rate"] <= 1.0


def test_second_run_is_compared_with_the_first(smoke):
    _, first, data_dir = smoke
    second = first.parent / "second"
    result = run_cli(["eval", "--suite", "retrieval", "--limit", str(LIMIT), "--out",
                      str(second)], data_dir)
    assert result.exit_code == 0, result.output
    assert "vs previous: 0 better, 0 worse" in result.stdout
    comparison = json.loads((second / "report.json").read_text())["comparison"]
    assert Path(comparison["previous"]) == (first / "report.json").resolve()
    assert comparison["comparable"] and comparison["metrics"]
    assert {m["change"] for m in comparison["metrics"]} == {"same"}


def test_missing_ragas_names_the_module_and_the_extra(monkeypatch: pytest.MonkeyPatch):
    import sys

    from tutor.eval.ragas_eval import require_ragas

    from tutor.core.errors import TutorError

    monkeypatch.setitem(sys.modules, "ragas", None)  # as if it were not installed
    with pytest.raises(TutorError, match=r"needs ragas.*pip install 'tutor\[eval\]'") as err:
        require_ragas()
    assert isinstance(err.value.__cause__, ImportError)


def test_llm_flag_without_endpoint_is_one_line(tmp_path: Path):
    result = run_cli(["eval", "--llm", "--suite", "retrieval"], tmp_path / "d")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: `tutor eval --llm` needs an endpoint")


def test_bad_grading_data_fails_before_any_work(tmp_path: Path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "What is RAG?", "answer": "retrieval"}\n')
    result = run_cli(["eval", "--suite", "grading", "--grading-data", str(bad)], tmp_path / "d")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {bad} row 1: needs question, answer, score ('score')"
    assert not (tmp_path / "d" / "index").exists()  # nothing was built or graded


# --- the LLM path -------------------------------------------------------------------------------

@pytest.mark.llm
def test_llm_path_completes_and_counts_failures(llm_server, indexed_settings: Settings,
                                                tmp_path: Path):
    """A 135M model fails most judgements; every failure must be counted and named."""
    from tutor.eval.runner import run_eval

    settings = Settings(data_dir=indexed_settings.data_dir, llm_base_url=llm_server.base_url,
                        llm_model=llm_server.model, llm_timeout=5, llm_retries=0,
                        llm_max_tokens=64)
    report = run_eval(settings, suite="all", use_llm=True, out_dir=tmp_path / "r", limit=1)
    assert (tmp_path / "r" / "report.json").exists()
    assert report["meta"]["llm"] == llm_server.model
    for block in (report["grading"]["llm"], report["grading"]["gaming"]["llm"]):
        assert block["graded"] + len(block["errors"]) == block["answers"] == 1
        assert 0 <= block["fallbacks"] <= block["graded"]
    llm = report["ragas"]["llm"]
    assert llm["samples"] == 1 and llm["model"] == llm_server.model
    assert set(llm["metrics"]) == {"faithfulness", "response_relevancy",
                                   "llm_context_precision", "llm_context_recall"}
    for name, m in llm["metrics"].items():
        assert m["scored"] + m["failed"] == 1
        failures = [f for f in llm["failures"] if f["metric"] == name]
        assert len(failures) == m["failed"] and all(f["error"] for f in failures)
        assert m["mean"] is None if m["failed"] else 0.0 <= m["mean"] <= 1.0


# One reply for every prompt: the keys each ragas metric parses (extra keys are ignored), except
# that faithfulness's second step wants `statements` as objects, so faithfulness must fail.
SCRIPTED_JUDGE = {
    "statements": ["LoRA trains small low-rank matrices."],
    "reason": "stated in the context", "verdict": 1,
    "question": "What is LoRA and QLoRA?", "noncommittal": 0,
    "classifications": [{"statement": "LoRA trains small matrices.", "reason": "in context",
                         "attributed": 1}],
}


def test_ragas_llm_metrics_score_what_parses_and_name_what_fails(
        misbehaving_server, indexed_settings: Settings, tmp_path: Path):
    from tutor.eval.runner import run_eval

    misbehaving_server.set("payload", payload=SCRIPTED_JUDGE)
    settings = Settings(data_dir=indexed_settings.data_dir, llm_base_url=misbehaving_server.url,
                        llm_model="misbehaving-model", llm_timeout=10, llm_retries=0)
    report = run_eval(settings, suite="ragas", use_llm=True, out_dir=tmp_path / "r", limit=1)
    llm = report["ragas"]["llm"]
    metrics = llm["metrics"]
    assert metrics["faithfulness"] == {"mean": None, "scored": 0, "failed": 1}
    (failure,) = llm["failures"]
    assert failure["metric"] == "faithfulness" and "Parser" in failure["error"]
    assert metrics["llm_context_precision"]["mean"] == pytest.approx(1.0)
    assert metrics["llm_context_recall"]["mean"] == pytest.approx(1.0)
    assert 0.0 < metrics["response_relevancy"]["mean"] <= 1.0
    md = (tmp_path / "r" / "report.md").read_text()
    assert "failed: " in md and "faithfulness" in md
