"""Learner memory: migrations, sessions and turns, reviews, failures, concurrency, kills."""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from fsrs import Rating
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.core.errors import StoreError
from tutor.core.settings import Settings
from tutor.core.types import Citation, Grade, PointResult
from tutor.storage.migrations import SCHEMA_VERSION, migrate, schema_version
from tutor.storage.scheduling import (
    describe_due,
    due_at,
    due_calendar,
    rating_for,
    schedule_review,
)
from tutor.storage.store import Store

REPO = Path(__file__).resolve().parent.parent
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def make_grade(score: float, card_id: str = "rag-basics") -> Grade:
    cite = Citation(
        chunk_id=f"{card_id}#0", section="What is RAG?", quote="RAG retrieves “passages”."
    )
    return Grade(
        score=score,
        verdict="partial" if score < 4 else "good",
        question="What is RAG?",
        section="What is RAG?",
        card_id=card_id,
        covered=[
            PointResult(
                point="retrieval",
                status="covered",
                evidence="it retrieves",
                citation=cite,
                similarity=0.81,
            )
        ],
        missing=[PointResult(point="grounding", status="missing", citation=cite)],
        feedback="Mention grounding.",
        follow_up="How does RAG reduce hallucination?",
        warnings=["LLM unreachable, graded offline"],
    )


@pytest.fixture
def store(isolated_env: Path):
    with Store.from_settings(Settings()) as opened:
        yield opened


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def integrity(path: Path) -> str:
    with raw(path) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


# migrations


def test_fresh_database_is_migrated_in_wal_mode(store: Store, isolated_env: Path) -> None:
    assert store.path == isolated_env / "tutor.db"
    conn = raw(store.path)
    assert schema_version(conn) == SCHEMA_VERSION == 3
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"sessions", "turns", "reviews", "profiles"} <= tables
    columns = {r[1] for r in conn.execute("PRAGMA table_info(turns)")}
    assert {"topic", "grade", "score", "seconds", "kind", "position"} <= columns
    conn.close()


def test_reopen_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "tutor.db"
    with Store(path) as first:
        sid = first.create_session({"questions": 3}, ["a", "b", "c"])
        first.record_turn(sid, 0, "a", "Q?", "main", "answer", make_grade(2.0), 5.0)
    schema = raw(path).execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    for _ in range(2):
        with Store(path) as again:
            assert again.get_session(sid) is not None
            assert len(again.turns(sid)) == 1
    conn = raw(path)
    assert schema_version(conn) == SCHEMA_VERSION
    assert conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == schema
    assert migrate(conn) == SCHEMA_VERSION  # nothing left to apply


def test_upgrade_from_version_1_keeps_turns(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = raw(path)
    assert migrate(conn, target=1) == 1
    conn.execute(
        "INSERT INTO sessions VALUES ('s1', '2025-01-01T00:00:00.000000+00:00', "
        "'2025-01-01T00:00:00.000000+00:00', 'active', '{}', '[\"a\"]')"
    )
    conn.execute(
        "INSERT INTO turns (session_id, position, card_id, question, kind, answer, grade, score,"
        " started_at, graded_at, seconds) VALUES ('s1', 0, 'a', 'Q?', 'main', 'ans', ?, 3.0,"
        " '2025-01-01T00:00:00.000000+00:00', '2025-01-01T00:00:09.000000+00:00', 9.0)",
        (make_grade(3.0).model_dump_json(),),
    )
    conn.close()
    with Store(path) as store:
        (turn,) = store.turns("s1")
    assert turn.topic == "" and turn.grade == make_grade(3.0)
    assert schema_version(raw(path)) == SCHEMA_VERSION


def test_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = raw(path)
    conn.execute("CREATE TABLE future (x)")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreError, match="newer than this tutor.*upgrade tutor"):
        Store(path)
    conn = raw(path)
    assert schema_version(conn) == 99
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["future"]


