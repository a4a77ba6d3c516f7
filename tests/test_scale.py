"""A teacher's scale: graded examples put the grader's scores on the teacher's levels."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.cli.main import cli
from tutor.grading.scale import MIN_PER_QUESTION, ScaleMapping, fit_curve

Q = "What is LoRA and QLoRA?"
ANSWERS = ["LoRA freezes the base weights and trains small low-rank matrices; QLoRA also "
           "quantizes the frozen base model to 4-bit.",
           "LoRA trains small low-rank matrices.",
           "It is a fine-tuning method.",
           "LoRA freezes the pretrained weights and learns low-rank update matrices in the "
           "attention layers. QLoRA stores the frozen base in 4-bit and trains LoRA adapters on "
           "top, so a big model fits on one GPU."]


def run(args, env):
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


@pytest.fixture
def env(indexed_settings, tmp_path: Path) -> dict[str, str]:
    data_dir = tmp_path / "data"
    shutil.copytree(indexed_settings.data_dir, data_dir, ignore=shutil.ignore_patterns("scale*"))
    return {"TUTOR_DATA_DIR": str(data_dir)}


@settings(deadline=None)
@given(st.lists(st.tuples(st.floats(0, 5), st.floats(0, 5)), min_size=1, max_size=30),
       st.floats(0, 5), st.floats(0, 5))
def test_a_curve_never_reorders_scores(pairs, a, b):
    curve = fit_curve([x for x, _ in pairs], [y for _, y in pairs])
    lo, hi = sorted((a, b))
    assert curve(lo) <= curve(hi) + 1e-9
    assert 0.0 <= curve(lo) <= 5.0


def test_a_centered_curve_rises_through_pooled_examples_instead_of_tying_them():
    """Isotonic regression pools 3 then 2 (both become 2.5); the centered curve puts one knot
    at their mean raw score, so raw scores 1.5 and 2.0 still map apart."""
    curve = fit_curve([1.0, 2.0, 3.0], [3.0, 2.0, 4.0])
    assert curve.xs == (1.5, 3.0) and curve.ys == (2.5, 4.0)
    assert curve(1.5) < curve(2.0) < curve(3.0)


def test_per_question_curve_needs_enough_examples_and_is_shrunk_to_the_global_one():
    rows = [("many", x, 5.0) for x in np.linspace(0, 5, MIN_PER_QUESTION)]
    rows += [("few", 1.0, 0.0), ("few", 4.0, 1.0)]
    mapping = ScaleMapping.fit_keyed(rows)
    assert set(mapping.per_question) == {"many"}
    assert mapping.map_score("few", 2.5) == mapping.global_curve(2.5)
    assert mapping.global_curve(2.5) < mapping.map_score("many", 2.5) < 5.0


def test_grade_with_examples_uses_the_teachers_scale(env, tmp_path: Path):
    examples = tmp_path / "examples.jsonl"
    # a harsh teacher: nothing above 2
    examples.write_text("".join(json.dumps({"question": Q, "answer": a, "score": s}) + "\n"
                                for a, s in zip(ANSWERS, [2, 1, 0, 2])))
    plain = json.loads(run(["grade", "-q", Q, "-a", ANSWERS[0], "--json"], env).stdout)
    scaled = run(["grade", "-q", Q, "-a", ANSWERS[0], "--examples", str(examples), "--json"], env)
    assert scaled.exit_code == 0, scaled.output
    grade = json.loads(scaled.stdout)
    assert grade["score"] <= 2.0 < plain["score"]
    assert grade["breakdown"]["raw_score"] == plain["score"]
    assert "fitted on 4 examples" in grade["breakdown"]["scale"]


def test_calibrate_stores_a_scale_that_later_grades_use(env, tmp_path: Path):
    examples = tmp_path / "examples.jsonl"
    examples.write_text("".join(json.dumps({"question": Q, "answer": a, "score": s}) + "\n"
                                for a, s in zip(ANSWERS, [2, 1, 0, 2])))
    stored = run(["calibrate", "--examples", str(examples)], env)
    assert stored.exit_code == 0, stored.output
    assert (Path(env["TUTOR_DATA_DIR"]) / "scale.json").exists()
    grade = json.loads(run(["grade", "-q", Q, "-a", ANSWERS[0], "--json"], env).stdout)
    assert grade["score"] <= 2.0 and "scale" in grade["breakdown"]
    assert run(["calibrate", "--reset"], env).exit_code == 0
    grade = json.loads(run(["grade", "-q", Q, "-a", ANSWERS[0], "--json"], env).stdout)
    assert "scale" not in grade["breakdown"]


def test_bad_examples_are_one_clear_line(env, tmp_path: Path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "q", "answer": "a"}\n')
    result = CliRunner().invoke(cli, ["calibrate", "--examples", str(bad)], env=env)
    assert result.exit_code == 1
    assert "needs question, answer and score" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
