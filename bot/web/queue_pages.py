"""The Wachtrij and an item: the list with filters, the whole declaration, its proof files, and
the actions Afgehandeld, Vraag correctie and Herinner nu (the chat's own services)."""

from __future__ import annotations

import asyncio
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

from markupsafe import Markup
from starlette.responses import FileResponse, RedirectResponse, Response

from bot.domain.errors import AccessDenied
from bot.domain.proof import sniff
from bot.domain.queue import KINDS, OPEN_STATES, STATES
from bot.services import inbox, queue, queue_remind
from bot.web.base import Page, guarded
from bot.web.views import age_days, version_rows
from messages import render

INLINE_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")


@guarded
async def home(p: Page) -> Response:
    """The queue for a klantmanager or administrator; the participants for a coach."""
    target = "/wachtrij" if p.person.role in inbox.REVIEWERS else "/deelnemers"
    return RedirectResponse(target, status_code=303)


@guarded
async def wachtrij(p: Page) -> Response:
    """Open items with state, kind, participant, month and age; filters by state and kind."""
    state = p.request.query_params.get("status") or None
    kind = p.request.query_params.get("soort") or None
    found = await inbox.queue_view(p.tx, p.now, p.person, state, kind)
    entries = [asdict(e) | {"age": age_days(e.created_at, p.now)} for e in found.entries]
    context: dict[str, Any] = {
        "entries": entries,
        "states": found.states,
        "kinds": found.kinds,
        "state": found.state,
        "kind": found.kind,
        "all_states": STATES,
        "open_states": OPEN_STATES,
        "all_kinds": KINDS,
        "open_total": sum(found.states.get(s, 0) for s in OPEN_STATES),
        "section": "queue",
    }
    if p.request.headers.get("hx-request") and p.request.headers.get("hx-target") == "queue":
        return p.html("queue_table", **context)
    return p.html("queue", **context)


async def _item(p: Page, item_id: int, **extra: Any) -> Response:
    services = p.web.app.services
    view = await inbox.item_view(
        p.tx, p.now, p.person, item_id, services.policy, services.settings.proof_dir
    )
    card = view.card.context()
    proofs = [
        {"number": n, "name": f.name, "exists": f.exists, "pdf": f.name.lower().endswith(".pdf")}
        for n, f in enumerate(view.proofs, start=1)
    ]
    return p.html(
        "item",
        card=card,
        participant_id=view.participant_id,
        versions=version_rows(view.versions),
        history=[asdict(h) for h in view.history],
        proofs=proofs,
        section="queue",
        **extra,
    )


@guarded
async def item(p: Page) -> Response:
    """One item in full."""
    return await _item(p, p.request.path_params["item_id"])


@guarded
async def done(p: Page) -> Response:
    """Afgehandeld, as the chat's button."""
    item_id = p.request.path_params["item_id"]
    services = p.web.app.services
    closed = await queue.mark_done(p.tx, p.now, p.person, item_id, services.policy)
    return await _item(
        p, item_id, notice=_said(p, "queue/done" if closed else "queue/already_done")
    )


@guarded
async def correction(p: Page) -> Response:
    """Vraag correctie with a reason, as the chat's button and its question."""
    item_id = p.request.path_params["item_id"]
    form = await p.request.form()
    reason = str(form.get("reason", ""))
    services = p.web.app.services
    name, period = await queue.request_correction(
        p.tx, p.now, p.person, item_id, reason, services.policy
    )
    return await _item(p, item_id, notice=_said(p, "queue/fix_sent", name=name, period=period))


@guarded
async def remind(p: Page) -> Response:
    """Herinner nu, as the chat's button (once per item and day, after quiet hours)."""
    item_id = p.request.path_params["item_id"]
    services = p.web.app.services
    sent = await queue_remind.remind_now(p.tx, p.now, p.person, item_id, services.policy)
    key = "queue/remind_already" if sent.already else "queue/remind_sent"
    notice = _said(p, key, name=sent.name, period=sent.period, at=sent.at, held=sent.held)
    return await _item(p, item_id, notice=notice)


def _said(p: Page, key: str, **ctx: object) -> Markup:
    """What the chat answers to the same button, as the page's notice (escaped by render)."""
    return Markup(render(key, p.locale, **ctx))  # noqa: S704 - render() autoescapes


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(16)


SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@guarded
async def proof(p: Page) -> Response:
    """One proof file, inline, only to someone who may see the item (404 for anyone else)."""
    services = p.web.app.services
    found = await inbox.proof_file(
        p.tx,
        p.now,
        p.person,
        p.request.path_params["item_id"],
        p.request.path_params["number"],
        services.settings.proof_dir,
        services.policy,
    )
    path = Path(found.path)
    mime = sniff(await asyncio.to_thread(_head, path))
    if mime not in INLINE_TYPES:
        raise AccessDenied()
    name = SAFE_NAME.sub("_", found.name)[:80] or "bewijs"
    return FileResponse(
        path,
        media_type=mime,
        headers={
            "content-disposition": f'inline; filename="{name}"',
            "content-security-policy": "frame-ancestors 'self'",
        },
    )