def old_database(tmp_path: Path) -> Path:
    """A database written by the tutor before profiles (tests/data/store_v2.sql)."""
    path = tmp_path / "v2.db"
    conn = raw(path)
    conn.executescript((REPO / "tests" / "data" / "store_v2.sql").read_text(encoding="utf-8"))
    assert schema_version(conn) == 2
    conn.close()
    return path


def dump(path: Path, sql: str) -> list[tuple]:
    with raw(path) as conn:
        return conn.execute(sql).fetchall()


def test_upgrade_from_version_2_moves_everything_to_the_default_profile(tmp_path: Path) -> None:
    path = old_database(tmp_path)
    sessions = dump(path, "SELECT id, created_at, updated_at, status, config, plan FROM sessions"
                          " ORDER BY id")
    turns = dump(path, "SELECT * FROM turns ORDER BY id")
    reviews = dump(path, "SELECT * FROM reviews ORDER BY card_id")
    with Store(path) as store:
        assert [(p.name, p.sessions, p.turns) for p in store.list_profiles()] == [
            ("default", 2, 4)]
        history = store.score_history()
        assert [h.turns for h in history] == [2, 1]
        assert store.latest_active_session().plan == ["rag"]
        stored = {s.id: s for s in store.list_sessions()}
        assert len(stored) == 2 and {s.profile for s in stored.values()} == {"default"}
        assert sum(len(store.turns(sid)) for sid in stored) == 4
        assert {r.card_id: r.reps for r in store.reviews()} == {"rag": 2, "lora": 1}
        alice = store.for_profile("alice")
        assert alice.list_sessions() == [] and alice.reviews() == []
        assert alice.turns(next(iter(stored))) == [] and alice.score_history() == []
    assert schema_version(raw(path)) == SCHEMA_VERSION
    # nothing lost or changed: the old rows are the new rows, with their profile
    assert dump(path, "SELECT id, created_at, updated_at, status, config, plan FROM sessions"
                      " ORDER BY id") == sessions
    assert dump(path, "SELECT DISTINCT profile FROM sessions") == [("default",)]
    assert dump(path, "SELECT id, session_id, position, card_id, question, kind, answer, grade,"
                      " score, started_at, graded_at, seconds, topic FROM turns"
                      " ORDER BY id") == turns
    assert dump(path, "SELECT card_id, card, due, last_score, reps, updated_at FROM reviews"
                      " WHERE profile = 'default' ORDER BY card_id") == reviews
    assert integrity(path) == "ok"


def test_failed_upgrade_leaves_the_old_database_untouched(tmp_path: Path) -> None:
    path = old_database(tmp_path)
    with raw(path) as conn:  # a table in the way of step 3: the step fails half-way
        conn.execute("CREATE TABLE reviews_v3 (x)")
    before = dump(path, "SELECT * FROM sessions ORDER BY id")
    with pytest.raises(StoreError):
        Store(path)
    assert schema_version(raw(path)) == 2
    assert dump(path, "SELECT * FROM sessions ORDER BY id") == before
    assert "profile" not in {r[1] for r in dump(path, "PRAGMA table_info(sessions)")}


# profiles


def test_profiles_never_see_each_other(tmp_path: Path) -> None:
    with Store(tmp_path / "tutor.db", "alice") as alice:
        bob = alice.for_profile("bob")
        a = alice.create_session({}, ["x"])
        b = bob.create_session({}, ["x"])
        alice.record_turn(a, 0, "x", "Q?", "main", "alice's", make_grade(1.0), 1.0, topic="rag",
                          schedule=True, graded_at=T0)
        bob.record_turn(b, 0, "x", "Q?", "main", "bob's", make_grade(5.0), 1.0, topic="rag",
                        schedule=True, graded_at=T0)
        assert [s.id for s in alice.list_sessions()] == [a]
        assert alice.get_session(b) is None and alice.turns(b) == []
        assert alice.latest_active_session().id == a and bob.latest_active_session().id == b
        assert [t.answer for t in alice.all_turns()] == ["alice's"]
        assert [t.mean_score for t in alice.topic_history()] == [1.0]
        assert [h.mean_score for h in bob.score_history()] == [5.0]
        assert alice.review_state("x").last_score == 1.0
        assert bob.review_state("x").last_score == 5.0
        assert alice.due_cards(T0 + timedelta(days=1)) == ["x"]
        assert bob.due_cards(T0 + timedelta(days=1)) == []
        with pytest.raises(StoreError, match="No session"):
            alice.record_turn(b, 1, "x", "Q?", "main", "sneaky", make_grade(5.0), 1.0)
        with pytest.raises(StoreError, match="No session"):
            alice.finish_session(b)
        assert [(p.name, p.sessions, p.turns) for p in alice.list_profiles()] == [
            ("alice", 1, 1), ("bob", 1, 1)]


