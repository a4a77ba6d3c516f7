"""Several guides in one index, `tutor ingest --dry-run`, `tutor guides`, `--remove`, and
interviews that respect difficulty and skip questions without an answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tutor.cli.main import cli
from tutor.core.errors import InputError
from tutor.core.settings import Settings
from tutor.index.build import ingest_paths, list_guides, remove_guides
from tutor.index.knowledge import KnowledgeBase
from tutor.interview.planning import InterviewConfig, eligible_cards, plan_questions

GUIDES = Path(__file__).parent / "data" / "guides"
BOLD, QA = GUIDES / "bold_questions.md", GUIDES / "qa_plain.txt"


def run(args: list[str]):
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def test_dry_run_shows_structure_and_touches_nothing(isolated_env: Path):
    result = run(["ingest", "--dry-run", str(BOLD)])
    assert result.exit_code == 0, result.output
    assert "19 cards (2 without an answer), 5 topics" in result.output
    assert "What is linear regression?" in result.output
    assert "legend" in result.output and "table of contents" in result.output
    assert not (isolated_env / "index").exists() and not isolated_env.exists()

    data = json.loads(run(["ingest", "--dry-run", "--json", str(BOLD)]).stdout)
    first = data["cards"][0]
    assert first == {"line": 18, "card_id": "what-is-linear-regression",
                     "question": "What is linear regression?",
                     "heading": "What is linear regression?", "kind": "concept",
                     "topic": "Linear regression", "difficulty": "easy", "points": first["points"],
                     "no_reference": False}
    assert first["points"] >= 1
    assert data["topics"][0] == "Linear regression"
    assert {"line": 14, "reason": "legend",
            "text": "Difficulty: 👶 easy ⭐️ medium 🚀 hard"} in data["dropped"]


def test_dry_run_of_a_bad_file_is_one_error_line(tmp_path: Path):
    bad = tmp_path / "empty.md"
    bad.write_text("")
    result = CliRunner().invoke(cli, ["ingest", "--dry-run", str(bad)])
    assert result.exit_code == 1 and "empty" in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_several_guides_list_and_remove(tmp_path: Path):
    settings = Settings(data_dir=tmp_path / "d")
    ingest_paths([BOLD], settings)
    added = ingest_paths([QA], settings)
    assert added.files_new == [str(QA.resolve())] and added.embedded < added.chunks
    kb = KnowledgeBase.load(settings.index_dir)
    assert {c.source for c in kb.cards} == {str(BOLD.resolve()), str(QA.resolve())}
    guides = {g.name: g for g in list_guides(kb)}
    assert (guides["bold_questions.md"].cards, guides["bold_questions.md"].no_reference) == (19, 2)
    assert guides["qa_plain.txt"].cards == 14 and "EMBEDDINGS" in guides["qa_plain.txt"].topics

    removed = remove_guides(["bold_questions"], settings)
    assert removed.files_removed == [str(BOLD.resolve())] and removed.embedded == 0
    kb = KnowledgeBase.load(settings.index_dir)
    assert len(kb.cards) == 14 and set(kb.files) == {str(QA.resolve())}
    with pytest.raises(InputError, match="No guide 'nope'.*qa_plain.txt"):
        remove_guides(["nope"], settings)
    with pytest.raises(InputError, match="empty"):
        remove_guides(["qa_plain.txt"], settings)


def test_cli_guides_and_remove(isolated_env: Path):
    assert run(["ingest", str(BOLD), str(QA), "--json"]).exit_code == 0
    listed = json.loads(run(["guides", "--json"]).stdout)
    assert [(g["name"], g["cards"]) for g in listed] == [("bold_questions.md", 19),
                                                          ("qa_plain.txt", 14)]
    text = run(["guides"]).output
    assert "bold_questions.md" in text and "2 without an answer" in text
    out = run(["ingest", "--remove", "qa_plain.txt"])
    assert out.exit_code == 0 and "Removed qa_plain.txt: 19 cards" in out.output
    assert [g["name"] for g in json.loads(run(["guides", "--json"]).stdout)] == [
        "bold_questions.md"]
    easy = json.loads(run(["cards", "--difficulty", "easy", "--json"]).stdout)
    assert easy and all(c["difficulty"] == "easy" for c in easy)


def test_interviews_filter_by_difficulty_and_skip_unanswered(tmp_path: Path):
    settings = Settings(data_dir=tmp_path / "d")
    ingest_paths([BOLD], settings)
    kb = KnowledgeBase.load(settings.index_dir)
    everything = eligible_cards(kb, InterviewConfig())
    assert len(everything) == 17 and not any(c.no_reference for c in everything)
    plan = plan_questions(kb, InterviewConfig(questions=3, difficulty=["hard"], seed=1), [], [],
                          set())
    assert len(plan) == 3 and {kb.card(c).difficulty for c in plan} == {"hard"}
    with pytest.raises(InputError, match="this guide has: easy, hard, medium"):
        eligible_cards(kb, InterviewConfig(difficulty=["expert"]))
    assert InterviewConfig.from_dict(InterviewConfig(difficulty=["easy"]).to_dict()).difficulty \
        == ["easy"]


def long_guide(lines: int) -> str:
    """A markdown guide of about `lines` lines: topics, bold questions, answers with lists."""
    out: list[str] = ["# Generated interview guide", ""]
    n = 0
    while len(out) < lines:
        if n % 10 == 0:
            out += [f"## Topic {n // 10 + 1}", ""]
        out += [f"**What is concept number {n} and why does it matter? ⭐️**", "",
                f"Concept {n} describes how a model of kind {n} maps inputs to outputs under "
                "constraint number {n}; it matters because it changes latency and accuracy.",
                f"- First property of concept {n}: it is stable under retraining.",
                f"- Second property of concept {n}: it scales with data size.", ""]
        n += 1
    return "\n".join(out[:lines]) + "\n"


def test_a_2000_line_guide_ingests_every_question(tmp_path: Path):
    """Its speed is measured by benchmarks/ingest.py, not here."""
    guide = tmp_path / "long.md"
    guide.write_text(long_guide(2000), encoding="utf-8")
    summary = ingest_paths([guide], Settings(data_dir=tmp_path / "d"))
    assert summary.cards >= 300 and summary.warnings == []
