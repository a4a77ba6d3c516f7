"""Opening the SQLite learner database: connection settings, versioned schema, readable errors.

The schema version lives in `PRAGMA user_version`: step N (1-based) of MIGRATIONS brings the
schema to version N. Append new steps; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from tutor.core.errors import StoreError

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: sessions, turns, reviews
    (
        """CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'active'
                CHECK (status IN ('active', 'finished', 'abandoned')),
            config TEXT NOT NULL DEFAULT '{}',
            plan TEXT NOT NULL DEFAULT '[]'
        )""",
        "CREATE INDEX sessions_by_status ON sessions (status, updated_at)",
        """CREATE TABLE turns (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            card_id TEXT NOT NULL,
            question TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('main', 'follow_up')),
            answer TEXT NOT NULL,
            grade TEXT NOT NULL,
            score REAL NOT NULL,
            started_at TEXT NOT NULL,
            graded_at TEXT NOT NULL,
            seconds REAL NOT NULL,
            UNIQUE (session_id, position)
        )""",
        "CREATE INDEX turns_by_card ON turns (card_id)",
        """CREATE TABLE reviews (
            card_id TEXT PRIMARY KEY,
            card TEXT NOT NULL,
            due TEXT NOT NULL,
            last_score REAL NOT NULL,
            reps INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL
        )""",
        "CREATE INDEX reviews_by_due ON reviews (due)",
    ),
    # 2: the topic of each turn, for the progress dashboard
    (
        "ALTER TABLE turns ADD COLUMN topic TEXT NOT NULL DEFAULT ''",
        "CREATE INDEX turns_by_topic ON turns (topic)",
    ),
    # 3: learner profiles. Sessions (and so their turns) and reviews belong to one; what was
    # stored before profiles existed goes to "default". SQLite cannot change a primary key, so
    # reviews is rebuilt with (profile, card_id) as its key.
    (
        "CREATE TABLE profiles (name TEXT PRIMARY KEY, created_at TEXT NOT NULL)",
        """INSERT INTO profiles (name, created_at)
            SELECT 'default', first FROM (SELECT MIN(at) AS first FROM (
                SELECT created_at AS at FROM sessions UNION ALL SELECT updated_at FROM reviews))
            WHERE first IS NOT NULL""",
        "ALTER TABLE sessions ADD COLUMN profile TEXT NOT NULL DEFAULT 'default'",
        "CREATE INDEX sessions_by_profile ON sessions (profile, created_at)",
        """CREATE TABLE reviews_v3 (
            profile TEXT NOT NULL,
            card_id TEXT NOT NULL,
            card TEXT NOT NULL,
            due TEXT NOT NULL,
            last_score REAL NOT NULL,
            reps INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (profile, card_id)
        )""",
        """INSERT INTO reviews_v3 (profile, card_id, card, due, last_score, reps, updated_at)
            SELECT 'default', card_id, card, due, last_score, reps, updated_at FROM reviews""",
        "DROP TABLE reviews",
        "ALTER TABLE reviews_v3 RENAME TO reviews",
        "CREATE INDEX reviews_by_due ON reviews (profile, due)",
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    """The schema version recorded in the database (0 for a new file)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Apply the missing steps up to `target` in one transaction; return the resulting version.

    `conn` must be in autocommit mode (isolation_level=None). BEGIN IMMEDIATE takes the write
    lock before the version is read, so processes opening a new database at once migrate it once.

    Raises:
        StoreError: if the database was written by a newer tutor.
        sqlite3.Error: if a step fails; nothing is applied then.
    """
    if schema_version(conn) == target:  # the common case needs no write lock
        return target
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = schema_version(conn)
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"The database has schema version {current}, newer than this tutor "
                f"({SCHEMA_VERSION}): upgrade tutor (`pip install -U tutor`)"
            )
        for version in range(current + 1, target + 1):
            for statement in MIGRATIONS[version - 1]:
                conn.execute(statement)
        if target > current:
            conn.execute(f"PRAGMA user_version = {int(target)}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return max(current, target)


def connect(path: Path, timeout: float = 10.0) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the database at `path`, in autocommit mode.

    WAL lets readers run beside one writer; synchronous=FULL makes every commit durable, even
    across a power cut; the busy timeout makes writers queue instead of failing at once.

    Raises:
        StoreError: if the file cannot be opened, is corrupt, or is from a newer tutor.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"Cannot create {path.parent} ({exc.strerror}): check permissions of "
            "TUTOR_DATA_DIR or point it at a writable directory"
        ) from exc
    conn: sqlite3.Connection | None = None
    try:
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        _enable_wal(conn, timeout)
        conn.execute("PRAGMA synchronous = FULL")
        migrate(conn)
        return conn
    except BaseException as exc:
        if conn is not None:
            conn.close()
        if isinstance(exc, sqlite3.Error):
            raise store_error(exc, path, "open the database") from exc
        raise


def _enable_wal(conn: sqlite3.Connection, timeout: float) -> None:
    """Switch to WAL, retrying while other processes hold the file: SQLite answers a journal
    mode change with SQLITE_BUSY at once, without waiting on the busy timeout (seen when
    several processes open a new database together)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY,
                                                               sqlite3.SQLITE_LOCKED)
            if not busy or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


_READ_ONLY = "is read-only: check permissions of TUTOR_DATA_DIR ({dir})"
_BUSY = "is locked by another tutor process: close it or retry in a moment"
_ERROR_HINTS: dict[int, str] = {
    sqlite3.SQLITE_BUSY: _BUSY,
    sqlite3.SQLITE_LOCKED: _BUSY,
    sqlite3.SQLITE_READONLY: _READ_ONLY,
    sqlite3.SQLITE_PERM: _READ_ONLY,
    sqlite3.SQLITE_CANTOPEN: "cannot be opened: check that TUTOR_DATA_DIR ({dir}) exists and "
    "is writable",
    sqlite3.SQLITE_FULL: "cannot grow, the disk is full: free space and retry "
    "(what was already saved is kept)",
    sqlite3.SQLITE_NOTADB: "is not a tutor database (corrupt or foreign file): move it aside "
    "and a new one will be created",
    sqlite3.SQLITE_CORRUPT: "is corrupt: move it aside (keep it for `sqlite3 .recover`) and a "
    "new one will be created",
    sqlite3.SQLITE_IOERR: "cannot be read or written (I/O error): check the disk and "
    "permissions of TUTOR_DATA_DIR ({dir})",
}


def store_error(exc: sqlite3.Error, path: Path, action: str) -> StoreError:
    """A one-line, actionable StoreError for a sqlite3 error raised while trying to `action`."""
    code = getattr(exc, "sqlite_errorcode", None)
    hint = _ERROR_HINTS.get(code & 0xFF) if code is not None else None
    hint = (hint or "failed: check the file and TUTOR_DATA_DIR ({dir})").format(dir=path.parent)
    return StoreError(f"Database {path} {hint} [{action}: {exc}]")
