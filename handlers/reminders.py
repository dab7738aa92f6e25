"""Coach pushes: `/herinnering` (choose participants, text, when, confirm) and `/herinneringen`."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from bot.clock import parse_utc, utc_iso
from bot.contract import Button, small_int
from bot.domain.localtime import parse_local_datetime, parse_local_time
from bot.domain.models import Role
from bot.domain.pushes import ONCE, WEEKLY, ListedPush
from bot.services import coach
from handlers.base import Ctx
from handlers.router import Router

FLOW = "coach_push"
COACH = [Role.COACH]


def register(router: Router) -> None:
    """Register the coach's commands, buttons and the typed steps."""

    @router.command("herinnering", roles=COACH, menu_key="menu/herinnering")
    async def herinnering(ctx: Ctx) -> None:
        """Start a new push: choose participants first."""
        ctx.state.go(FLOW, "choose", selected=[])
        await _show_choice(ctx)

    @router.command("herinneringen", roles=COACH, menu_key="menu/herinneringen")
    async def herinneringen(ctx: Ctx) -> None:
        """List the coach's planned pushes, each with a cancel button."""
        pushes = await coach.list_pushes(ctx.tx, ctx.require_person(), ctx.now)
        ctx.reply(
            "coach/list",
            buttons=tuple(
                (Button(f"rem:x:{p.id}", "buttons/rem_cancel", ctx={"n": i}),)
                for i, p in enumerate(pushes, 1)
            ),
            pushes=[_listed(p) for p in pushes],
        )

    @router.callback("rem", roles=COACH)
    async def rem_button(ctx: Ctx) -> None:
        """Every button of the coach-push flow."""
        _, action, arg = ((ctx.inbound.button or "") + "::").split(":")[:3]
        push_id = small_int(arg)
        if action == "x" and push_id is not None:
            await coach.cancel_push(ctx.tx, ctx.now, ctx.require_person(), push_id)
            ctx.reply("coach/cancelled")
            return
        if ctx.state.flow != FLOW:
            ctx.reply("common/stale_button")
            return
        handler = _BUTTONS.get(action)
        if handler is None:
            ctx.reply("common/stale_button")
            return
        await handler(ctx, arg)

    @router.flow(FLOW)
    async def typed(ctx: Ctx) -> None:
        """The typed steps: the text, a date and time, or a time of day."""
        step, text = ctx.state.step, ctx.inbound.text
        if step == "text":
            ctx.state.go(FLOW, "when", text=coach.check_text(text))
            ctx.reply("coach/ask_when", buttons=_WHEN_BUTTONS)
        elif step == "date":
            at = parse_local_datetime(text, ctx.now)
            if at is None:
                ctx.reply("coach/bad_datetime")
            elif at <= ctx.now:
                ctx.reply("coach/in_past")
            else:
                ctx.state.go(FLOW, "confirm", schedule=ONCE, at=utc_iso(at))
                await _confirm(ctx)
        elif step == "time":
            at_time = parse_local_time(text)
            if at_time is None:
                ctx.reply("coach/bad_time")
            else:
                ctx.state.go(FLOW, "confirm", at_time=at_time.strftime("%H:%M"))
                await _confirm(ctx)
        else:
            ctx.reply("coach/use_buttons")


_WHEN_BUTTONS = (
    (
        Button("rem:now", "buttons/rem_now"),
        Button("rem:once", "buttons/rem_once"),
        Button("rem:weekly", "buttons/rem_weekly"),
    ),
)


async def _show_choice(ctx: Ctx) -> None:
    people = await coach.own_participants(ctx.tx, ctx.require_person())
    if not people:
        ctx.state.clear()
        ctx.reply("coach/no_participants")
        return
    selected = set(ctx.state.data.get("selected", []))
    rows: list[tuple[Button, ...]] = [
        (Button(f"rem:t:{pid}", text=("✅ " if pid in selected else "▫️ ") + name),)
        for pid, name in people
    ]
    rows.append((Button("rem:all", "buttons/rem_all"), Button("rem:next", "buttons/rem_next")))
    ctx.reply("coach/choose", buttons=tuple(rows), count=len(selected & {p for p, _ in people}))


async def _toggle(ctx: Ctx, arg: str) -> None:
    own = {pid for pid, _ in await coach.own_participants(ctx.tx, ctx.require_person())}
    selected = set(ctx.state.data.get("selected", []))
    if arg.isdigit() and int(arg) in own:
        selected ^= {int(arg)}
    ctx.state.go(FLOW, "choose", selected=sorted(selected))
    await _show_choice(ctx)


