"""The two database backends behind one small contract: a connection for reads, a transaction
for writes, and errors turned into StoreError.

The store writes its SQL once, with `?` placeholders and portable syntax; the PostgreSQL
connection rewrites the placeholders for psycopg. `location` names the database in messages
(a path, or a URL without its password).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

from tutor.core.errors import ConfigError, StoreError
from tutor.storage import migrations, postgres

SCHEMES = ("sqlite", "postgresql", "postgres")


class Connection(Protocol):
    """What the store calls: `execute(sql, params)` returning a cursor (fetchone, fetchall,
    rowcount)."""

    def execute(self, sql: str, params: Any = ...) -> Any: ...


class Database(Protocol):
    """One open database: thread-safe; `write` commits on success, rolls back on error."""

    location: str
    lock_clause: str  # appended to a SELECT that reads a row it will update

    def read(self, action: str) -> AbstractContextManager[Connection]: ...
    def write(self, action: str) -> AbstractContextManager[Connection]: ...
    def close(self) -> None: ...


class SQLiteDatabase:
    """One SQLite file (WAL, synchronous=FULL); writes take the lock up front (BEGIN IMMEDIATE)."""

    lock_clause = ""  # BEGIN IMMEDIATE already serialises writers

    def __init__(self, path: Path, timeout: float = 10.0) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = migrations.connect(self.path, timeout)

    @property
    def connection(self) -> sqlite3.Connection | None:
        return self._conn

    @contextmanager
    def read(self, action: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._conn is None:
                raise StoreError(f"Database {self.path} is closed: open a new Store")
            try:
                yield self._conn
            except sqlite3.Error as exc:
                raise migrations.store_error(exc, self.path, action) from exc

    @contextmanager
    def write(self, action: str) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front: no deadlock upgrading a read to a write.
        with self.read(action) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class _QmarkConnection:
    """A psycopg connection that takes the store's `?` placeholders."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Any = ()) -> Any:
        return self._conn.execute(_pyformat(sql), params)


@lru_cache(maxsize=256)
def _pyformat(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresDatabase:
    """A PostgreSQL database through one psycopg 3 connection (autocommit; a transaction per
    write). A connection the server dropped is reopened on the next call."""

    lock_clause = " FOR UPDATE"

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url, self.timeout = url, timeout
        self.location = postgres.describe_url(url)
        self._lock = threading.RLock()
        self._conn: Any = postgres.connect(url, timeout)
        self._closed = False

    @contextmanager
    def read(self, action: str) -> Iterator[Connection]:
        import psycopg

        with self._lock:
            if self._closed:
                raise StoreError(f"Database {self.location} is closed: open a new Store")
            if self._conn.broken or self._conn.closed:
                self._conn = postgres.connect(self.url, self.timeout)
            try:
                yield _QmarkConnection(self._conn)
            except psycopg.Error as exc:
                raise postgres.store_error(exc, self.url, action) from exc

    @contextmanager
    def write(self, action: str) -> Iterator[Connection]:
        with self.read(action) as conn, self._conn.transaction():
            yield conn

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()


def open_database(location: str | Path, timeout: float = 10.0) -> SQLiteDatabase | PostgresDatabase:
    """The database at a path, a `sqlite:///path` URL or a `postgresql://` URL.

    Raises:
        ConfigError: the URL names another kind of database.
        StoreError: the database cannot be opened.
    """
    text = str(location)
    if "://" not in text:
        return SQLiteDatabase(Path(text), timeout)
    scheme = urlparse(text).scheme.split("+")[0]
    if scheme in ("postgresql", "postgres"):
        return PostgresDatabase(text, timeout)
    if scheme == "sqlite":
        # SQLAlchemy's spelling: sqlite:///relative.db, sqlite:////absolute/path.db
        return SQLiteDatabase(Path(text.split("://", 1)[1][1:]), timeout)
    raise ConfigError(f"TUTOR_DB_URL {text.split('://')[0]}://… is not supported: use one of "
                      f"{', '.join(s + '://' for s in SCHEMES)}")
