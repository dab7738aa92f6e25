"""The session secret: `PTO_WEB_SECRET`, or one generated once and kept in the data folder."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from bot.config import Settings

SECRET_FILE = "web_secret"  # noqa: S105 - a file name, not a secret


def secret_path(settings: Settings) -> Path:
    """Where the generated secret lives: next to the database file (see `Settings.data_dir`)."""
    return settings.data_dir / SECRET_FILE


def session_secret(settings: Settings) -> str:
    """The secret that signs session cookies (made 0600 on first use when none is set)."""
    if settings.web_secret:
        return settings.web_secret
    path = secret_path(settings)
    if path.is_file():
        kept = path.read_text(encoding="utf-8").strip()
        if len(kept) >= 32:
            return kept
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    path.chmod(0o600)
    return value
