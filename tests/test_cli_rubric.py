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
