"""What every page of the inbox shares: the guarded request (session, CSRF, the person, one
transaction), rendering a page, the error pages and the security headers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from markupsafe import Markup
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.app import App
from bot.domain.errors import AccessDenied, DomainError
from bot.domain.models import Person
from bot.domain.web_links import WEB_ROLES
from bot.storage import people
from bot.storage.unit import Tx
from bot.web.security import Throttle, csrf_ok, csrf_token, end_session, session_person
from messages import render
from messages.web import render_page

DEFAULT_LOCALE = "nl"
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; "
        "form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "SAMEORIGIN",
    "referrer-policy": "no-referrer",  # a login link never leaves in a Referer header
    "cache-control": "no-store",
}


@dataclass
class Web:
    """The inbox's share of the running assistant, and its login throttles."""

    app: App
    login_tries: Throttle = field(default_factory=lambda: Throttle(20, timedelta(minutes=15)))
    mail_requests: Throttle = field(default_factory=lambda: Throttle(5, timedelta(minutes=15)))


@dataclass
class Page:
    """One request of a logged-in person, inside one database transaction."""

    request: Request
    tx: Tx
    now: datetime
    person: Person
    web: Web

    @property
    def locale(self) -> str:
        """The person's language."""
        return self.person.locale

    def html(self, page: str, code: int = 200, **ctx: Any) -> HTMLResponse:
        """Render a page for this person."""
        return page_response(self.request, page, self.person, code, **ctx)


def web_of(request: Request) -> Web:
    """The inbox's shared state."""
    found: Web = request.app.state.web
    return found


def page_response(
    request: Request, page: str, person: Person | None, code: int = 200, **ctx: Any
) -> HTMLResponse:
    """A rendered page with the layout's context (the person, the CSRF token)."""
    locale = person.locale if person is not None else DEFAULT_LOCALE
    shown = {"name": person.name, "role": person.role.value} if person is not None else None
    text = render_page(page, locale, person=shown, csrf=csrf_token(request), **ctx)
    return HTMLResponse(text, status_code=code)


def error_page(request: Request, person: Person | None, status: int, **ctx: Any) -> HTMLResponse:
    """The page for 403, 404, 400 and 429: the same page for the same status."""
    return page_response(request, "error", person, status, status=status, **ctx)


def to_login(request: Request) -> Response:
    """Send someone without a session to the login page (htmx follows HX-Redirect)."""
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": "/login"})
    return RedirectResponse("/login", status_code=303)


class _LoggedOut(Exception):
    """The session is over or its person can no longer use the inbox."""


Handler = Callable[[Page], Awaitable[Response]]


def guarded(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """A page for a logged-in person: CSRF on POST, the session, one transaction; someone
    else's (or a missing) item answers 404, a domain error 400 with its message."""

    async def endpoint(request: Request) -> Response:
        web = web_of(request)
        services = web.app.services
        now = services.clock.now()
        if request.method == "POST" and not await csrf_ok(request):
            return error_page(request, None, 403)
        person_id = session_person(request, now)
        if person_id is None:
            return to_login(request)
        seen: list[Person] = []
        try:
            async with services.db.transaction() as tx:
                person = await people.person_by_id(tx, person_id)
                if person is None or person.role not in WEB_ROLES:
                    raise _LoggedOut()
                seen.append(person)
                return await handler(Page(request, tx, now, person, web))
        except _LoggedOut:
            end_session(request)
            return to_login(request)
        except AccessDenied:
            return error_page(request, seen[0] if seen else None, 404)
        except DomainError as exc:
            who = seen[0] if seen else None
            said = render(exc.key, who.locale if who else DEFAULT_LOCALE, **exc.context)
            text = Markup(said)  # noqa: S704 - render() autoescapes every value
            return error_page(request, who, 400, message=text)

    endpoint.__name__ = handler.__name__
    endpoint.__doc__ = handler.__doc__
    return endpoint


class SecurityHeaders:
    """Adds the security headers to every response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, sending)
