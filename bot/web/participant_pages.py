"""Deelnemers and one Deelnemer: months with profit, share of the norm and hours, a chart,
the trajectory's dates and open items; a coach sees hours and progress only."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from starlette.responses import Response

from bot.services import inbox
from bot.web.base import Page, guarded
from bot.web.outcome_pages import outcome_form
from bot.web.views import age_days, chart


@guarded
async def participants(p: Page) -> Response:
    """The participants this person may look at."""
    found = await inbox.participants(p.tx, p.now, p.person)
    return p.html(
        "participants",
        participants=[{"id": pid, "name": name, "view": view.value} for pid, name, view in found],
        section="participants",
    )


@guarded
async def participant(p: Page) -> Response:
    """One participant, as much as this person may see (404 when nothing)."""
    return await show(p, p.request.path_params["participant_id"])


async def show(p: Page, participant_id: int, **extra: Any) -> Response:
    """The Deelnemer page; `extra`: a notice after an action."""
    policy = p.web.app.services.policy
    found = await inbox.participant_view(p.tx, policy, p.person, p.now, participant_id)
    open_items = [asdict(e) | {"age": age_days(e.created_at, p.now)} for e in found["open"]]
    return p.html(
        "participant",
        p=found,
        open_items=open_items,
        chart=chart(found["months"]) if found["amounts"] else None,
        section="participants",
        outcome=await outcome_form(p, participant_id) if found["amounts"] else None,
        **extra,
    )
