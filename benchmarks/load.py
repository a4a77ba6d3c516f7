"""Load test: a 2,000-answer batch, then concurrent interview sessions sharing one SQLite file.

    python benchmarks/load.py [--answers 2000] [--sessions 4] [--questions 8] [--backend onnx]

Phase 1 grades --answers answers (the graded sets, repeated in order) through
`tutor.grading.grade_items` in this process and checks that one result per answer came back, in
order, counting error results. Phase 2 starts --sessions processes (spawn); each builds its own
grader over the same index, opens the SAME database file with `tutor.store.Store`, waits at a
barrier so all answer at once, and runs a full `InterviewSession` (start, then `answer` until
`current()` is None), answering each guide question with a graded answer written for that
section (any graded answer when the section has none). Afterwards the database is checked:
turns stored per session == answers submitted, every stored grade readable, sessions
finished, `PRAGMA integrity_check` ok.

--backend defaults to `onnx` (the shipped wiring, see benchmarks/common.py) so the run stays
within a few minutes on a shared 2-core machine; `torch` embeds with sentence-transformers. Both
phases are bounded: the batch stops at --max-seconds, each worker is given --worker-timeout.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing as mp
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tutor.eval.datasets import GradedAnswer, load_graded  # noqa: E402

from benchmarks.common import (  # noqa: E402
    BACKENDS,
    Tally,
    batch_items,
    bench_settings,
    cycle,
    ingest_guide,
    machine_load,
    open_grader,
    percentile,
    print_table,
)

STATUS_OK = "ok"


def run_batch(grader: Any, n: int, max_seconds: float) -> dict[str, Any]:
    """Grade n answers through `grade_items`; stops (and says so) at the time limit."""
    from tutor.grading.graders import grade_items

    items = batch_items(cycle(load_graded(), n))
    results: list[dict[str, Any]] = []
    crash = ""
    started = time.perf_counter()
    try:
        for out in grade_items(grader, items):
            results.append(out)
            if time.perf_counter() - started > max_seconds:
                break
    except Exception as exc:  # grade_items only contains TutorError; anything else is a finding
        crash = f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - started
    in_order = all(r.get("id") == item["id"] for r, (_, item) in zip(results, items, strict=False)
                   if "error" not in r)
    return {"asked": n, "returned": len(results), "errors": sum("error" in r for r in results),
            "seconds": seconds, "per_s": len(results) / seconds, "in_order": in_order,
            "crash": crash, "timed_out": len(results) < n and not crash}


def answers_by_section(answers: list[GradedAnswer]) -> dict[str, list[GradedAnswer]]:
    out: dict[str, list[GradedAnswer]] = {}
    for a in answers:
        out.setdefault(a.section or "", []).append(a)
    return out


def session_worker(worker: int, data_dir: str, backend: str, threads: int, questions: int,
                   barrier: Any, queue: Any) -> None:
    """One candidate: build a grader, open the shared store, run a whole interview."""
    logging.basicConfig(level=logging.WARNING, format=f"w{worker} %(levelname)s %(message)s")
    result: dict[str, Any] = {"worker": worker, "submitted": 0}
    try:
        from tutor.interview.planning import InterviewConfig
        from tutor.interview.session import InterviewSession
        from tutor.storage.store import Store

        settings = bench_settings(Path(data_dir), threads)
        cfg = open_grader(settings, backend)
        grader, result["load_s"] = cfg.grader, cfg.load_seconds
        pool = load_graded()
        by_section, rng = answers_by_section(pool), random.Random(worker)
        store = Store(settings.database)
        rubric = Tally()  # batch embedding in grading: rubric sentences, embedded on first use
        rubric.wrap(cfg.embedder, "embed_batch", "units")
        record_ms: list[float] = []
        inner = store.record_turn

        def timed_record(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                record_ms.append((time.perf_counter() - started) * 1000)

        store.record_turn = timed_record  # type: ignore[method-assign]
        barrier.wait(timeout=600)
        result["start"] = time.time()
        session = InterviewSession.start(store, cfg.kb, grader,
                                         InterviewConfig(questions=questions, seed=worker))
        result["session"], result["planned"] = session.id, len(session.plan)
        turn_ms, kinds = [], []
        while (prompt := session.current()) is not None:
            candidates = by_section.get(prompt.card.heading) or pool
            answer = rng.choice(candidates).answer
            started = time.perf_counter()
            session.answer(answer)
            turn_ms.append((time.perf_counter() - started) * 1000)
            kinds.append(prompt.kind)
            result["submitted"] += 1
        result.update(end=time.time(), turn_ms=turn_ms, record_ms=record_ms, kinds=kinds,
                      follow_ups=kinds.count("follow_up"),
                      rubric_s=rubric.seconds.get("units", 0.0))
        store.close()
    except Exception as exc:
        result["error"] = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=4)}"
        result.setdefault("end", time.time())
    queue.put(result)


def run_sessions(data_dir: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Start the session processes together and collect their reports."""
    ctx = mp.get_context("spawn")
    barrier, queue = ctx.Barrier(args.sessions), ctx.Queue()
    procs = [ctx.Process(target=session_worker, name=f"session-{i}",
                         args=(i, str(data_dir), args.backend, args.threads, args.questions,
                               barrier, queue))
             for i in range(args.sessions)]
    for p in procs:
        p.start()
    results, deadline = [], time.monotonic() + args.worker_timeout
    while len(results) < len(procs) and time.monotonic() < deadline:
        try:
            results.append(queue.get(timeout=max(0.1, deadline - time.monotonic())))
        except Exception:  # queue.Empty at the deadline
            break
    for p in procs:
        p.join(timeout=5)
        if p.is_alive():  # only our own children, by handle
            p.terminate()
            p.join()
    done = {r["worker"] for r in results}
    results += [{"worker": i, "submitted": 0, "error": "no report before --worker-timeout"}
                for i in range(args.sessions) if i not in done]
    return sorted(results, key=lambda r: r["worker"])


