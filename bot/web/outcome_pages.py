"""The outcome form on the Deelnemer page (issue 17): record or correct how the trajectory
ended, as the chat's buttons do (the same service, access checks and audit)."""

from __future__ import annotations

from typing import Any

from starlette.responses import RedirectResponse, Response

from bot.domain.outcomes import outcome_names, parse_day
from bot.services import outcomes
from bot.web.base import Page, guarded

RECORDED = "vastgelegd"  # the query flag of the page shown after a recording


async def outcome_form(p: Page, participant_id: int) -> dict[str, Any] | None:
    """What the form shows: the end, the history and the policy's outcomes; None when this
    person may not record one (a coach)."""
    if p.person.role.value not in ("klantmanager", "admin"):
        return None
    policy = p.web.app.services.policy
    standing = await outcomes.standing(p.tx, p.now, p.person, policy, participant_id)
    return standing.context() | {
        "kinds": [
            {"code": o.code, "names": dict(o.names), "asks": o.asks} for o in policy.outcomes
        ],
        "names": outcome_names(policy),
        "recorded": p.request.query_params.get(RECORDED) == "1",
    }


@guarded
async def record_outcome(p: Page) -> Response:
    """Record (or correct) the outcome; back to the Deelnemer page, which shows it."""
    participant_id = p.request.path_params["participant_id"]
    form = await p.request.form()
    end_text = str(form.get("end_date", "")).strip()
    await outcomes.record(
        p.tx,
        p.now,
        p.person,
        p.web.app.services.policy,
        participant_id,
        str(form.get("code", "")),
        new_end=parse_day(end_text) if end_text else None,
        note=str(form.get("note", "")),
    )
    return RedirectResponse(f"/deelnemer/{participant_id}?{RECORDED}=1", status_code=303)
