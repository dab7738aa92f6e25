"""Recording how a trajectory ended: from the "traject loopt af" card and from /deelnemer.

Buttons (`outcome:…`, within 64 bytes): `item:<item>` (the card) and `start:<participant>`
(/deelnemer) show the policy's outcomes, `page:<participant>:<n>` pages through them,
`set:<participant>:<code>` records one, or first asks for the new end date (an extension) or
the note (*anders*) in the flow below.
"""

from __future__ import annotations

from bot.contract import Button, ButtonRows, Kind, small_int
from bot.domain.errors import AccessDenied, DomainError
from bot.domain.models import Role
from bot.domain.outcome_kinds import ASKS_END_DATE, ASKS_NOTE
from bot.domain.outcomes import PAGE_SIZE, outcome_names, parse_day
from bot.services import outcomes
from handlers.base import Ctx
from handlers.router import Router

FLOW = "outcome"
_KEEP_ASKING = (
    "outcomes/end_date_needed",
    "outcomes/end_date_early",
    "outcomes/note_needed",
    "outcomes/note_long",
)


def start_button(participant_id: int) -> ButtonRows:
    """The button /deelnemer shows a klantmanager to record the trajectory's outcome."""
    return ((Button(f"outcome:start:{participant_id}", "outcomes/start_button"),),)


def _number(text: str) -> int:
    found = small_int(text)
    if found is None:
        raise AccessDenied()  # forged data is simply not allowed
    return found


async def _show(ctx: Ctx, participant_id: int, page: int) -> None:
    policy = ctx.services.policy
    standing = await outcomes.standing(
        ctx.tx, ctx.now, ctx.require_person(), policy, participant_id
    )
    kinds = policy.outcomes
    pages = max(1, -(-len(kinds) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = kinds[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    rows: list[tuple[Button, ...]] = [
        (
            Button(
                f"outcome:set:{participant_id}:{kind.code}",
                "outcomes/option_button",
                ctx={"names": dict(kind.names)},
            ),
        )
        for kind in shown
    ]
    nav = []
    if page > 1:
        nav.append(Button(f"outcome:page:{participant_id}:{page - 1}", "buttons/queue_prev"))
    if page < pages:
        nav.append(Button(f"outcome:page:{participant_id}:{page + 1}", "buttons/queue_next"))
    if nav:
        rows.append(tuple(nav))
    names = outcome_names(policy)
    ctx.reply(
        "outcomes/choose",
        buttons=tuple(rows),
        as_list=True,
        page=page,
        pages=pages,
        outcome_names=names,
        **standing.context(),
    )


async def _record(ctx: Ctx, participant_id: int, code: str, text: str | None = None) -> None:
    policy = ctx.services.policy
    kind = policy.outcome(code)
    new_end = parse_day(text or "") if kind is not None and kind.asks == ASKS_END_DATE else None
    if kind is not None and kind.asks == ASKS_END_DATE and text and new_end is None:
        raise DomainError("outcomes/end_date_bad")
    done = await outcomes.record(
        ctx.tx,
        ctx.now,
        ctx.require_person(),
        policy,
        participant_id,
        code,
        new_end=new_end,
        note=text if kind is not None and kind.asks == ASKS_NOTE else None,
    )
    ctx.reply(
        "outcomes/recorded",
        name=done.name,
        names=dict(kind.names) if kind else {"nl": code},
        on=done.on.isoformat(),
        new_end=done.new_end.isoformat() if done.new_end else None,
        corrected=done.corrected,
    )


def register(router: Router) -> None:
    """Register the outcome buttons and the flow that asks for an end date or a note."""

    @router.callback("outcome", roles=[Role.KLANTMANAGER, Role.ADMIN])
    async def outcome_button(ctx: Ctx) -> None:
        """Show the outcomes (from a card or /deelnemer), page through them, or record one."""
        parts = (ctx.inbound.button or "").split(":")
        action = parts[1] if len(parts) > 2 else ""
        person = ctx.require_person()
        if action == "item" and len(parts) == 3:
            pid = await outcomes.participant_of_item(ctx.tx, ctx.now, person, _number(parts[2]))
            await _show(ctx, pid, 1)
        elif action == "start" and len(parts) == 3:
            await _show(ctx, _number(parts[2]), 1)
        elif action == "page" and len(parts) == 4:
            await _show(ctx, _number(parts[2]), _number(parts[3]))
        elif action == "set" and len(parts) == 4:
            pid, code = _number(parts[2]), parts[3]
            kind = ctx.services.policy.outcome(code)
            if kind is None:
                raise DomainError("outcomes/unknown")
            if kind.asks in (ASKS_END_DATE, ASKS_NOTE):
                standing = await outcomes.standing(
                    ctx.tx, ctx.now, person, ctx.services.policy, pid
                )
                ctx.state.go(FLOW, kind.asks, participant_id=pid, code=code)
                ctx.reply(
                    "outcomes/ask_end_date" if kind.asks == ASKS_END_DATE else "outcomes/ask_note",
                    name=standing.name,
                    end=standing.end.isoformat(),
                )
                return
            await _record(ctx, pid, code)
        else:
            raise AccessDenied()

    @router.flow(FLOW)
    async def outcome_text(ctx: Ctx) -> None:
        """Take the new end date or the note, then record the outcome."""
        if ctx.inbound.kind != Kind.TEXT:
            ctx.reply("outcomes/ask_text")
            return
        pid = int(ctx.state.data.get("participant_id", 0))
        code = str(ctx.state.data.get("code", ""))
        try:
            await _record(ctx, pid, code, ctx.inbound.text)
        except DomainError as exc:
            if exc.key not in (*_KEEP_ASKING, "outcomes/end_date_bad"):
                ctx.state.clear()
            raise
        ctx.state.clear()
