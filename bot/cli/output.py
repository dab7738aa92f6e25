"""What the command line hands out with personal data: private files and an audit entry each.

Files: created 0600 (owner read/write) from the first byte. An existing file is set to 0600
before it is emptied and rewritten, so it never holds the new data with its old, wider mode.
Audit: one `audit_log` row per command (actor: none, the command line is not a person), with
the OS user as far as the system tells, the command, the participants' ids and the output file.
"""

from __future__ import annotations

import getpass
import os
import stat
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from bot.storage import audit_log
from bot.storage.unit import Database

PRIVATE_MODE = 0o600


def os_user() -> str:
    """The OS user running the command, as far as the system tells (never raises)."""
    try:
        return getpass.getuser()
    except Exception:  # no LOGNAME/USER and no passwd entry (e.g. an arbitrary container uid)
        getuid = getattr(os, "getuid", None)
        return f"uid {getuid()}" if getuid is not None else "unknown"


def open_private(path: Path) -> IO[str]:
    """`path` opened for writing UTF-8 text, readable and writable by its owner only (0600).

    A new file is created 0600; an existing regular file is set to 0600, then emptied. Anything
    else (a pipe, /dev/stdout) is written as it is.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_MODE)
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.fchmod(fd, PRIVATE_MODE)
            os.ftruncate(fd, 0)
        return os.fdopen(fd, "w", encoding="utf-8", newline="")
    except BaseException:
        os.close(fd)
        raise


async def audit(
    db: Database,
    now: datetime,
    command: str,
    *,
    participants: Iterable[int],
    out: Path | None,
    subject_id: int | None = None,
    **details: Any,
) -> None:
    """One audit entry `cli.<command>` for what the command line read and hands out."""
    async with db.transaction() as tx:
        await audit_log.record(
            tx,
            now,
            None,
            f"cli.{command}",
            subject_id,
            os_user=os_user(),
            command=f"ptobot {command}",
            participants=sorted(set(participants)),
            out=str(out) if out is not None else "stdout",
            **details,
        )
