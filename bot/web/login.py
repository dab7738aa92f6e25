"""Logging in with a one-time link, asking for one by e-mail, and logging out."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.services import web_login
from bot.web.base import error_page, page_response, web_of
from bot.web.security import client_key, csrf_ok, end_session, start_session

TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
ADDRESS = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}")


async def login_form(request: Request) -> Response:
    """The login page: how to get a link, and a form to have one mailed."""
    return page_response(request, "login", None, mailed=False, mail=web_login.mail_on())


async def ask_link(request: Request) -> Response:
    """Mail a login link to a known address; the same answer whether it is known or not."""
    web = web_of(request)
    now = web.app.services.clock.now()
    if not await csrf_ok(request):
        return error_page(request, None, 403)
    form = await request.form()
    address = str(form.get("email", "")).strip()[:320]
    if not web.mail_requests.allow(client_key(request), now) or not web.mail_requests.allow(
        f"mail:{address.lower()}", now
    ):
        return error_page(request, None, 429)
    if ADDRESS.fullmatch(address):
        async with web.app.services.db.transaction() as tx:
            await web_login.mail_link(tx, now, address, web.app.services.settings.web_base_url)
    return page_response(request, "login", None, mailed=True, mail=web_login.mail_on())


async def link_page(request: Request) -> Response:
    """A login link opened: a button that logs in (a prefetch of the link does not use it)."""
    web = web_of(request)
    services = web.app.services
    now = services.clock.now()
    if not web.login_tries.allow(client_key(request), now):
        return error_page(request, None, 429)
    token = request.path_params["token"]
    valid = False
    if TOKEN.fullmatch(token):
        async with services.db.read() as tx:
            valid = await web_login.check(tx, now, token)
    if not valid:
        return page_response(request, "link_refused", None, 400)
    return page_response(request, "link", None, token=token)


async def use_link(request: Request) -> Response:
    """Log in with the link: once, within 15 minutes; a forged, used or old one is refused."""
    web = web_of(request)
    services = web.app.services
    now = services.clock.now()
    if not web.login_tries.allow(client_key(request), now):
        return error_page(request, None, 429)
    if not await csrf_ok(request):
        return error_page(request, None, 403)
    token = request.path_params["token"]
    person = None
    if TOKEN.fullmatch(token):
        async with services.db.transaction() as tx:
            person = await web_login.redeem(tx, now, token)
    if person is None:
        return page_response(request, "link_refused", None, 400)
    start_session(request, person.id, now)
    return RedirectResponse("/", status_code=303)


async def logout(request: Request) -> Response:
    """End the session."""
    if not await csrf_ok(request):
        return error_page(request, None, 403)
    end_session(request)
    return page_response(request, "logged_out", None)
