"""`tutor report` and the Progress page with 1,000 sessions in the store (target: ≤ 1 s each).

One database holds a learner with 1,000 interviews (5 graded answers each, reviews scheduled), a
learner with 10 (the baseline: the same work on a small history, in the same run) and others
around them. Timed, as the median of several warm runs:

- `tutor report` in-process (settings, index load, store, report, text) and as a fresh process;
- the Progress page's data (histories, reviews, calendar, chart specs) and the whole page
  rendered by Streamlit's AppTest (the shared retriever and grader already loaded).

On SQLite, and on PostgreSQL where a throwaway server can be started (tests/postgres_server.py).

    python benchmarks/store.py                 # a throwaway data dir, the guide indexed once
    python benchmarks/store.py --sessions 2000 --data-dir DIR
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.common import bench_settings, ingest_guide, machine_load, print_table  # noqa: E402
from tutor.core.settings import Settings  # noqa: E402
from tutor.core.types import Citation, Grade, PointResult  # noqa: E402
from tutor.storage.store import Store  # noqa: E402

TARGET_S = 1.0
BIG, SMALL = "big", "small"
TURNS_PER_SESSION = 5
APP = Path(__file__).resolve().parent.parent / "ui" / "app.py"


def grade_for(card, score: float) -> Grade:
    """A grade the size of a real one: a few points, each with its verbatim citation."""
    points = [PointResult(point=kp.label, status="covered" if n % 2 else "missing",
                          evidence="the candidate's words" if n % 2 else "",
                          citation=Citation(chunk_id=kp.chunk_id, section=card.heading,
                                            quote=kp.text[:300]))
              for n, kp in enumerate(card.key_points[:4])]
    return Grade(score=score, verdict="partial", question=card.question, section=card.heading,
                 card_id=card.id, covered=[p for p in points if p.status == "covered"],
                 missing=[p for p in points if p.status == "missing"],
                 feedback="Mention the missing points.", follow_up="And why does it matter?")


def fill(store: Store, kb, sessions: int, start: datetime) -> None:
    """`sessions` interviews, one every 8 hours, each with graded answers and review updates."""
    cards = [c for c in kb.cards if c.key_points]
    for n in range(sessions):
        plan = [cards[(n * TURNS_PER_SESSION + k) % len(cards)] for k in range(TURNS_PER_SESSION)]
        sid = store.create_session({"questions": TURNS_PER_SESSION, "seed": n},
                                   [c.id for c in plan])
        when = start + timedelta(hours=8 * n)
        for position, card in enumerate(plan):
            score = float((n + position) % 6)
            store.record_turn(sid, position, card.id, card.question, "main", "an answer " * 40,
                              grade_for(card, score), 30.0, topic=card.topic,
                              graded_at=when + timedelta(minutes=position), schedule=True)
        store.finish_session(sid)


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """(first run, median of the next `runs`) in seconds."""
    samples = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples[0], statistics.median(samples[1:])


def report_in_process(env: dict[str, str], profile: str) -> Callable[[], object]:
    from click.testing import CliRunner

    from tutor.cli.main import cli

    def run() -> object:
        result = CliRunner().invoke(cli, ["report", "--profile", profile], env=env)
        assert result.exit_code == 0 and "Interview report" in result.output, result.output
        return result

    return run


def report_process(env: dict[str, str], profile: str) -> Callable[[], object]:
    command = [sys.executable, "-m", "tutor.cli", "report", "--profile", profile]
    return lambda: subprocess.run(command, env={**os.environ, **env}, check=True,
                                  capture_output=True)


def progress_data(settings: Settings, profile: str, kb) -> Callable[[], object]:
    """What the Progress page computes, without Streamlit's rendering."""
    from tutor.ui.charts import calendar_spec, score_spec, topic_spec

    from tutor.storage.scheduling import describe_due, due_calendar

    def run() -> object:
        with Store(settings.db_url or settings.database, profile) as store:
            history, topics = store.score_history(), store.topic_history()
            reviews, now = store.reviews(), datetime.now().astimezone()
            days = due_calendar([r.due for r in reviews], now, 14)
            rows = [(kb.card(r.card_id), describe_due(r.due, now)) for r in reviews[:20]]
        return (score_spec([h.started_at for h in history]), topic_spec(),
                calendar_spec(max(n for _, n in days)), len(topics), rows)

    return run


