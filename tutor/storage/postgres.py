"""Opening a PostgreSQL learner database (psycopg 3): versioned schema, readable errors.

The same tables as the SQLite schema at its latest version, in PostgreSQL's types. The version
lives in the one-row table `tutor_schema`: step N (1-based) of MIGRATIONS brings the schema to
version N, applied in one transaction under an advisory lock, so app instances starting
together migrate once. Append new steps; never edit one that has shipped.
"""

from __future__ import annotations

from typing import Any

from tutor.core.errors import StoreError

# Timestamps are fixed-width UTC ISO text here too, so the store's SQL is the same everywhere.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: profiles, sessions, turns, reviews (SQLite's version 3)
    (
        "CREATE TABLE profiles (name TEXT PRIMARY KEY, created_at TEXT NOT NULL)",
        """CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            profile TEXT NOT NULL DEFAULT 'default',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'active'
                CHECK (status IN ('active', 'finished', 'abandoned')),
            config TEXT NOT NULL DEFAULT '{}',
            plan TEXT NOT NULL DEFAULT '[]'
        )""",
        "CREATE INDEX sessions_by_profile ON sessions (profile, created_at)",
        "CREATE INDEX sessions_by_status ON sessions (profile, status, updated_at)",
        """CREATE TABLE turns (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            card_id TEXT NOT NULL,
            topic TEXT NOT NULL DEFAULT '',
            question TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('main', 'follow_up')),
            answer TEXT NOT NULL,
            grade TEXT NOT NULL,
            score DOUBLE PRECISION NOT NULL,
            started_at TEXT NOT NULL,
            graded_at TEXT NOT NULL,
            seconds DOUBLE PRECISION NOT NULL,
            UNIQUE (session_id, position)
        )""",
        "CREATE INDEX turns_by_card ON turns (card_id)",
        "CREATE INDEX turns_by_topic ON turns (topic)",
        """CREATE TABLE reviews (
            profile TEXT NOT NULL,
            card_id TEXT NOT NULL,
            card TEXT NOT NULL,
            due TEXT NOT NULL,
            last_score DOUBLE PRECISION NOT NULL,
            reps INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (profile, card_id)
        )""",
        "CREATE INDEX reviews_by_due ON reviews (profile, due)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
_MIGRATION_LOCK = 0x7475746F72  # "tutor": one advisory lock id for every instance


def schema_version(conn: Any) -> int:
    """The schema version recorded in the database (0 for an empty database)."""
    exists = conn.execute("SELECT to_regclass('tutor_schema') IS NOT NULL").fetchone()[0]
    if not exists:
        return 0
    row = conn.execute("SELECT version FROM tutor_schema").fetchone()
    return int(row[0]) if row else 0


def migrate(conn: Any, target: int = SCHEMA_VERSION) -> int:
    """Apply the missing steps up to `target` in one transaction; return the resulting version.

    Raises:
        StoreError: if the database was written by a newer tutor.
        psycopg.Error: if a step fails; nothing is applied then.
    """
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        conn.execute("CREATE TABLE IF NOT EXISTS tutor_schema (version INTEGER NOT NULL)")
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
            conn.execute("DELETE FROM tutor_schema")
            conn.execute("INSERT INTO tutor_schema (version) VALUES (%s)", (target,))
    return max(current, target)


def describe_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        from psycopg.conninfo import conninfo_to_dict

        parts = conninfo_to_dict(url)
    except Exception:  # noqa: BLE001 - a malformed URL is reported by connect()
        return "postgresql://?"
    host, port = parts.get("host") or "localhost", parts.get("port") or "5432"
    user = f"{parts['user']}@" if parts.get("user") else ""
    return f"postgresql://{user}{host}:{port}/{parts.get('dbname') or ''}"


def connect(url: str, timeout: float = 10.0) -> Any:
    """Open (migrating if needed) the PostgreSQL database at `url`, in autocommit mode.

    Raises:
        StoreError: psycopg is not installed, or the server is unreachable, refuses the
            login, or holds a newer schema.
    """
    try:
        import psycopg
    except ImportError as exc:
        raise StoreError("TUTOR_DB_URL names PostgreSQL but psycopg is not installed: run "
                         "`pip install 'psycopg[binary]'`") from exc
    conn = None
    try:
        conn = psycopg.connect(url, autocommit=True, connect_timeout=max(int(timeout), 1))
        conn.execute(f"SET lock_timeout = {int(timeout * 1000)}")
        migrate(conn)
        return conn
    except BaseException as exc:
        if conn is not None:
            conn.close()
        if isinstance(exc, psycopg.Error):
            raise store_error(exc, url, "open the database") from exc
        raise


def store_error(exc: Exception, url: str, action: str) -> StoreError:
    """A one-line, actionable StoreError for a psycopg error raised while trying to `action`."""
    import psycopg
    from psycopg import errors

    where = describe_url(url)
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, errors.LockNotAvailable | errors.QueryCanceled):
        hint = "is busy (a lock was held too long): retry in a moment"
    elif isinstance(exc, errors.DiskFull):
        hint = "cannot grow, the server's disk is full: free space and retry"
    elif isinstance(exc, errors.InsufficientPrivilege):
        hint = "refuses this user: grant it CREATE and USAGE on the database's schema"
    elif isinstance(exc, psycopg.OperationalError):
        hint = "cannot be reached: start the server or fix TUTOR_DB_URL"
    else:
        hint = "failed: check the server's log and TUTOR_DB_URL"
    return StoreError(f"Database {where} {hint} [{action}: {first_line}]")