def verify_store(db_path: Path, results: list[dict[str, Any]]) -> dict[str, Any]:
    """Turn counts per session, readable grades, session status, integrity_check."""
    from tutor.storage.store import Store

    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        total = conn.execute("SELECT COUNT(*) FROM turns").fetchone()[0]
        stored = {sid: n for sid, n in conn.execute(
            "SELECT session_id, COUNT(*) FROM turns GROUP BY session_id")}
        status = dict(conn.execute("SELECT id, status FROM sessions"))
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()
    with Store(db_path) as store:
        for r in results:
            if r.get("session"):
                turns = store.turns(r["session"])  # raises if a stored grade is unreadable
                r["stored"], r["status"] = stored.get(r["session"], 0), status.get(r["session"])
                r["mean_score"] = statistics.fmean(t.score for t in turns) if turns else 0.0
                r["positions_ok"] = [t.position for t in turns] == list(range(len(turns)))
    return {"integrity": integrity, "total_turns": total, "sessions": len(status),
            "journal": journal}


def report_sessions(results: list[dict[str, Any]], check: dict[str, Any]) -> bool:
    rows, all_ok = [], check["integrity"] == STATUS_OK
    for r in results:
        ok = (not r.get("error") and r.get("stored") == r["submitted"] > 0
              and r.get("status") == "finished" and r.get("positions_ok", False))
        all_ok &= ok
        rows.append([f"session {r['worker']} {str(r.get('session', '-'))[:8]}",
                     r.get("planned", 0), r["submitted"], r.get("stored", 0),
                     r.get("follow_ups", 0), r.get("mean_score", 0.0),
                     statistics.median(r["turn_ms"]) if r.get("turn_ms") else 0.0,
                     percentile(r["record_ms"], 95) if r.get("record_ms") else 0.0,
                     r.get("load_s", 0.0), "ok" if ok else "FAIL"])
    print_table(["", "questions", "answered", "stored", "follow-ups", "mean score",
                 "turn p50 ms", "write p95 ms", "load s", "check"], rows, first=24, width=13)
    for r in results:
        if r.get("error"):
            print(f"session {r['worker']} failed: {r['error']}")
    ran = [r for r in results if r.get("turn_ms")]
    if ran:
        span = max(r["end"] for r in ran) - min(r["start"] for r in ran)
        turns = sum(r["submitted"] for r in ran)
        turn_ms = [m for r in ran for m in r["turn_ms"]]
        write_ms = [m for r in ran for m in r["record_ms"]]
        by_kind = {k: [m for r in ran for m, kk in zip(r["turn_ms"], r["kinds"], strict=True)
                       if kk == k] for k in ("main", "follow_up")}
        rubric = sum(r["rubric_s"] for r in ran)
        print(f"{turns} turns by {len(ran)} concurrent sessions in {span:.1f} s: "
              f"{turns / span:.1f} turns/s overall; turn (grade + store) p50 "
              f"{statistics.median(turn_ms):.0f} ms, p95 {percentile(turn_ms, 95):.0f} ms; "
              f"SQLite write p50 {statistics.median(write_ms):.1f} ms, "
              f"p95 {percentile(write_ms, 95):.1f} ms, max {max(write_ms):.1f} ms")
        print("turn p50 by kind: " + ", ".join(
            f"{k} {statistics.median(v):.0f} ms ({len(v)})" for k, v in by_kind.items() if v)
              + f"; {rubric:.1f} s of all turn time ({sum(turn_ms) / 1000:.1f} s) went to "
              "embedding rubric sentences on first use (each process starts with an empty "
              "cache)")
    submitted = sum(r["submitted"] for r in results)
    print(f"database: {check['sessions']} sessions, {check['total_turns']} turns stored for "
          f"{submitted} answers submitted; journal_mode={check['journal']}; "
          f"integrity_check={check['integrity']}")
    return all_ok and check["total_turns"] == submitted


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", type=int, default=2000, help="answers in the batch")
    parser.add_argument("--sessions", type=int, default=4, help="concurrent interview processes")
    parser.add_argument("--questions", type=int, default=8, help="main questions per session")
    parser.add_argument("--backend", choices=BACKENDS, default="onnx")
    parser.add_argument("--threads", type=int, default=1, help="model CPU threads per process")
    parser.add_argument("--max-seconds", type=float, default=300.0, help="batch time limit")
    parser.add_argument("--worker-timeout", type=float, default=300.0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    started = time.perf_counter()
    print(f"backend={args.backend}, threads={args.threads}; {machine_load()}")
    with tempfile.TemporaryDirectory(prefix="tutor-bench-load-") as tmp:
        settings = bench_settings(Path(tmp) / "data", args.threads)
        print(f"index built in {ingest_guide(settings):.1f} s (onnx embedder)")
        cfg = open_grader(settings, args.backend)
        grader = cfg.grader
        print(f"grader ({cfg.embedder.backend}) built in {cfg.load_seconds:.1f} s", flush=True)

        batch = run_batch(grader, args.answers, args.max_seconds)
        batch_ok = batch["returned"] == batch["asked"] and batch["in_order"] and not batch["crash"]
        print(f"\n== batch: {args.answers} answers through grade_items ==  {machine_load()}")
        print(f"{batch['returned']}/{batch['asked']} results back "
              f"({'in order' if batch['in_order'] else 'OUT OF ORDER'}), "
              f"{batch['errors']} error results, {batch['seconds']:.1f} s, "
              f"{batch['per_s']:.1f} answers/s"
              + (f"; stopped at --max-seconds {args.max_seconds:.0f}" if batch["timed_out"] else "")
              + (f"; crashed: {batch['crash']}" if batch["crash"] else ""))

        print(f"\n== {args.sessions} concurrent interview sessions, one database ==", flush=True)
        results = run_sessions(settings.data_dir, args)
        check = (verify_store(settings.database, results) if settings.database.exists()
                 else {"integrity": "no database", "total_turns": 0, "sessions": 0,
                       "journal": "-"})
        sessions_ok = report_sessions(results, check)
        print(f"after: {machine_load()}")

    print("\n== summary ==")
    print_table(["", "result", "check"], [
        ["batch answers/s", f"{batch['per_s']:.1f}", ""],
        ["batch results == answers", f"{batch['returned']}/{batch['asked']}",
         "ok" if batch_ok else "FAIL"],
        ["batch error results", batch["errors"], ""],
        ["turns stored == submitted", f"{check['total_turns']}/"
         f"{sum(r['submitted'] for r in results)}", "ok" if sessions_ok else "FAIL"],
        ["integrity_check", check["integrity"], "ok" if check["integrity"] == STATUS_OK
         else "FAIL"],
    ], first=28, width=14)
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
