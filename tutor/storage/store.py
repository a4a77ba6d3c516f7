"""Learner memory in SQLite: interview sessions, graded turns and review schedules.

Every write is one short committed transaction (WAL, synchronous=FULL), so a crash or a kill
loses nothing that was already graded, and several processes can share one database.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import ValidationError

from tutor.core.errors import StoreError
from tutor.core.settings import Settings
from tutor.core.types import Grade
from tutor.storage.migrations import connect, store_error
from tutor.storage.scheduling import schedule_review, to_utc

SessionStatus = Literal["active", "finished", "abandoned"]
TurnKind = Literal["main", "follow_up"]


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One interview session: its configuration and the ordered card ids it plans to ask."""

    id: str
    created_at: datetime
    updated_at: datetime
    status: SessionStatus
    config: dict[str, Any]
    plan: list[str]

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> SessionRecord:
        id_, created, updated, status, config, plan = row
        return cls(id_, _dt(created), _dt(updated), status, json.loads(config), json.loads(plan))


@dataclass(frozen=True, slots=True)
class TurnRecord:
    """One asked question, the candidate's answer and its grade."""

    id: int
    session_id: str
    position: int
    card_id: str
    topic: str
    question: str
    kind: TurnKind
    answer: str
    grade: Grade
    score: float
    started_at: datetime
    graded_at: datetime
    seconds: float


@dataclass(frozen=True, slots=True)
class ReviewState:
    """The FSRS schedule of one card."""

    card_id: str
    card: str  # FSRS card JSON, see tutor.storage.scheduling
    due: datetime
    last_score: float
    reps: int
    updated_at: datetime

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> ReviewState:
        card_id, card, due, last_score, reps, updated = row
        return cls(card_id, card, _dt(due), last_score, reps, _dt(updated))


@dataclass(frozen=True, slots=True)
class SessionScore:
    """Mean score of the graded turns of one session (progress over time)."""

    session_id: str
    started_at: datetime
    status: SessionStatus
    turns: int
    mean_score: float


@dataclass(frozen=True, slots=True)
class TopicScore:
    """Mean score per topic over all sessions."""

    topic: str
    turns: int
    mean_score: float
    last_at: datetime


def _iso(when: datetime) -> str:
    # Fixed-width UTC timestamps sort as text, so SQL can compare and order them.
    return to_utc(when).isoformat(timespec="microseconds")


def _now() -> datetime:
    return datetime.now(UTC)


