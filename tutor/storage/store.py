"""Learner memory: interview sessions, graded turns and review schedules, per learner profile.

One interface over SQLite (the default, one file) and PostgreSQL (a cohort's shared store),
with the same SQL. Every write is one short committed transaction, so a crash or a kill loses
nothing that was already graded, and several processes can share one database. A `Store` is
bound to one profile: it reads and writes only that learner's sessions, turns and reviews.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, get_args

from pydantic import ValidationError

from tutor.core.errors import StoreError
from tutor.core.settings import Settings
from tutor.core.types import Grade
from tutor.storage.databases import Connection, Database, SQLiteDatabase, open_database
from tutor.storage.records import (
    DEFAULT_PROFILE,
    ProfileSummary,
    ReviewState,
    SessionRecord,
    SessionScore,
    SessionStatus,
    TopicScore,
    TurnKind,
    TurnRecord,
    check_profile_name,
    format_time,
    parse_time,
)
from tutor.storage.scheduling import schedule_review, to_utc

__all__ = ["DEFAULT_PROFILE", "ProfileSummary", "ReviewState", "SessionRecord", "SessionScore",
           "Store", "TopicScore", "TurnRecord"]


def _now() -> datetime:
    return datetime.now(UTC)


class Store:
    """The learner database, bound to one profile. Thread-safe; open one per process (the
    Streamlit server shares one and binds it per browser session with `for_profile`).

    Args:
        location: a SQLite file path, `sqlite:///path`, or `postgresql://user:pass@host/db`.
        profile: the learner whose data this store reads and writes.
        timeout: seconds to wait for another writer's lock before StoreError.

    Raises:
        StoreError: the database cannot be opened, is corrupt, or is from a newer tutor.
        InputError: the profile name is invalid.
    """

    def __init__(self, location: str | Path, profile: str = DEFAULT_PROFILE,
                 timeout: float = 10.0, *, _db: Database | None = None) -> None:
        self.profile = check_profile_name(profile)
        self._db: Database = _db if _db is not None else open_database(location, timeout)
        self.location = self._db.location

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        """The store at `settings.db_url` (or the SQLite file `settings.database`), bound to
        `settings.profile`."""
        return cls(settings.db_url or settings.database, settings.profile)

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None on PostgreSQL."""
        return self._db.path if isinstance(self._db, SQLiteDatabase) else None

    def for_profile(self, profile: str) -> Store:
        """The same database (same connection), bound to another learner."""
        return Store(self.location, profile, _db=self._db)

    def close(self) -> None:
        """Close the connection (idempotent; shared with the `for_profile` stores)."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # sessions

    def create_session(self, config: Mapping[str, Any], plan: list[str]) -> str:
        """Start an active session; config holds question count, topics, seed, grader."""
        session_id = str(uuid.uuid4())
        now = format_time(_now())
        with self._db.write("create a session") as conn:
            self._ensure_profile(conn, self.profile, now)
            conn.execute(
                "INSERT INTO sessions (id, profile, created_at, updated_at, status, config, plan)"
                " VALUES (?, ?, ?, ?, 'active', ?, ?)",
                (session_id, self.profile, now, now, json.dumps(dict(config)),
                 json.dumps(list(plan))),
            )
        return session_id

    def get_session(self, session_id: str) -> SessionRecord | None:
        """This learner's session with this id, or None."""
        with self._db.read("read a session") as conn:
            row = conn.execute(f"{_SESSION_SQL} WHERE id = ? AND profile = ?",
                               (session_id, self.profile)).fetchone()
        return SessionRecord.from_row(row) if row else None

    def latest_active_session(self) -> SessionRecord | None:
        """The most recently updated active session (the one to resume), or None."""
        with self._db.read("find the active session") as conn:
            row = conn.execute(
                f"{_SESSION_SQL} WHERE profile = ? AND status = 'active'"
                " ORDER BY updated_at DESC, created_at DESC, id LIMIT 1", (self.profile,)
            ).fetchone()
        return SessionRecord.from_row(row) if row else None

    def list_sessions(self, limit: int | None = 50) -> list[SessionRecord]:
        """The latest sessions, newest first (all of them with limit=None)."""
        sql = f"{_SESSION_SQL} WHERE profile = ? ORDER BY created_at DESC, id"
        params: tuple[Any, ...] = (self.profile,)
        if limit is not None:
            sql, params = sql + " LIMIT ?", (*params, limit)
        with self._db.read("list sessions") as conn:
            rows = conn.execute(sql, params).fetchall()
        return [SessionRecord.from_row(row) for row in rows]

    def finish_session(self, session_id: str, status: SessionStatus = "finished") -> None:
        """Close a session as 'finished' or 'abandoned' ('active' reopens it).

        Raises:
            StoreError: if this learner has no such session.
        """
        if status not in get_args(SessionStatus):
            raise ValueError(f"status must be one of {get_args(SessionStatus)}, got {status!r}")
        with self._db.write("finish a session") as conn:
            cursor = conn.execute(
                "UPDATE sessions SET status = ?, updated_at = ? WHERE id = ? AND profile = ?",
                (status, format_time(_now()), session_id, self.profile),
            )
            if cursor.rowcount == 0:
                raise StoreError(f"No session {session_id} for profile {self.profile!r}: list "
                                 "sessions with `tutor report`")

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
            StoreError: unknown session (or another learner's), position already recorded, or
                the database failed.
        """
        if kind not in get_args(TurnKind):
            raise ValueError(f"kind must be one of {get_args(TurnKind)}, got {kind!r}")
        graded = graded_at or _now()
        started = graded - timedelta(seconds=max(seconds, 0.0))
        with self._db.write(f"record turn {position} of session {session_id}") as conn:
            self._check_turn_slot(conn, session_id, position)
            values = (session_id, position, card_id, topic, question, kind, answer)
            graded_values = (grade.model_dump_json(), grade.score, format_time(started),
                             format_time(graded))
            turn_id = conn.execute(_INSERT_TURN, (*values, *graded_values, seconds)).fetchone()[0]
            conn.execute("UPDATE sessions SET updated_at = ? WHERE id = ?",
                         (format_time(graded), session_id))
            if schedule:
                self._review(conn, card_id, grade.score, graded)
        return int(turn_id)

    def _check_turn_slot(self, conn: Connection, session_id: str, position: int) -> None:
        # Checked inside the write transaction; the UNIQUE constraint backs it on PostgreSQL.
        owned = "SELECT 1 FROM sessions WHERE id = ? AND profile = ?"
        if not conn.execute(owned, (session_id, self.profile)).fetchone():
            raise StoreError(f"No session {session_id} for profile {self.profile!r} in "
                             f"{self.location}: start one first")
        taken = "SELECT 1 FROM turns WHERE session_id = ? AND position = ?"
        if conn.execute(taken, (session_id, position)).fetchone():
            raise StoreError(
                f"Turn {position} of session {session_id} is already recorded: resume after "
                "the last position in Store.turns()"
            )

    def turns(self, session_id: str) -> list[TurnRecord]:
        """The turns of one of this learner's sessions, in order (none for another's)."""
        with self._db.read("read turns") as conn:
            rows = conn.execute(
                f"{_TURN_SQL} JOIN sessions s ON s.id = t.session_id"
                " WHERE t.session_id = ? AND s.profile = ? ORDER BY t.position",
                (session_id, self.profile),
            ).fetchall()
        return [self._turn(row) for row in rows]

    def all_turns(self) -> list[TurnRecord]:
        """Every turn of this learner, by session start then position (for exports)."""
        with self._db.read("read turns") as conn:
            rows = conn.execute(
                f"{_TURN_SQL} JOIN sessions s ON s.id = t.session_id WHERE s.profile = ?"
                " ORDER BY s.created_at, s.id, t.position", (self.profile,)
            ).fetchall()
        return [self._turn(row) for row in rows]

    def _turn(self, row: tuple[Any, ...]) -> TurnRecord:
        try:
            grade = Grade.model_validate_json(row[8])
        except ValidationError as exc:
            raise StoreError(
                f"Turn {row[0]} in {self.location} holds an unreadable grade "
                f"({exc.error_count()} errors): the file was edited or is from another tutor"
            ) from exc
        fields = list(row)
        fields[8], fields[10], fields[11] = grade, parse_time(row[10]), parse_time(row[11])
        return TurnRecord(*fields)

    # reviews

    def review_state(self, card_id: str) -> ReviewState | None:
        """The review schedule of a card, or None if this learner never reviewed it."""
        with self._db.read("read a review") as conn:
            row = conn.execute(f"{_REVIEW_SQL} WHERE profile = ? AND card_id = ?",
                               (self.profile, card_id)).fetchone()
        return ReviewState.from_row(row) if row else None

    def reviews(self) -> list[ReviewState]:
        """Every review schedule of this learner, soonest due first."""
        with self._db.read("list reviews") as conn:
            rows = conn.execute(f"{_REVIEW_SQL} WHERE profile = ? ORDER BY due, card_id",
                                (self.profile,)).fetchall()
        return [ReviewState.from_row(row) for row in rows]

    def due_cards(self, now: datetime | None = None, limit: int | None = None) -> list[str]:
        """Ids of the cards due at `now` (default: now), most overdue first."""
        sql = "SELECT card_id FROM reviews WHERE profile = ? AND due <= ? ORDER BY due, card_id"
        params: tuple[Any, ...] = (self.profile, format_time(now or _now()))
        if limit is not None:
            sql, params = sql + " LIMIT ?", (*params, limit)
        with self._db.read("list due cards") as conn:
            rows = conn.execute(sql, params).fetchall()
        return [row[0] for row in rows]

    def update_review(self, card_id: str, score: float, when: datetime) -> ReviewState:
        """Feed a 0-5 grade of `card_id` given at `when` to FSRS; return the new schedule."""
        with self._db.write(f"update the review of {card_id}") as conn:
            return self._review(conn, card_id, score, when)

    def _review(self, conn: Connection, card_id: str, score: float,
                when: datetime) -> ReviewState:
        row = conn.execute(
            "SELECT card, reps FROM reviews WHERE profile = ? AND card_id = ?"
            + self._db.lock_clause, (self.profile, card_id))
        previous, reps = row.fetchone() or (None, 0)
        try:
            card, due = schedule_review(previous, score, when)
        except ValueError as exc:
            raise StoreError(
                f"Cannot schedule {card_id} in {self.location} ({exc}): delete its row in the "
                "reviews table to restart its schedule"
            ) from exc
        self._ensure_profile(conn, self.profile, format_time(when))
        conn.execute(
            "INSERT INTO reviews (profile, card_id, card, due, last_score, reps, updated_at)"
            " VALUES (?, ?, ?, ?, ?, 1, ?) ON CONFLICT (profile, card_id) DO UPDATE SET"
            " card = excluded.card, due = excluded.due, last_score = excluded.last_score,"
            " reps = reviews.reps + 1, updated_at = excluded.updated_at",
            (self.profile, card_id, card, format_time(due), score, format_time(when)),
        )
        return ReviewState(card_id, card, due, score, reps + 1, to_utc(when))

    # progress

    def score_history(self, include_follow_ups: bool = False) -> list[SessionScore]:
        """Mean score of each session with graded turns, oldest first."""
        with self._db.read("read score history") as conn:
            rows = conn.execute(
                "SELECT s.id, s.created_at, s.status, COUNT(t.id), AVG(t.score) FROM sessions s"
                " JOIN turns t ON t.session_id = s.id WHERE s.profile = ? AND (t.kind = 'main'"
                " OR ?) GROUP BY s.id, s.created_at, s.status ORDER BY s.created_at, s.id",
                (self.profile, include_follow_ups),
            ).fetchall()
        return [SessionScore(r[0], parse_time(r[1]), r[2], r[3], r[4]) for r in rows]

    def topic_history(self, include_follow_ups: bool = False) -> list[TopicScore]:
        """Mean score per topic (as recorded on each turn) over all sessions, weakest first."""
        with self._db.read("read topic history") as conn:
            rows = conn.execute(
                "SELECT t.topic, COUNT(*), AVG(t.score), MAX(t.graded_at) FROM turns t"
                " JOIN sessions s ON s.id = t.session_id WHERE s.profile = ?"
                " AND (t.kind = 'main' OR ?) GROUP BY t.topic ORDER BY AVG(t.score), t.topic",
                (self.profile, include_follow_ups),
            ).fetchall()
        return [TopicScore(r[0], r[1], r[2], parse_time(r[3])) for r in rows]

    # profiles (every learner: for `tutor profiles` and the app's picker)

    def list_profiles(self) -> list[ProfileSummary]:
        """Every learner in the database, by name, with their session and answer counts."""
        with self._db.read("list profiles") as conn:
            rows = conn.execute(
                "SELECT p.name, p.created_at, COUNT(DISTINCT s.id), COUNT(t.id),"
                " MAX(s.updated_at) FROM profiles p LEFT JOIN sessions s ON s.profile = p.name"
                " LEFT JOIN turns t ON t.session_id = s.id GROUP BY p.name, p.created_at"
                " ORDER BY p.name").fetchall()
        return [ProfileSummary(r[0], parse_time(r[1]), r[2], r[3],
                               parse_time(r[4]) if r[4] else None) for r in rows]

    def create_profile(self, name: str) -> None:
        """Register a learner (nothing happens if they exist)."""
        check_profile_name(name)
        with self._db.write(f"create profile {name}") as conn:
            self._ensure_profile(conn, name, format_time(_now()))

    def delete_profile(self, name: str) -> dict[str, int]:
        """Delete a learner and all their data in one transaction; return what was deleted.

        Raises:
            StoreError: if there is no such profile.
        """
        check_profile_name(name)
        owned = "SELECT id FROM sessions WHERE profile = ?"
        with self._db.write(f"delete profile {name}") as conn:
            counts = {"turns": conn.execute(f"DELETE FROM turns WHERE session_id IN ({owned})",
                                            (name,)).rowcount,
                      "sessions": conn.execute("DELETE FROM sessions WHERE profile = ?",
                                               (name,)).rowcount,
                      "reviews": conn.execute("DELETE FROM reviews WHERE profile = ?",
                                              (name,)).rowcount}
            found = conn.execute("DELETE FROM profiles WHERE name = ?", (name,)).rowcount
            if not found and not any(counts.values()):
                raise StoreError(f"No profile {name!r}: list them with `tutor profiles`")
        return counts

    def export(self) -> dict[str, Any]:
        """Everything stored for this learner, as JSON-ready data (a request for their data)."""
        turns: dict[str, list[dict[str, Any]]] = {}
        for turn in self.all_turns():
            turns.setdefault(turn.session_id, []).append(turn.to_dict())
        sessions = sorted(self.list_sessions(limit=None), key=lambda s: (s.created_at, s.id))
        return {"profile": self.profile, "exported_at": _now().isoformat(),
                "sessions": [{**s.to_dict(), "turns": turns.get(s.id, [])} for s in sessions],
                "reviews": [r.to_dict() for r in self.reviews()]}

    @staticmethod
    def _ensure_profile(conn: Connection, name: str, now: str) -> None:
        conn.execute("INSERT INTO profiles (name, created_at) VALUES (?, ?)"
                     " ON CONFLICT (name) DO NOTHING", (name, now))


_SESSION_SQL = ("SELECT id, created_at, updated_at, status, config, plan, profile FROM sessions")
_TURN_SQL = (
    "SELECT t.id, t.session_id, t.position, t.card_id, t.topic, t.question, t.kind, t.answer,"
    " t.grade, t.score, t.started_at, t.graded_at, t.seconds FROM turns t"
)
_REVIEW_SQL = "SELECT card_id, card, due, last_score, reps, updated_at FROM reviews"
_INSERT_TURN = (
    "INSERT INTO turns (session_id, position, card_id, topic, question, kind, answer, grade,"
    " score, started_at, graded_at, seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " RETURNING id"
)
