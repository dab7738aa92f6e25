"""A throwaway PostgreSQL for the tests: `TEST_POSTGRES_URL`, or a cluster started from the
system's binaries (initdb, pg_ctl) in a temp folder on 127.0.0.1 and a free port, fsync off.

As root, initdb refuses to run: the cluster then runs as the `postgres` user (the folder is
handed to it). Each test gets a database of its own (`fresh_database`), dropped afterwards.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

_names = count(1)
POSTGRES_INTEGRITY = psycopg.IntegrityError  # see tests.factories.INTEGRITY_ERRORS


def find_binaries() -> Path | None:
    """The folder with initdb and pg_ctl: on PATH, or Debian's /usr/lib/postgresql/N/bin."""
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    for candidate in (shutil.which("initdb"), *map(str, debian)):
        if candidate and os.access(candidate, os.X_OK):
            folder = Path(os.path.realpath(candidate)).parent
            if (folder / "pg_ctl").exists():
                return folder
    return None


def unavailable_reason() -> str | None:
    """Why the PostgreSQL tests cannot run here, or None when they can."""
    if os.environ.get("TEST_POSTGRES_URL"):
        return None
    if find_binaries() is None:
        return (
            "PostgreSQL not available: set TEST_POSTGRES_URL=postgresql://user@host:port/db "
            "or install the server (initdb and pg_ctl, e.g. apt-get install postgresql)"
        )
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "PostgreSQL: running as root needs runuser to start the cluster as postgres"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_owner(argv: list[str]) -> list[str]:
    """Run as `postgres` when we are root (initdb and postgres refuse root)."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@contextlib.contextmanager
def cluster() -> Iterator[str]:
    """A running server's admin URL (…/postgres) for the block; removed afterwards."""
    given = os.environ.get("TEST_POSTGRES_URL")
    if given:
        yield given
        return
    binaries = find_binaries()
    assert binaries is not None, unavailable_reason()
    folder = Path(tempfile.mkdtemp(prefix="pto-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data = folder / "data"
    port = _free_port()
    subprocess.run(  # noqa: S603 - the server's own binaries, fixed arguments
        _as_owner([str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                   "--no-sync", "-E", "UTF8", "--locale", "C"]),
        check=True, capture_output=True, cwd=folder,
    )  # fmt: skip
    options = (
        f"-h 127.0.0.1 -p {port} -k {folder} -c fsync=off -c full_page_writes=off "
        "-c synchronous_commit=off -c max_connections=200"
    )
    subprocess.run(  # noqa: S603 - the server's own binaries, fixed arguments
        _as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-o", options,
                   "-l", str(folder / "server.log"), "-w", "-t", "60", "start"]),
        check=True, capture_output=True, cwd=folder,
    )  # fmt: skip
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(  # noqa: S603 - the server's own binaries, fixed arguments
            _as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True, cwd=folder,
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


def with_database(url: str, name: str) -> str:
    """`url` pointing at the database `name`."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextlib.contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """An empty database of its own on the server for the block (dropped, even if in use)."""
    name = f"pto_test_{os.getpid()}_{next(_names)}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(admin_url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create_database(admin_url: str, name: str, template: str | None = None) -> str:
    """A new database `name` on the server, a copy of the database `template` when given (which
    nobody may be connected to); its URL. The caller drops it (or the whole cluster goes)."""
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{copy}')
    return with_database(admin_url, name)


def postgres_rows(url: str, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
    """A query with the repositories' `?` placeholders on the database `url`, read-only; rows
    readable by name and by position (like sqlite3.Row)."""
    from bot.storage.postgres.adapt import pg_rows, translate

    with psycopg.connect(url, autocommit=True, row_factory=pg_rows) as conn:
        conn.read_only = True
        return list(conn.execute(translate(sql), params).fetchall())


def terminate(admin_url: str, backend_pid: int) -> None:
    """End one server process (a connection), as a restart or failover would."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (backend_pid,))