def test_export_then_delete_a_profile(tmp_path: Path) -> None:
    with Store(tmp_path / "tutor.db", "alice") as alice:
        bob = alice.for_profile("bob")
        a = alice.create_session({"seed": 1}, ["x", "y"])
        alice.record_turn(a, 0, "x", "Q?", "main", "ans ✓", make_grade(2.0), 4.0, topic="rag",
                          schedule=True)
        b = bob.create_session({}, ["x"])
        bob.record_turn(b, 0, "x", "Q?", "main", "bob", make_grade(3.0), 1.0, schedule=True)
        exported = alice.export()
        assert exported["profile"] == "alice"
        (session,) = exported["sessions"]
        assert session["id"] == a and session["config"] == {"seed": 1}
        (turn,) = session["turns"]
        assert turn["answer"] == "ans ✓" and turn["grade"]["score"] == 2.0
        assert [r["card_id"] for r in exported["reviews"]] == ["x"]
        assert "bob" not in str(exported)
        assert alice.delete_profile("alice") == {"turns": 1, "sessions": 1, "reviews": 1}
        assert alice.list_sessions() == [] and alice.reviews() == []
        assert [p.name for p in alice.list_profiles()] == ["bob"]
        assert len(bob.turns(b)) == 1 and bob.review_state("x") is not None
        with pytest.raises(StoreError, match="No profile 'alice'"):
            alice.delete_profile("alice")
    assert integrity(tmp_path / "tutor.db") == "ok"


@pytest.mark.parametrize("name", ["", " lead", "a/b", "x" * 65, "semi;colon", "new\nline"])
def test_invalid_profile_names_are_refused(tmp_path: Path, name: str) -> None:
    from tutor.core.errors import InputError

    with pytest.raises(InputError, match="Invalid profile name"):
        Store(tmp_path / "tutor.db", name)


def test_settings_choose_the_profile_and_the_database(isolated_env: Path, monkeypatch) -> None:
    monkeypatch.setenv("TUTOR_PROFILE", "carol")
    with Store.from_settings(Settings()) as store:
        assert store.profile == "carol" and store.path == isolated_env / "tutor.db"
    monkeypatch.setenv("TUTOR_DB_URL", f"sqlite:///{isolated_env}/other.db")
    with Store.from_settings(Settings()) as store:
        assert store.path == isolated_env / "other.db"
    monkeypatch.setenv("TUTOR_DB_URL", "mysql://somewhere/db")
    from tutor.core.errors import ConfigError

    with pytest.raises(ConfigError, match="postgresql://"):
        Store.from_settings(Settings())


# sessions and turns


def test_session_and_turns_round_trip(store: Store) -> None:
    config = {"questions": 2, "topics": ["rag", "agents"], "seed": 7, "grader": "embedded"}
    sid = store.create_session(config, ["rag-basics", "agents-101"])
    at = T0 + timedelta(minutes=3)
    first = store.record_turn(
        sid,
        0,
        "rag-basics",
        "What is RAG?",
        "main",
        "It retrieves.",
        make_grade(2.5),
        42.5,
        topic="rag",
        graded_at=at,
    )
    second = store.record_turn(
        sid,
        1,
        "rag-basics",
        "How does RAG ground?",
        "follow_up",
        "Ünïcode ✓ answer",
        make_grade(4.0),
        10.0,
        topic="rag",
    )
    session = store.get_session(sid)
    assert session is not None
    assert (session.status, session.config, session.plan) == (
        "active",
        config,
        ["rag-basics", "agents-101"],
    )
    turns = store.turns(sid)
    assert [t.id for t in turns] == [first, second]
    assert [t.kind for t in turns] == ["main", "follow_up"]
    assert turns[0].grade == make_grade(2.5)
    assert turns[0].grade.citations()[0].quote == "RAG retrieves “passages”."
    assert turns[0].score == 2.5 and turns[0].seconds == 42.5 and turns[0].topic == "rag"
    assert turns[0].graded_at == at and turns[0].started_at == at - timedelta(seconds=42.5)
    assert turns[1].answer == "Ünïcode ✓ answer"
    assert store.get_session("missing") is None


