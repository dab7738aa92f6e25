"""One running assistant per SQLite file: an OS lock on `<db>.lock` beside the database."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class InstanceLocked(Exception):
    """Another process runs the assistant on this database file."""

    def __init__(self, database: Path, lock_file: Path) -> None:
        super().__init__(f"another ptobot is already running on {database}")
        self.database = database
        self.lock_file = lock_file


def lock_path(database: Path) -> Path:
    """The lock file beside the database: `<db>.lock`."""
    return database.with_name(database.name + ".lock")


@contextmanager
def instance_lock(database: Path) -> Iterator[Path | None]:
    """Hold an exclusive OS lock on `<db>.lock` for the block: one running assistant per file.

    flock(LOCK_EX | LOCK_NB): a second holder fails at once with InstanceLocked. The kernel drops
    the lock when the process ends however it ends (SIGKILL too), so a stale lock file is
    harmless and never removed. An in-memory database needs no lock (yields None).
    """
    if str(database) == ":memory:":
        yield None
        return
    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InstanceLocked(database, path) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())  # for a person looking; the flock decides
        yield path
    finally:
        os.close(fd)  # closing the last descriptor releases the flock
