"""The web inbox's one-time login links and sessions: lifetimes and the link's address.

A link is a 192-bit random token (made like an invite code, `bot.domain.invites`), stored only as
its SHA-256 hash, valid `LINK_TTL` and usable once. A session ends after `SESSION_IDLE` without a
request, and at logout.
"""

from __future__ import annotations

from datetime import timedelta

from bot.domain.models import Role

LINK_TTL = timedelta(minutes=15)
SESSION_IDLE = timedelta(hours=8)
KEEP_EXPIRED = timedelta(days=1)  # expired links are forgotten a day after they expire
WEB_ROLES = (Role.KLANTMANAGER, Role.ADMIN, Role.COACH)
LOGIN_PATH = "/login/"


def login_url(base_url: str, token: str) -> str:
    """The address a person opens to log in with `token`."""
    return f"{base_url.rstrip('/')}{LOGIN_PATH}{token}"