def test_record_turn_refuses_unknown_session_and_duplicate_position(store: Store) -> None:
    sid = store.create_session({}, ["a"])
    store.record_turn(sid, 0, "a", "Q?", "main", "x", make_grade(1.0), 1.0)
    with pytest.raises(StoreError, match="already recorded"):
        store.record_turn(sid, 0, "a", "Q?", "main", "y", make_grade(5.0), 1.0)
    with pytest.raises(StoreError, match="No session"):
        store.record_turn("nope", 0, "a", "Q?", "main", "x", make_grade(1.0), 1.0)
    with pytest.raises(ValueError, match="kind"):
        store.record_turn(sid, 1, "a", "Q?", "bonus", "x", make_grade(1.0), 1.0)  # type: ignore[arg-type]
    assert [t.answer for t in store.turns(sid)] == ["x"]


def test_resume_latest_active_session(store: Store) -> None:
    assert store.latest_active_session() is None
    older = store.create_session({"n": 1}, ["a"])
    newer = store.create_session({"n": 2}, ["b"])
    assert store.latest_active_session().id == newer
    store.record_turn(older, 0, "a", "Q?", "main", "x", make_grade(3.0), 1.0)
    assert store.latest_active_session().id == older  # answering makes it the one to resume
    store.finish_session(older)
    assert store.latest_active_session().id == newer
    store.finish_session(newer, "abandoned")
    assert store.latest_active_session() is None
    assert [s.status for s in store.list_sessions()] == ["abandoned", "finished"]
    assert [s.id for s in store.list_sessions(limit=1)] == [newer]
    with pytest.raises(StoreError, match="No session"):
        store.finish_session("nope")
    with pytest.raises(ValueError, match="status"):
        store.finish_session(newer, "paused")  # type: ignore[arg-type]


def test_score_and_topic_history(store: Store) -> None:
    one = store.create_session({}, ["a", "b"])
    store.record_turn(one, 0, "a", "Q", "main", "x", make_grade(1.0), 1.0, topic="rag")
    store.record_turn(one, 1, "a", "Q", "follow_up", "x", make_grade(5.0), 1.0, topic="rag")
    store.record_turn(one, 2, "b", "Q", "main", "x", make_grade(4.0), 1.0, topic="agents")
    two = store.create_session({}, ["a"])
    store.record_turn(two, 0, "a", "Q", "main", "x", make_grade(3.0), 1.0, topic="rag")
    store.create_session({}, ["c"])  # no turns: not in the history
    history = store.score_history()
    assert [(h.session_id, h.turns, h.mean_score) for h in history] == [
        (one, 2, 2.5),
        (two, 1, 3.0),
    ]
    assert store.score_history(include_follow_ups=True)[0].mean_score == pytest.approx(10 / 3)
    topics = store.topic_history()
    assert [(t.topic, t.turns, t.mean_score) for t in topics] == [
        ("rag", 2, 2.0),
        ("agents", 1, 4.0),
    ]
    assert [t.turns for t in store.topic_history(include_follow_ups=True)] == [3, 1]


# reviews


