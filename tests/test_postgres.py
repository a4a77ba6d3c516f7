"""The shared store on a real PostgreSQL server (started by the tests), and the same contract on
SQLite: profiles apart, concurrent writer processes, a killed writer, resume."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from tests.postgres_server import PostgresServer, running_server, unavailable
from tests.test_store import T0, kill_writer_midway, make_grade
from tutor.core.errors import InputError, StoreError
from tutor.storage.store import Store

WHY_NOT = unavailable()
needs_postgres = pytest.mark.skipif(WHY_NOT is not None, reason=f"no PostgreSQL: {WHY_NOT}")


@pytest.fixture(scope="module")
def pg_server():
    if WHY_NOT is not None:
        pytest.skip(f"no PostgreSQL: {WHY_NOT}")
    with running_server() as server:
        yield server


@pytest.fixture
def pg_url(pg_server: PostgresServer) -> str:
    return pg_server.create_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request, tmp_path: Path) -> str:
    """The same tests on both backends."""
    if request.param == "sqlite":
        return str(tmp_path / "tutor.db")
    return request.getfixturevalue("pg_url")


# the contract, on both backends


def test_sessions_turns_reviews_and_histories(location: str) -> None:
    with Store(location, "alice") as store:
        sid = store.create_session({"questions": 2, "topics": ["rag"]}, ["a", "b"])
        first = store.record_turn(sid, 0, "a", "Q?", "main", "Ünïcode ✓", make_grade(2.0), 4.5,
                                  topic="rag", graded_at=T0, schedule=True)
        store.record_turn(sid, 1, "a", "F?", "follow_up", "more", make_grade(5.0), 2.0,
                          topic="rag", graded_at=T0 + timedelta(minutes=1))
        store.record_turn(sid, 2, "b", "Q2?", "main", "x", make_grade(4.0, "b"), 1.0,
                          topic="agents", graded_at=T0 + timedelta(minutes=2), schedule=True)
        with pytest.raises(StoreError, match="already recorded"):
            store.record_turn(sid, 2, "b", "Q2?", "main", "again", make_grade(1.0), 1.0)
        turns = store.turns(sid)
        assert [t.position for t in turns] == [0, 1, 2] and turns[0].id == first
        assert turns[0].grade == make_grade(2.0) and turns[0].answer == "Ünïcode ✓"
        assert turns[0].graded_at == T0 and turns[0].started_at == T0 - timedelta(seconds=4.5)
        assert [(h.turns, h.mean_score) for h in store.score_history()] == [(2, 3.0)]
        assert [(t.topic, t.mean_score) for t in store.topic_history()] == [
            ("rag", 2.0), ("agents", 4.0)]
        assert store.due_cards(T0) == [] and store.due_cards(T0 + timedelta(days=60)) == ["a", "b"]
        assert store.due_cards(T0 + timedelta(days=60), limit=1) == ["a"]
        assert [r.card_id for r in store.reviews()] == ["a", "b"]
        again = store.update_review("a", 4.0, T0 + timedelta(hours=1))
        assert again.reps == 2 and again == store.review_state("a")
        assert store.latest_active_session().id == sid
        store.finish_session(sid)
        assert store.latest_active_session() is None
        assert [s.status for s in store.list_sessions(limit=None)] == ["finished"]


def test_two_profiles_never_see_each_other(location: str) -> None:
    with Store(location, "alice") as alice:
        bob = alice.for_profile("bob")
        a = alice.create_session({}, ["x"])
        b = bob.create_session({}, ["x"])
        alice.record_turn(a, 0, "x", "Q?", "main", "alice", make_grade(1.0), 1.0,
                          topic="rag", schedule=True, graded_at=T0)
        bob.record_turn(b, 0, "x", "Q?", "main", "bob", make_grade(5.0), 1.0,
                        topic="rag", schedule=True, graded_at=T0)
        for me, mine, theirs, score in ((alice, a, b, 1.0), (bob, b, a, 5.0)):
            assert [s.id for s in me.list_sessions()] == [mine]
            assert me.get_session(theirs) is None and me.turns(theirs) == []
            assert [t.session_id for t in me.all_turns()] == [mine]
            assert [h.mean_score for h in me.score_history()] == [score]
            assert [t.mean_score for t in me.topic_history()] == [score]
            assert me.review_state("x").last_score == score
            assert [s["id"] for s in me.export()["sessions"]] == [mine]
            with pytest.raises(StoreError, match="No session"):
                me.record_turn(theirs, 1, "x", "Q?", "main", "sneaky", make_grade(5.0), 1.0)
        assert alice.delete_profile("bob") == {"turns": 1, "sessions": 1, "reviews": 1}
        assert [p.name for p in alice.list_profiles()] == ["alice"]
        assert len(alice.turns(a)) == 1


def test_reopening_migrates_once(location: str) -> None:
    with Store(location, "alice") as store:
        sid = store.create_session({}, ["x"])
    for _ in range(2):
        with Store(location, "alice") as store:
            assert store.get_session(sid) is not None


# PostgreSQL only


@needs_postgres
def test_postgres_schema_is_versioned(pg_url: str) -> None:
    import psycopg

    from tutor.storage.postgres import SCHEMA_VERSION

    Store(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        assert conn.execute("SELECT version FROM tutor_schema").fetchall() == [(SCHEMA_VERSION,)]
        conn.execute("UPDATE tutor_schema SET version = 99")
    with pytest.raises(StoreError, match="newer than this tutor"):
        Store(pg_url)


@needs_postgres
def test_unreachable_server_is_one_actionable_line(pg_server: PostgresServer) -> None:
    from tests.helpers import free_port

    url = f"postgresql://tutor:secret@127.0.0.1:{free_port()}/nowhere"
    with pytest.raises(StoreError) as info:
        Store(url, timeout=2)
    message = str(info.value)
    assert "cannot be reached" in message and "TUTOR_DB_URL" in message
    assert "secret" not in message and "\n" not in message


@needs_postgres
def test_a_dropped_connection_is_reopened(pg_url: str) -> None:
    import psycopg

    with Store(pg_url, "alice") as store:
        sid = store.create_session({}, ["x"])
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                          "datname = current_database() AND pid <> pg_backend_pid()")
        with pytest.raises(StoreError, match="cannot be reached"):
            store.get_session(sid)  # the one call that finds the connection dead
        assert store.get_session(sid) is not None  # the next one opens a new connection


WRITERS, TURNS_PER_WRITER = 8, 100


def write_turns(url: str, profile: str, barrier, results) -> None:  # runs in a spawned process
    barrier.wait()
    with Store(url, profile) as store:
        sid = store.create_session({"pid": os.getpid()}, [])
        ids = [store.record_turn(sid, n, f"card-{n % 5}", "Q?", "main", f"answer {n}",
                                 make_grade(n % 6 * 1.0), 0.5, schedule=True)
               for n in range(TURNS_PER_WRITER)]
    results.put((profile, sid, ids))


@needs_postgres
def test_concurrent_writer_processes_lose_nothing(pg_url: str) -> None:
    Store(pg_url).close()  # migrated once; the writers race on rows, not on the schema
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(WRITERS), ctx.Queue()
    profiles = [f"learner-{n % 2}" for n in range(WRITERS)]
    procs = [ctx.Process(target=write_turns, args=(pg_url, profile, barrier, results))
             for profile in profiles]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=300) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    with Store(pg_url) as store:
        for profile, sid, ids in outcomes:
            turns = store.for_profile(profile).turns(sid)
            assert [t.id for t in turns] == ids
            assert [t.position for t in turns] == list(range(TURNS_PER_WRITER))
        per_profile = Counter(profiles)
        for profile, writers in per_profile.items():
            learner = store.for_profile(profile)
            # every review update counted: FOR UPDATE serialises writers of the same card
            assert sum(learner.review_state(f"card-{k}").reps for k in range(5)) == \
                writers * TURNS_PER_WRITER
            assert len(learner.all_turns()) == writers * TURNS_PER_WRITER
        assert sum(p.turns for p in store.list_profiles()) == WRITERS * TURNS_PER_WRITER


@needs_postgres
def test_killed_writer_loses_at_most_the_turn_in_progress(pg_url: str) -> None:
    sid, committed = kill_writer_midway(pg_url, "killed")
    with Store(pg_url, "killed") as store:
        stored = [t.id for t in store.turns(sid)]
        assert set(committed) <= set(stored)
        assert len(stored) - len(committed) <= 1  # at most the turn whose print was cut off
        assert [t.position for t in store.turns(sid)] == list(range(len(stored)))
        assert store.review_state("a").reps == len(stored)  # the turn and its review, together
        store.record_turn(sid, len(stored), "a", "Q?", "main", "after", make_grade(2.0), 1.0)


@needs_postgres
def test_interview_resumes_from_postgres(pg_url: str, kb, embedded_grader) -> None:
    from tutor.interview.planning import InterviewConfig
    from tutor.interview.session import InterviewSession

    with Store(pg_url, "alice") as store:
        session = InterviewSession.start(store, kb, embedded_grader,
                                         InterviewConfig(questions=3, seed=5, mix="concept"))
        first = session.current()
        session.answer(first.card.body)
        expected = session.current()
    with Store(pg_url, "alice") as store:  # another process, after a restart
        resumed = InterviewSession.resume(store, kb, embedded_grader)
        assert resumed.id == session.id
        assert (resumed.current().card.id, resumed.current().kind) == (
            expected.card.id, expected.kind)
    with Store(pg_url, "bob") as store:
        with pytest.raises(InputError, match="No unfinished session of profile 'bob'"):
            InterviewSession.resume(store, kb, embedded_grader)


@needs_postgres
def test_cli_on_postgres_by_configuration(pg_url: str, indexed_settings, monkeypatch) -> None:
    from click.testing import CliRunner

    from tutor.cli.main import cli

    monkeypatch.setenv("TUTOR_DATA_DIR", str(indexed_settings.data_dir))
    monkeypatch.setenv("TUTOR_DB_URL", pg_url)
    runner = CliRunner()
    started = runner.invoke(cli, ["interview", "-n", "2", "--seed", "1", "--mix", "concept",
                                  "--profile", "carol", "--json"], input="skip\nquit\n")
    assert started.exit_code == 0, started.output
    paused = json.loads(started.output.splitlines()[-1])
    assert paused["event"] == "paused"
    resumed = runner.invoke(cli, ["interview", "--resume", "--profile", "carol", "--json"],
                            input="quit\n")
    assert json.loads(resumed.output.splitlines()[-1])["session"] == paused["session"]
    listed = json.loads(runner.invoke(cli, ["profiles", "--json"]).output)
    assert [(p["name"], p["answers"]) for p in listed] == [("carol", 1)]
    other = runner.invoke(cli, ["report", "--profile", "dave"])
    assert other.exit_code == 1 and "No interview session found for profile 'dave'" in \
        other.output