class Store:
    """The learner database. Thread-safe; open one per process (or per Streamlit session).

    Args:
        path: the SQLite file (`settings.database`); its directory is created if missing.
        timeout: seconds to wait for another process's write lock before StoreError.

    Raises:
        StoreError: if the database cannot be opened, is corrupt, or is from a newer tutor.
    """

    def __init__(self, path: Path, timeout: float = 10.0) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = connect(self.path, timeout)

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        """The store at `settings.database`."""
        return cls(settings.database)

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _read(self, action: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._conn is None:
                raise StoreError(f"Database {self.path} is closed: open a new Store")
            try:
                yield self._conn
            except sqlite3.Error as exc:
                raise store_error(exc, self.path, action) from exc

    @contextmanager
    def _write(self, action: str) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front: no deadlock upgrading a read to a write.
        with self._read(action) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    # sessions

    def create_session(self, config: Mapping[str, Any], plan: list[str]) -> str:
        """Start an active session; config holds question count, topics, seed, grader."""
        session_id = str(uuid.uuid4())
        now = _iso(_now())
        with self._write("create a session") as conn:
            conn.execute(
                "INSERT INTO sessions (id, created_at, updated_at, status, config, plan)"
                " VALUES (?, ?, ?, 'active', ?, ?)",
                (session_id, now, now, json.dumps(dict(config)), json.dumps(list(plan))),
            )
        return session_id

    def get_session(self, session_id: str) -> SessionRecord | None:
        """The session with this id, or None."""
        with self._read("read a session") as conn:
            row = conn.execute(f"{_SESSION_SQL} WHERE id = ?", (session_id,)).fetchone()
        return SessionRecord.from_row(row) if row else None

    def latest_active_session(self) -> SessionRecord | None:
        """The most recently updated active session (the one to resume), or None."""
        with self._read("find the active session") as conn:
            row = conn.execute(
                f"{_SESSION_SQL} WHERE status = 'active' ORDER BY updated_at DESC, rowid DESC"
                " LIMIT 1"
            ).fetchone()
        return SessionRecord.from_row(row) if row else None

    def list_sessions(self, limit: int = 50) -> list[SessionRecord]:
        """The latest sessions, newest first."""
        with self._read("list sessions") as conn:
            rows = conn.execute(
                f"{_SESSION_SQL} ORDER BY created_at DESC, rowid DESC LIMIT ?", (limit,)
            ).fetchall()
        return [SessionRecord.from_row(row) for row in rows]

    def finish_session(self, session_id: str, status: SessionStatus = "finished") -> None:
        """Close a session as 'finished' or 'abandoned' ('active' reopens it).

        Raises:
            StoreError: if there is no such session.
        """
        if status not in get_args(SessionStatus):
            raise ValueError(f"status must be one of {get_args(SessionStatus)}, got {status!r}")
        with self._write("finish a session") as conn:
            cursor = conn.execute(
                "UPDATE sessions SET status = ?, updated_at = ? WHERE id = ?",
                (status, _iso(_now()), session_id),
            )
            if cursor.rowcount == 0:
                raise StoreError(f"No session {session_id}: list sessions with `tutor interview`")

    # turns

    def record_turn(
        self,
        session_id: str,
        position: int,
        card_id: str,
        question: str,
        kind: TurnKind,
        answer: str,
        grade: Grade,
        seconds: float,
        *,
        topic: str = "",
        graded_at: datetime | None = None,
        schedule: bool = False,
    ) -> int:
        """Save one graded turn in its own committed transaction; return its id.

        Args:
            position: 0-based order of the turn in the session; each turn (main or
                follow-up) takes its own, and a position can be recorded only once.
            seconds: time the candidate took; `started_at` is `graded_at - seconds`.
            schedule: also update the card's review schedule from `grade.score`, atomically.

        Raises:
            StoreError: unknown session, position already recorded, or the database failed.
        """
        if kind not in get_args(TurnKind):
            raise ValueError(f"kind must be one of {get_args(TurnKind)}, got {kind!r}")
        graded = graded_at or _now()
        started = graded - timedelta(seconds=max(seconds, 0.0))
        with self._write(f"record turn {position} of session {session_id}") as conn:
            self._check_turn_slot(conn, session_id, position)
            values = (session_id, position, card_id, topic, question, kind, answer)
            graded_values = (grade.model_dump_json(), grade.score, _iso(started), _iso(graded))
            cursor = conn.execute(_INSERT_TURN, (*values, *graded_values, seconds))
            conn.execute(
                "UPDATE sessions SET updated_at = ? WHERE id = ?", (_iso(graded), session_id)
            )
            if schedule:
                self._review(conn, card_id, grade.score, graded)
        return int(cursor.lastrowid or 0)

    def _check_turn_slot(self, conn: sqlite3.Connection, session_id: str, position: int) -> None:
        # Checked inside the write transaction, so no other process can race us.
        if not conn.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone():
            raise StoreError(f"No session {session_id} in {self.path}: start one first")
        taken = "SELECT 1 FROM turns WHERE session_id = ? AND position = ?"
        if conn.execute(taken, (session_id, position)).fetchone():
            raise StoreError(
                f"Turn {position} of session {session_id} is already recorded: resume after "
                "the last position in Store.turns()"
            )

    def turns(self, session_id: str) -> list[TurnRecord]:
        """The turns of a session in order."""
        with self._read("read turns") as conn:
            rows = conn.execute(
                f"{_TURN_SQL} WHERE session_id = ? ORDER BY position", (session_id,)
            ).fetchall()
        return [self._turn(row) for row in rows]

    def _turn(self, row: sqlite3.Row | tuple[Any, ...]) -> TurnRecord:
        try:
            grade = Grade.model_validate_json(row[8])
        except ValidationError as exc:
            raise StoreError(
                f"Turn {row[0]} in {self.path} holds an unreadable grade "
                f"({exc.error_count()} errors): the file was edited or is from another tutor"
            ) from exc
        fields = list(row)
        fields[8], fields[10], fields[11] = grade, _dt(row[10]), _dt(row[11])
        return TurnRecord(*fields)

    # reviews

    def review_state(self, card_id: str) -> ReviewState | None:
        """The review schedule of a card, or None if it was never reviewed."""
        with self._read("read a review") as conn:
            row = conn.execute(f"{_REVIEW_SQL} WHERE card_id = ?", (card_id,)).fetchone()
        return ReviewState.from_row(row) if row else None

    def due_cards(self, now: datetime | None = None, limit: int | None = None) -> list[str]:
        """Ids of the cards due at `now` (default: now), most overdue first."""
        with self._read("list due cards") as conn:
            rows = conn.execute(
                "SELECT card_id FROM reviews WHERE due <= ? ORDER BY due, card_id LIMIT ?",
                (_iso(now or _now()), -1 if limit is None else limit),
            ).fetchall()
        return [row[0] for row in rows]

    def update_review(self, card_id: str, score: float, when: datetime) -> ReviewState:
        """Feed a 0-5 grade of `card_id` given at `when` to FSRS; return the new schedule."""
        with self._write(f"update the review of {card_id}") as conn:
            return self._review(conn, card_id, score, when)

    def _review(
        self, conn: sqlite3.Connection, card_id: str, score: float, when: datetime
    ) -> ReviewState:
        row = conn.execute("SELECT card, reps FROM reviews WHERE card_id = ?", (card_id,))
        previous, reps = row.fetchone() or (None, 0)
        try:
            card, due = schedule_review(previous, score, when)
        except ValueError as exc:
            raise StoreError(
                f"Cannot schedule {card_id} in {self.path} ({exc}): delete its row in the "
                "reviews table to restart its schedule"
            ) from exc
        conn.execute(
            "INSERT INTO reviews (card_id, card, due, last_score, reps, updated_at)"
            " VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (card_id) DO UPDATE SET card = excluded.card,"
            " due = excluded.due, last_score = excluded.last_score, reps = reps + 1,"
            " updated_at = excluded.updated_at",
            (card_id, card, _iso(due), score, _iso(when)),
        )
        return ReviewState(card_id, card, due, score, reps + 1, to_utc(when))

    # progress

    def score_history(self, include_follow_ups: bool = False) -> list[SessionScore]:
        """Mean score of each session with graded turns, oldest first."""
        with self._read("read score history") as conn:
            rows = conn.execute(
                "SELECT s.id, s.created_at, s.status, COUNT(t.id), AVG(t.score) FROM sessions s"
                " JOIN turns t ON t.session_id = s.id WHERE (t.kind = 'main' OR ?)"
                " GROUP BY s.id ORDER BY s.created_at, s.rowid",
                (include_follow_ups,),
            ).fetchall()
        return [SessionScore(r[0], _dt(r[1]), r[2], r[3], r[4]) for r in rows]

    def topic_history(self, include_follow_ups: bool = False) -> list[TopicScore]:
        """Mean score per topic (as recorded on each turn) over all sessions, weakest first."""
        with self._read("read topic history") as conn:
            rows = conn.execute(
                "SELECT topic, COUNT(*), AVG(score), MAX(graded_at) FROM turns"
                " WHERE (kind = 'main' OR ?) GROUP BY topic ORDER BY AVG(score), topic",
                (include_follow_ups,),
            ).fetchall()
        return [TopicScore(r[0], r[1], r[2], _dt(r[3])) for r in rows]


_SESSION_SQL = "SELECT id, created_at, updated_at, status, config, plan FROM sessions"
_TURN_SQL = (
    "SELECT id, session_id, position, card_id, topic, question, kind, answer, grade, score,"
    " started_at, graded_at, seconds FROM turns"
)
_REVIEW_SQL = "SELECT card_id, card, due, last_score, reps, updated_at FROM reviews"
_INSERT_TURN = (
    "INSERT INTO turns (session_id, position, card_id, topic, question, kind, answer, grade,"
    " score, started_at, graded_at, seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)
