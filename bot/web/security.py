"""Sessions, CSRF tokens and login throttling of the web inbox.

The session lives in a signed cookie (Starlette's SessionMiddleware: itsdangerous, HttpOnly,
SameSite=Strict, Secure when the base URL is https). It holds the person's id, the CSRF token
and when the last request came; after `SESSION_IDLE` without one it is over. Every POST carries
the CSRF token, as a form field `csrf` or (htmx) the `X-CSRF-Token` header.
"""

from __future__ import annotations

import secrets
from collections import deque
from datetime import datetime, timedelta

from starlette.requests import Request

from bot.clock import parse_utc, utc_iso
from bot.domain.web_links import SESSION_IDLE

CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


def csrf_token(request: Request) -> str:
    """This session's CSRF token (made on first use, also before login)."""
    token = request.session.get(CSRF_FIELD)
    if not isinstance(token, str) or len(token) < 20:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


async def csrf_ok(request: Request) -> bool:
    """Whether a POST carries this session's CSRF token."""
    expected = request.session.get(CSRF_FIELD)
    if not isinstance(expected, str) or not expected:
        return False
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        field = form.get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    return sent is not None and secrets.compare_digest(sent.encode(), expected.encode())


def session_person(request: Request, now: datetime) -> int | None:
    """The person id of a live session, refreshing its last-seen time; None when over."""
    pid = request.session.get("pid")
    seen = request.session.get("seen")
    if not isinstance(pid, int) or not isinstance(seen, str):
        return None
    try:
        last = parse_utc(seen)
    except ValueError:
        return None
    if now - last > SESSION_IDLE or last - now > timedelta(minutes=5):
        request.session.clear()
        return None
    request.session["seen"] = utc_iso(now)
    return pid


def start_session(request: Request, person_id: int, now: datetime) -> None:
    """Log `person_id` in: a fresh session with a new CSRF token."""
    request.session.clear()
    request.session["pid"] = person_id
    request.session["seen"] = utc_iso(now)
    csrf_token(request)


def end_session(request: Request) -> None:
    """Log out."""
    request.session.clear()


class Throttle:
    """At most `limit` events per key within `window` (kept in memory, per process)."""

    def __init__(self, limit: int, window: timedelta) -> None:
        self.limit = limit
        self.window = window
        self._seen: dict[str, deque[datetime]] = {}

    def allow(self, key: str, now: datetime) -> bool:
        """Count one event for `key`; False when it is over the limit."""
        if len(self._seen) > 10_000:
            self._seen.clear()
        events = self._seen.setdefault(key, deque())
        while events and now - events[0] > self.window:
            events.popleft()
        if len(events) >= self.limit:
            return False
        events.append(now)
        return True


def client_key(request: Request) -> str:
    """Who is asking, for throttling: the client's address."""
    return request.client.host if request.client else "unknown"
