"""Learner profiles on the command line: --profile, TUTOR_PROFILE, report, resume, export,
delete."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_store import make_grade
from tutor.cli.main import cli
from tutor.storage.store import Store


@pytest.fixture
def cohort(indexed_settings, tmp_path, monkeypatch, kb) -> dict[str, list[str]]:
    """Alice (a finished and an unfinished session) and Bob (one unfinished) in one database."""
    monkeypatch.setenv("TUTOR_DATA_DIR", str(indexed_settings.data_dir))
    monkeypatch.setenv("TUTOR_DB_PATH", str(tmp_path / "tutor.db"))
    cards = [c for c in kb.cards if c.key_points][:3]
    sessions: dict[str, list[str]] = {"alice": [], "bob": []}
    with Store(tmp_path / "tutor.db", "alice") as store:
        for name, count in (("alice", 2), ("bob", 1)):
            learner = store.for_profile(name)
            for n in range(count):
                plan = [c.id for c in cards]
                sid = learner.create_session({"questions": 3}, plan)
                learner.record_turn(sid, 0, cards[0].id, cards[0].question, "main",
                                    f"{name}'s answer {n}", make_grade(2.0, cards[0].id), 5.0,
                                    topic=cards[0].topic, schedule=True)
                sessions[name].append(sid)
            if name == "alice":
                learner.finish_session(sessions["alice"][0])
    return sessions


def run(*args: str, input: str | None = None, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), input=input, env=env)


def test_profiles_lists_every_learner(cohort):
    result = run("profiles", "--json")
    assert result.exit_code == 0, result.output
    listed = {p["name"]: (p["sessions"], p["answers"]) for p in json.loads(result.output)}
    assert listed == {"alice": (2, 2), "bob": (1, 1)}
    text = run("profiles").output
    assert "alice" in text and "bob" in text and "2 session(s)" in text


def test_report_shows_only_the_chosen_profile(cohort):
    alice = json.loads(run("report", "--profile", "alice", "--json").output)
    assert alice["session_id"] == cohort["alice"][1] and alice["profile"] == "alice"
    bob = json.loads(run("report", "--json", env={"TUTOR_PROFILE": "bob"}).output)
    assert bob["session_id"] == cohort["bob"][0]
    review = bob["next_reviews"][0]  # a poor answer comes back within hours ("tomorrow" when
    # the test runs just before midnight: the day boundary is the calendar's)
    assert datetime.fromisoformat(review["due"]) - datetime.now(UTC) < timedelta(hours=12)
    assert review["when"] in ("now", "later today", "tomorrow")
    text = run("report", "--profile", "bob").output
    assert "Interview report — bob" in text and "Next reviews:" in text
    denied = run("report", cohort["alice"][0], "--profile", "bob")
    assert denied.exit_code == 1 and "No session" in denied.output
    nobody = run("report", "--profile", "carol")
    assert nobody.exit_code == 1 and "tutor interview --profile carol" in nobody.output


def test_resume_continues_the_profile_s_own_session(cohort):
    result = run("interview", "--resume", "--profile", "bob", "--json", input="quit\n")
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert events[-1] == {"event": "paused", "session": cohort["bob"][0]}
    alice = run("interview", "--resume", "--profile", "alice", "--json", input="quit\n")
    assert json.loads(alice.output.splitlines()[-1])["session"] == cohort["alice"][1]


def test_export_then_delete(cohort, tmp_path: Path):
    out = tmp_path / "alice.json"
    result = run("profile", "export", "alice", "-o", str(out))
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["profile"] == "alice"
    assert [s["id"] for s in data["sessions"]] == cohort["alice"]
    assert [t["answer"] for s in data["sessions"] for t in s["turns"]] == [
        "alice's answer 0", "alice's answer 1"]
    assert "bob's answer" not in out.read_text(encoding="utf-8")
    assert json.loads(run("profile", "export", "bob").output)["profile"] == "bob"

    kept = run("profile", "delete", "alice", input="n\n")
    assert kept.exit_code == 1 and "Nothing deleted" in kept.output
    deleted = run("profile", "delete", "alice", "--yes")
    assert deleted.exit_code == 0 and "2 session(s), 2 answer(s)" in deleted.output
    assert [p["name"] for p in json.loads(run("profiles", "--json").output)] == ["bob"]
    missing = run("profile", "export", "alice")
    assert missing.exit_code == 1 and "No profile 'alice'" in missing.output
    assert json.loads(run("report", "--profile", "bob", "--json").output)["session_id"] \
        == cohort["bob"][0]


def test_invalid_profile_name_is_a_usage_error(cohort):
    result = run("report", "--profile", "../etc")
    assert result.exit_code == 2 and "--profile" in result.output
    bad_env = run("report", env={"TUTOR_PROFILE": "a;b"})
    assert bad_env.exit_code == 1 and "Invalid setting profile" in bad_env.output
