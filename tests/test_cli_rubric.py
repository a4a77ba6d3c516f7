"""`tutor rubric export | import` end to end: an edited rubric changes how answers are graded."""

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from tutor.cli.main import cli

CARD = "what-is-a-vector-database"
ANSWER = "It stores embeddings and finds similar vectors with approximate nearest neighbour search."


def run(args, env):
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


@pytest.fixture
def env(indexed_settings, tmp_path: Path) -> dict[str, str]:
    """A private copy of the indexed data directory: imports must not leak into other tests."""
    data_dir = tmp_path / "indexed-copy"
    shutil.copytree(indexed_settings.data_dir, data_dir,
                    ignore=shutil.ignore_patterns("rubrics"))
    return {"TUTOR_DATA_DIR": str(data_dir)}


def graded_weights(env: dict[str, str]) -> list[float]:
    result = run(["grade", "--card", CARD, "-a", ANSWER, "--json"], env)
    assert result.exit_code == 0, result.output
    grade = json.loads(result.stdout)
    points = [p for key in ("covered", "partial", "missing", "incorrect") for p in grade[key]]
    return sorted(p["weight"] for p in points)


def test_export_edit_import_changes_the_grade(env, tmp_path: Path):
    exported = run(["rubric", "export", CARD], env)
    assert exported.exit_code == 0, exported.output
    doc = yaml.safe_load(exported.stdout)
    assert len(doc["cards"]) == 1 and doc["cards"][0]["points"]
    before = graded_weights(env)
    assert 4.5 not in before

    doc["cards"][0]["points"][0]["weight"] = 4.5
    edited = tmp_path / "vector-db.yaml"
    edited.write_text(yaml.safe_dump(doc, sort_keys=False))
    imported = run(["rubric", "import", str(edited)], env)
    assert imported.exit_code == 0, imported.output
    n_points = len(doc["cards"][0]["points"])
    assert f"imported 1 card(s), {n_points} point(s)" in imported.stdout
    assert (Path(env["TUTOR_DATA_DIR"]) / "rubrics" / "vector-db.yaml").is_file()

    after = graded_weights(env)
    assert 4.5 in after and len(after) == len(before)
    again = yaml.safe_load(run(["rubric", "export", CARD], env).stdout)  # round trip
    assert again["cards"][0]["points"][0]["weight"] == 4.5


def test_import_with_made_up_quote_fails_and_stores_nothing(env, tmp_path: Path):
    out = tmp_path / "export.yaml"
    assert run(["rubric", "export", CARD, "-o", str(out)], env).exit_code == 0
    doc = yaml.safe_load(out.read_text())
    doc["cards"][0]["points"][0]["quote"] = "Vector databases were invented by pirates in 1642."
    doc["cards"].append({"section": "What is a flux capacitor?",
                         "points": [{"statement": "It flows.", "quote": "It flows."}]})
    out.write_text(yaml.safe_dump(doc, sort_keys=False))

    result = run(["rubric", "import", str(out)], env)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert any("cards.0.points.0: quote not found verbatim" in line and "pirates" in line
               for line in lines)
    assert any("cards.1: no card with heading 'What is a flux capacitor?'" in line
               for line in lines)
    assert lines[-1].startswith("error: 2 problem(s)") and "nothing imported" in lines[-1]
    assert not (Path(env["TUTOR_DATA_DIR"]) / "rubrics").exists()


def test_export_unknown_card_is_one_line(env):
    result = run(["rubric", "export", "no-such-card"], env)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "error: Unknown card id 'no-such-card': list them with `tutor cards`"]


GUIDE = """# Mixing

## What is a crossfade?

## How is a mixing desk laid out?

A fader scales the amplitude of its channel before the master bus sums every channel.
Each channel strip holds gain, equaliser and pan controls above its fader.

## Which meters does a desk show?

1. Peak meter
2. Loudness meter
"""


@pytest.fixture(scope="module")
def small_guide(tmp_path_factory: pytest.TempPathFactory, model_cache: Path) -> dict[str, str]:
    """A made-up guide with a question the guide leaves unanswered, indexed once."""
    root = tmp_path_factory.mktemp("small-guide")
    (root / "mixing.md").write_text(GUIDE, encoding="utf-8")
    env = {"TUTOR_DATA_DIR": str(root / "data"), "TUTOR_CACHE_PATH": str(model_cache)}
    assert run(["ingest", str(root / "mixing.md")], env).exit_code == 0
    return env


def test_export_all_skips_cards_without_points_with_one_notice(small_guide, tmp_path: Path):
    out = tmp_path / "all.yaml"
    result = run(["rubric", "export", "--all", "-o", str(out)], small_guide)
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "what-is-a-crossfade" in notes[0]
    doc = yaml.safe_load(out.read_text())
    sections = [c["section"] for c in doc["cards"]]
    assert "What is a crossfade?" not in sections and len(sections) == 2
    meters = next(c for c in doc["cards"] if c["section"].startswith("Which meters"))
    assert [p["statement"] for p in meters["points"]] == ["Peak meter", "Loudness meter"]
    private = {**small_guide, "TUTOR_DATA_DIR": str(tmp_path / "data-copy")}
    shutil.copytree(small_guide["TUTOR_DATA_DIR"], private["TUTOR_DATA_DIR"])
    imported = run(["rubric", "import", str(out)], private)  # every quote is verbatim
    assert imported.exit_code == 0, imported.output


def test_export_of_only_cards_without_points_is_one_line_error(small_guide):
    result = run(["rubric", "export", "what-is-a-crossfade"], small_guide)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: No rubric points for "
                                                   "what-is-a-crossfade")


def test_grading_a_question_the_guide_leaves_unanswered_says_so(small_guide):
    result = run(["grade", "--card", "what-is-a-crossfade", "-a",
                  "A crossfade blends the end of one track into the next.", "--json"],
                 small_guide)
    assert result.exit_code == 0, result.output
    grade = json.loads(result.stdout)
    assert grade["verdict"] == "ungraded" and grade["score"] == 0
    assert "Solid" not in grade["feedback"] and grade["feedback"].startswith("Not graded")


def test_cards_counts_the_points_of_the_rubric_that_grades(env, tmp_path: Path):
    """`tutor cards` shows the rubric's points, the ones a grade lists, and follows an import."""
    def listed() -> dict:
        result = run(["cards", "--json"], env)
        assert result.exit_code == 0, result.output
        return next(c for c in json.loads(result.stdout) if c["card_id"] == CARD)

    before = listed()
    assert before["rubric_points"] == len(graded_weights(env))
    doc = yaml.safe_load(run(["rubric", "export", CARD], env).stdout)
    doc["cards"][0]["points"] = doc["cards"][0]["points"][:2]
    edited = tmp_path / "two-points.yaml"
    edited.write_text(yaml.safe_dump(doc, sort_keys=False))
    assert run(["rubric", "import", str(edited)], env).exit_code == 0
    after = listed()
    assert after["rubric_points"] == 2 == len(graded_weights(env))
    assert after["essential_points"] <= 2 and after["key_points"] == before["key_points"]