def test_review_updates_and_due_ordering(store: Store) -> None:
    assert store.review_state("weak") is None and store.due_cards(T0) == []
    for card, score in [("strong", 5.0), ("weak", 0.5), ("middling", 3.5)]:
        state = store.update_review(card, score, T0)
        assert state.reps == 1 and state.last_score == score and state.updated_at == T0
    assert store.due_cards(T0) == []
    assert store.due_cards(T0 + timedelta(minutes=1)) == ["weak"]
    assert store.due_cards(T0 + timedelta(days=60)) == ["weak", "middling", "strong"]
    assert store.due_cards(T0 + timedelta(days=60), limit=2) == ["weak", "middling"]
    before = store.review_state("weak")
    after = store.update_review("weak", 4.0, T0 + timedelta(hours=1))
    assert after.reps == 2 and after.due > before.due and after.card != before.card
    assert after.due == due_at(after.card)
    assert after == store.review_state("weak")


def test_unreadable_review_state_raises_store_error(store: Store) -> None:
    store.update_review("a", 3.0, T0)
    with raw(store.path) as conn:
        conn.execute("UPDATE reviews SET card = '{\"state\": 1}'")
    with pytest.raises(StoreError, match="delete its row"):
        store.update_review("a", 3.0, T0 + timedelta(days=1))
    assert store.review_state("a").reps == 1


def test_record_turn_can_schedule_the_card(store: Store) -> None:
    sid = store.create_session({}, ["a"])
    store.record_turn(
        sid, 0, "a", "Q?", "main", "x", make_grade(0.0), 3.0, graded_at=T0, schedule=True
    )
    store.record_turn(sid, 1, "a", "Q'?", "follow_up", "x", make_grade(5.0), 3.0, graded_at=T0)
    state = store.review_state("a")
    assert state is not None and state.reps == 1 and state.last_score == 0.0
    assert state.due == T0 + timedelta(minutes=1)


CET = timezone(timedelta(hours=1))


@pytest.mark.parametrize(("due", "words"), [
    (datetime(2025, 3, 1, 21, 0, tzinfo=CET), "now"),
    (datetime(2025, 3, 1, 22, 1, tzinfo=CET), "later today"),
    (datetime(2025, 3, 1, 23, 30, tzinfo=UTC), "tomorrow"),  # 00:30 in CET: the next day
    (datetime(2025, 3, 2, 23, 59, tzinfo=CET), "tomorrow"),
    (datetime(2025, 3, 7, 8, 0, tzinfo=CET), "in 6 days"),
    (datetime(2025, 3, 22, 8, 0, tzinfo=CET), "in 3 weeks"),
    (datetime(2025, 6, 1, 8, 0, tzinfo=CET), "in 3 months"),
    (datetime(2026, 3, 1, 8, 0, tzinfo=CET), "in a year"),
])
def test_describe_due_in_plain_words(due: datetime, words: str) -> None:
    assert describe_due(due, datetime(2025, 3, 1, 22, 0, tzinfo=CET)) == words


def test_a_missed_answer_comes_back_later_today_a_good_one_in_days(store: Store) -> None:
    now = T0.astimezone(CET)
    assert describe_due(store.update_review("missed", 1.0, T0).due, now) == "later today"
    assert describe_due(store.update_review("known", 5.0, T0).due, now) == "in 8 days"


def test_due_calendar_counts_cards_per_day() -> None:
    now = datetime(2025, 3, 1, 22, 0, tzinfo=CET)
    dues = [now - timedelta(days=3), now + timedelta(minutes=5), now + timedelta(hours=3),
            now + timedelta(days=2), now + timedelta(days=30)]
    calendar = due_calendar(dues, now, days=4)
    assert [day.isoformat() for day, _ in calendar] == [
        "2025-03-01", "2025-03-02", "2025-03-03", "2025-03-04"]
    assert [n for _, n in calendar] == [2, 1, 1, 0]  # overdue counts today; +30 days is beyond
    with pytest.raises(ValueError, match="time zone"):
        due_calendar(dues, datetime(2025, 3, 1), days=4)