async def _all(ctx: Ctx, arg: str) -> None:
    own = [pid for pid, _ in await coach.own_participants(ctx.tx, ctx.require_person())]
    ctx.state.go(FLOW, "choose", selected=own)
    await _show_choice(ctx)


async def _next(ctx: Ctx, arg: str) -> None:
    if not ctx.state.data.get("selected"):
        ctx.reply("coach/choose_none")
        return
    ctx.state.go(FLOW, "text")
    ctx.reply("coach/ask_text", limit=coach.MAX_TEXT)


async def _now(ctx: Ctx, arg: str) -> None:
    ctx.state.go(FLOW, "confirm", schedule="now")
    await _confirm(ctx)


async def _once(ctx: Ctx, arg: str) -> None:
    ctx.state.go(FLOW, "date")
    ctx.reply("coach/ask_datetime")


async def _weekly(ctx: Ctx, arg: str) -> None:
    ctx.state.go(FLOW, "weekday", schedule=WEEKLY)
    ctx.reply(
        "coach/ask_weekday",
        buttons=tuple(
            tuple(Button(f"rem:wd:{d}", "buttons/rem_weekday", ctx={"day": d}) for d in row)
            for row in ((0, 1, 2, 3), (4, 5, 6))
        ),
    )


async def _weekday(ctx: Ctx, arg: str) -> None:
    if not (arg.isdigit() and 0 <= int(arg) <= 6):
        ctx.reply("common/stale_button")
        return
    ctx.state.go(FLOW, "time", weekday=int(arg))
    ctx.reply("coach/ask_time", weekday=int(arg))


def _when(data: dict[str, Any], now: datetime) -> coach.When:
    schedule = data.get("schedule")
    if schedule == "now":
        return coach.When(ONCE, at=now)
    if schedule == ONCE:
        return coach.When(ONCE, at=parse_utc(str(data["at"])))
    return coach.When(
        WEEKLY,
        weekday=int(data["weekday"]),
        at_time=time.fromisoformat(str(data["at_time"])),
    )


async def _ok(ctx: Ctx, arg: str) -> None:
    if ctx.state.step != "confirm":
        ctx.reply("common/stale_button")
        return
    data = ctx.state.data
    person = ctx.require_person()
    policy = ctx.services.policy
    await coach.create_push(
        ctx.tx, ctx.now, policy, person, data["selected"], data["text"], _when(data, ctx.now)
    )
    ctx.state.clear()
    ctx.reply("coach/created", **_when_ctx(data, ctx), count=len(data["selected"]))


async def _stop(ctx: Ctx, arg: str) -> None:
    ctx.state.clear()
    ctx.reply("coach/stopped")


_BUTTONS = {
    "t": _toggle,
    "all": _all,
    "next": _next,
    "now": _now,
    "once": _once,
    "weekly": _weekly,
    "wd": _weekday,
    "ok": _ok,
    "stop": _stop,
}


async def _confirm(ctx: Ctx) -> None:
    data = ctx.state.data
    people = dict(await coach.own_participants(ctx.tx, ctx.require_person()))
    names = [people[pid] for pid in data.get("selected", []) if pid in people]
    ctx.reply(
        "coach/confirm",
        buttons=(
            (Button("rem:ok", "buttons/rem_confirm"), Button("rem:stop", "buttons/rem_stop")),
        ),
        names=names,
        text=data.get("text", ""),
        **_when_ctx(data, ctx),
    )


def _when_ctx(data: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    """When the push goes, as the templates say it: quiet hours holding it included."""
    held = coach.held_until(ctx.services.policy, _when(data, ctx.now), ctx.now)
    return {
        "schedule": data.get("schedule"),
        "at": data.get("at") or utc_iso(ctx.now),
        "weekday": data.get("weekday"),
        "at_time": data.get("at_time"),
        "held_until": utc_iso(held) if held else None,
        "held_time": ctx.services.policy.quiet_end.strftime("%H:%M") if held else None,
    }


def _listed(push: ListedPush) -> dict[str, Any]:
    return {
        "id": push.id,
        "text": push.text if len(push.text) <= 80 else push.text[:79] + "…",
        "schedule": push.schedule,
        "next_at": utc_iso(push.next_at) if push.next_at else None,
        "weekday": push.weekday,
        "at_time": push.at_time,
        "names": list(push.names),
    }
