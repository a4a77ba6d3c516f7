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
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fsrs import Rating
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.core.errors import StoreError
from tutor.core.settings import Settings
from tutor.core.types import Citation, Grade, PointResult
from tutor.storage.migrations import SCHEMA_VERSION, migrate, schema_version
from tutor.storage.scheduling import due_at, rating_for, schedule_review
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
    assert schema_version(conn) == SCHEMA_VERSION == 2
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"sessions", "turns", "reviews"} <= tables
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
    conn = store._conn  # the cap on file size is per connection: the only way to fill the disk
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
from pathlib import Path
from tests.test_store import make_grade
from tutor.storage.store import Store
store = Store(Path(sys.argv[1]))
sid = store.create_session({}, [])
print("session", sid, flush=True)
for n in range(100_000):
    turn = store.record_turn(sid, n, "a", "Q?", "main", "z" * 20_000, make_grade(2.0), 1.0,
                             schedule=True)
    print(turn, flush=True)
"""


def test_killed_writer_loses_no_committed_turn(tmp_path: Path) -> None:
    path = tmp_path / "tutor.db"
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(path)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
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
    assert integrity(path) == "ok"
    with Store(path) as store:
        stored = [t.id for t in store.turns(sid)]
        assert set(committed) <= set(stored)
        assert len(stored) - len(committed) <= 1  # at most the turn whose print was cut off
        assert store.review_state("a").reps == len(stored)
        store.record_turn(sid, len(stored), "a", "Q?", "main", "after", make_grade(2.0), 1.0)
    assert integrity(path) == "ok"