@contextlib.contextmanager
def environment(env: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def progress_page(env: dict[str, str], profile: str) -> Callable[[], object]:
    """The Progress page rendered by AppTest, after a first run that loads the resources."""
    from streamlit.testing.v1 import AppTest

    with environment({**env, "TUTOR_PROFILE": profile}):
        at = AppTest.from_file(str(APP), default_timeout=300).run()
        at.switch_page("views/progress.py").run()
    assert not at.exception, at.exception

    def run() -> object:
        with environment({**env, "TUTOR_PROFILE": profile}):
            at.run()
        assert not at.exception and len(at.get("vega_lite_chart")) == 3
        return at

    return run


def measure(label: str, settings: Settings, env: dict[str, str], kb, runs: int) -> list[list]:
    rows = []
    cases = [("tutor report (in-process)", lambda p: report_in_process(env, p)),
             ("tutor report (new process)", lambda p: report_process(env, p)),
             ("Progress page data", lambda p: progress_data(settings, p, kb)),
             ("Progress page (AppTest render)", lambda p: progress_page(env, p))]
    for name, make in cases:
        first_big, big = timed(make(BIG), runs)
        _, small = timed(make(SMALL), runs)
        verdict = "ok" if big <= TARGET_S else "SLOW"
        rows.append([f"{label}: {name}", first_big, big, small, f"{big / small:.2f}x", verdict])
    return rows


def run_backend(label: str, settings: Settings, env: dict[str, str], kb, args) -> list[list]:
    start = datetime(2024, 1, 1, 9, tzinfo=UTC)
    with Store(settings.db_url or settings.database, BIG) as store:
        began = time.perf_counter()
        fill(store, kb, args.sessions, start)
        fill(store.for_profile(SMALL), kb, 10, start)
        for n in range(args.others):
            fill(store.for_profile(f"other-{n}"), kb, 50, start)
        print(f"{label}: stored {args.sessions + 10 + 50 * args.others} sessions "
              f"({TURNS_PER_SESSION} answers each) in {time.perf_counter() - began:.1f} s",
              flush=True)
    return measure(label, settings, env, kb, args.runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--others", type=int, default=2, help="other learners of 50 sessions")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="tutor-bench-store-"))
    settings = bench_settings(data_dir)
    if not (settings.index_dir / "manifest.json").exists():
        print(f"indexing the guide once: {ingest_guide(settings):.1f} s", flush=True)
    from tutor.index.knowledge import KnowledgeBase

    kb = KnowledgeBase.load(settings.index_dir)
    print(machine_load())
    base_env = {"TUTOR_DATA_DIR": str(data_dir), "TUTOR_GRADER": "embedded",
                "HF_HUB_OFFLINE": "1"}
    db = data_dir / f"bench-{os.getpid()}.db"
    rows = run_backend("SQLite", Settings(data_dir=data_dir, db_path=db), {
        **base_env, "TUTOR_DB_PATH": str(db)}, kb, args)
    if not args.no_postgres:
        from tests.postgres_server import running_server, unavailable

        why_not = unavailable()
        if why_not:
            print(f"PostgreSQL skipped: {why_not}")
        else:
            with running_server() as server:
                url = server.create_database()
                rows += run_backend("PostgreSQL", Settings(data_dir=data_dir, db_url=url), {
                    **base_env, "TUTOR_DB_URL": url}, kb, args)
    print(f"\nseconds; {args.sessions} sessions vs 10 (the baseline, same database); median of "
          f"{args.runs} warm runs; target ≤ {TARGET_S:.0f} s")
    print_table(["", "first", str(args.sessions), "10", "ratio", "target"], rows, first=52,
                width=10)


if __name__ == "__main__":
    main()
