"""A throwaway PostgreSQL server for the tests: Debian's binaries, initdb into a temporary
directory, on a free local port, stopped and removed afterwards.

As root, the server runs as the `postgres` user (PostgreSQL refuses to run as root). Where
the binaries, that user or psycopg are missing, `unavailable()` says why, for a skip reason.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from tests.helpers import free_port

INSTALL = "run `bash scripts/install_postgres.sh` (Debian's postgresql; needs root and apt)"


def server_binaries() -> Path | None:
    """The folder holding initdb and postgres (the newest Debian version first)."""
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / "initdb").exists() and (folder / "postgres").exists():
            return folder
    initdb = shutil.which("initdb")
    return Path(os.path.realpath(initdb)).parent if initdb else None


def unavailable() -> str | None:
    """Why no server can be started here, or None."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed: run `pip install 'psycopg[binary]'`"
    if server_binaries() is None:
        return f"PostgreSQL server binaries not found: {INSTALL}"
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return f"running as root without a `postgres` user to run the server: {INSTALL}"
        if shutil.which("setpriv") is None:
            return "running as root without setpriv to run the server as `postgres`"
    return None


class PostgresServer:
    """One server process; `create_database()` gives each test a database of its own."""

    def __init__(self) -> None:
        self.bin = server_binaries()
        assert self.bin is not None, unavailable()
        self.root = Path(tempfile.mkdtemp(prefix="tutor-pg-"))  # not under /tmp/pytest-of-root:
        self.data = self.root / "data"  # the postgres user must reach it
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = self.root / "server.log"

    def _as_server_user(self, command: list[str]) -> list[str]:
        if os.geteuid() != 0:
            return command
        import pwd

        user = pwd.getpwnam("postgres")
        os.chown(self.root, user.pw_uid, user.pw_gid)
        return ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups",
                *command]

    def start(self, timeout: float = 60.0) -> None:
        initdb = [str(self.bin / "initdb"), "-D", str(self.data), "-U", "tutor", "-A", "trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]
        subprocess.run(self._as_server_user(initdb), check=True, capture_output=True,
                       timeout=120)
        server = [str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.port),
                  "-k", str(self.root), "-c", "listen_addresses=127.0.0.1",
                  "-c", "max_connections=60", "-c", "shared_buffers=32MB"]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(self._as_server_user(server), stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited:\n{self.log.read_text()}")
            with contextlib.suppress(Exception):
                import psycopg

                psycopg.connect(self.url("postgres"), connect_timeout=2).close()
                return
            time.sleep(0.2)
        raise RuntimeError(f"postgres did not accept connections:\n{self.log.read_text()}")

    def url(self, dbname: str) -> str:
        return f"postgresql://tutor@127.0.0.1:{self.port}/{dbname}"

    def create_database(self) -> str:
        """A new empty database; its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # "fast" shutdown
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def running_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()
