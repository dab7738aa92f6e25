"""The weekly hours check-in: answer buttons ("hours:<week>:<n>") and typed answers."""

from __future__ import annotations

from decimal import Decimal

from bot.contract import small_int
from bot.domain.hours import parse_hours
from bot.domain.models import Role
from bot.domain.typed import Refusal
from bot.services import checkin
from handlers.base import Ctx
from handlers.router import Router

FLOW = "hours"


def register(router: Router) -> None:
    """Register the check-in buttons and the typed-answer flow."""

    @router.callback("hours", roles=[Role.PARTICIPANT])
    async def hours_button(ctx: Ctx) -> None:
        """Store the hours chosen with a button, or ask for a typed number."""
        parts = (ctx.inbound.button or "").split(":")
        if len(parts) != 3:
            ctx.reply("common/stale_button")
            return
        week, choice = parts[1], parts[2]
        if choice == "other":
            checkin.check_week(week, ctx.now, ctx.services.policy)
            ctx.state.go(FLOW, "ask", week=week)
            ctx.reply("hours/ask_number", week=week)
            return
        hours = small_int(choice, limit=1000)
        if hours is None:
            ctx.reply("common/stale_button")
            return
        await _record(ctx, week, Decimal(hours))

    @router.flow(FLOW)
    async def hours_typed(ctx: Ctx) -> None:
        """A typed number of hours for the week asked about."""
        week = str(ctx.state.data.get("week", ""))
        maximum = ctx.services.policy.max_hours_per_week
        hours = parse_hours(ctx.inbound.text, maximum)
        if isinstance(hours, Refusal):  # every refusal gets the one check-in reply
            ctx.reply("hours/bad_number", maximum=int(maximum))
            return
        ctx.state.clear()
        await _record(ctx, week, hours)


async def _record(ctx: Ctx, week: str, hours: Decimal) -> None:
    person = ctx.require_person()
    policy = ctx.services.policy
    answer = await checkin.record_hours(ctx.tx, ctx.now, policy, person.id, week, hours)
    ctx.reply("hours/thanks", week=answer.week, hours=answer.hours)
    if answer.over_week_cap:
        ctx.reply("hours/over_cap_nudge", hours=answer.hours, cap=policy.hour_cap_per_week)