@pytest.mark.parametrize(
    ("score", "rating"),
    [
        (0, Rating.Again),
        (1.49, Rating.Again),
        (1.5, Rating.Hard),
        (2.99, Rating.Hard),
        (3, Rating.Good),
        (4.49, Rating.Good),
        (4.5, Rating.Easy),
        (5, Rating.Easy),
    ],
)
def test_rating_for_bands(score: float, rating: Rating) -> None:
    assert rating_for(score) == rating


@pytest.mark.parametrize("score", [-0.1, 5.01, float("nan")])
def test_rating_for_rejects_out_of_range(score: float) -> None:
    with pytest.raises(ValueError, match="0-5"):
        rating_for(score)


@settings(max_examples=60, deadline=None)
@given(
    history=st.lists(st.tuples(st.floats(0, 5), st.integers(0, 60 * 24 * 90)), max_size=6),
    low=st.floats(0, 5),
    high=st.floats(0, 5),
)
def test_better_answers_are_never_due_sooner(history, low: float, high: float) -> None:
    state, when = None, T0
    for score, gap_minutes in history:
        when += timedelta(minutes=gap_minutes)
        state, due = schedule_review(state, score, when)
        assert due == due_at(state) and due > when
    low, high = sorted((low, high))
    now = when + timedelta(days=1)
    assert schedule_review(state, low, now)[1] <= schedule_review(state, high, now)[1]


# failures


def run_without_root_powers(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run python code in a child for which file modes apply (root ignores them otherwise)."""
    cmd = [sys.executable, "-c", code, *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: cannot make a directory read-only")
        cmd = [setpriv, "--bounding-set=-dac_override", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=REPO)


OPEN_AND_WRITE = """
import sys
from pathlib import Path
from tutor.core.errors import StoreError
from tutor.storage.store import Store
try:
    Store(Path(sys.argv[1])).create_session({}, [])
except StoreError as exc:
    print(exc)
    sys.exit(3)
"""


def test_read_only_directory_raises_store_error(tmp_path: Path) -> None:
    fresh, existing = tmp_path / "fresh", tmp_path / "existing"
    fresh.mkdir()
    with Store(existing / "tutor.db") as store:
        sid = store.create_session({"keep": True}, ["a"])
        store.record_turn(sid, 0, "a", "Q?", "main", "x", make_grade(3.0), 1.0)
    cases = [(fresh, "tutor.db"), (existing, "tutor.db"), (fresh, "sub/dir/tutor.db")]
    for folder, name in cases:
        folder.chmod(0o555)
        try:
            result = run_without_root_powers(OPEN_AND_WRITE, str(folder / name))
        finally:
            folder.chmod(0o755)
        assert result.returncode == 3, result.stderr
        message = result.stdout.strip()
        assert "\n" not in message and "Traceback" not in result.stderr
        assert "TUTOR_DATA_DIR" in message and str(folder) in message
    with Store(existing / "tutor.db") as store:  # nothing was lost
        assert store.get_session(sid).config == {"keep": True}
        assert len(store.turns(sid)) == 1


def test_foreign_file_raises_store_error_and_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "tutor.db"
    content = b"these are my notes, not a database\n" * 300
    path.write_bytes(content)
    with pytest.raises(StoreError, match="is not a tutor database.*move it aside") as info:
        Store(path)
    assert "\n" not in str(info.value)
    assert path.read_bytes() == content


def test_corrupt_pages_raise_store_error(tmp_path: Path) -> None:
    path = tmp_path / "tutor.db"
    with Store(path) as store:
        sid = store.create_session({}, ["a"])
        for position in range(30):
            store.record_turn(sid, position, "a", "Q?", "main", "x" * 2000, make_grade(3.0), 1.0)
    data = bytearray(path.read_bytes())
    data[100:] = b"\xff" * (len(data) - 100)  # keep the header, destroy every page
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="corrupt"):
        with Store(path) as store:
            store.turns(sid)


def test_lock_held_beyond_timeout_raises_store_error(tmp_path: Path) -> None:
    path = tmp_path / "tutor.db"
    with Store(path, timeout=0.3) as store:
        sid = store.create_session({}, ["a"])
        other = raw(path)
        other.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        with pytest.raises(StoreError, match="locked by another tutor process"):
            store.record_turn(sid, 0, "a", "Q?", "main", "x", make_grade(3.0), 1.0)
        assert time.monotonic() - started >= 0.25
        other.execute("ROLLBACK")
        store.record_turn(sid, 0, "a", "Q?", "main", "x", make_grade(3.0), 1.0)
        assert len(store.turns(sid)) == 1


def test_full_database_raises_store_error_and_keeps_saved_turns(store: Store) -> None:
    sid = store.create_session({}, ["a"])
    store.record_turn(sid, 0, "a", "Q?", "main", "kept", make_grade(3.0), 1.0)
    conn = store._db.connection  # the cap on file size is per connection: the only way to fill
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreError, match="disk is full"):
        store.record_turn(sid, 1, "a", "Q?", "main", "y" * 50_000, make_grade(3.0), 1.0)
    conn.execute("PRAGMA max_page_count = 1073741823")
    assert [t.answer for t in store.turns(sid)] == ["kept"]
    assert integrity(store.path) == "ok"


# concurrency and crashes


TURNS_PER_WRITER = 50


def write_turns(path: str, barrier, results) -> None:  # runs in a spawned process
    barrier.wait()
    with Store(Path(path)) as store:
        sid = store.create_session({"pid": os.getpid()}, [])
        ids = [
            store.record_turn(
                sid,
                n,
                f"card-{n % 5}",
                "Q?",
                "main",
                f"answer {n}",
                make_grade(n % 6 * 1.0),
                0.5,
                schedule=True,
            )
            for n in range(TURNS_PER_WRITER)
        ]
    results.put((sid, ids))


def test_concurrent_writer_processes_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    ctx = mp.get_context("spawn")
    writers = 4
    barrier, results = ctx.Barrier(writers), ctx.Queue()
    procs = [
        ctx.Process(target=write_turns, args=(str(path), barrier, results)) for _ in range(writers)
    ]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=180) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    assert integrity(path) == "ok"
    with Store(path) as store:
        for sid, ids in outcomes:
            turns = store.turns(sid)
            assert [t.id for t in turns] == ids
            assert [t.position for t in turns] == list(range(TURNS_PER_WRITER))
        reps = sum(store.review_state(f"card-{k}").reps for k in range(5))
    assert reps == writers * TURNS_PER_WRITER


KILLED_WRITER = """
import sys
from tests.test_store import make_grade
from tutor.storage.store import Store
store = Store(sys.argv[1], sys.argv[2])
sid = store.create_session({}, [])
print("session", sid, flush=True)
for n in range(100_000):
    turn = store.record_turn(sid, n, "a", "Q?", "main", "z" * 20_000, make_grade(2.0), 1.0,
                             schedule=True)
    print(turn, flush=True)
"""


def kill_writer_midway(location: str, profile: str = "default") -> tuple[str, list[int]]:
    """Start a process writing turns to the store at `location`, SIGKILL it after 40 committed
    turns; returns its session id and the ids of every turn it reported committed."""
    child = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, location, profile],
                             cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    sid = child.stdout.readline().split()[1]
    committed = []
    while len(committed) < 40:
        line = child.stdout.readline()
        assert line, "the writer died on its own"
        committed.append(int(line))
    child.send_signal(signal.SIGKILL)
    committed += [int(line) for line in child.stdout.read().splitlines() if line.strip()]
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    return sid, committed


def test_killed_writer_loses_no_committed_turn(tmp_path: Path) -> None:
    path = tmp_path / "tutor.db"
    sid, committed = kill_writer_midway(str(path))
    assert integrity(path) == "ok"
    with Store(path) as store:
        stored = [t.id for t in store.turns(sid)]
        assert set(committed) <= set(stored)
        assert len(stored) - len(committed) <= 1  # at most the turn whose print was cut off
        assert store.review_state("a").reps == len(stored)
        store.record_turn(sid, len(stored), "a", "Q?", "main", "after", make_grade(2.0), 1.0)
    assert integrity(path) == "ok"
