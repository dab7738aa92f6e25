"""`/opgave`: the monthly declaration by chat; `/overzicht`: the last six months.

The questions themselves are the step table in `handlers/declaration_steps.py`; this module
opens, resumes, restarts and sends a declaration, and takes the proof files.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from bot.contract import Button
from bot.domain.localtime import local_day
from bot.domain.models import Participant, Role
from bot.domain.periods import period_from_text, period_of
from bot.domain.proof import is_accepted
from bot.services import declarations as svc
from bot.services import drafts, overview, proofs
from bot.services.overview import Overview
from handlers import declaration_steps as steps
from handlers import receipt
from handlers.base import Ctx
from handlers.declaration_questions import Turn
from handlers.router import Router

FLOW = steps.FLOW
PARTICIPANT = [Role.PARTICIPANT]


def register(router: Router) -> None:
    """Register /opgave, /overzicht, the `decl:` buttons and the declaration flow."""

    @router.command("opgave", roles=PARTICIPANT, menu_key="menu/opgave")
    async def opgave(ctx: Ctx) -> None:
        """Start, resume or correct the monthly declaration."""
        typed = ctx.inbound.args.strip()
        await _open(ctx, period_from_text(typed, _today(ctx)) or typed[:7] or None)

    @router.command("overzicht", roles=PARTICIPANT, menu_key="menu/overzicht")
    async def overzicht(ctx: Ctx) -> None:
        """Show the last six months and the next deadline."""
        participant = await svc.participant_of(ctx.tx, ctx.require_person().id)
        view = await overview.overview(ctx.tx, ctx.services.policy, participant, ctx.now)
        ctx.reply("declaration/overview", **_overview_ctx(view))

    @router.callback("decl", roles=PARTICIPANT)
    async def button(ctx: Ctx) -> None:
        """Answer a declaration button: one of the whole declaration, or of a question."""
        _, action, arg = ((ctx.inbound.button or "") + "::").split(":", 2)
        arg = arg.rstrip(":")
        participant = await svc.participant_of(ctx.tx, ctx.require_person().id)
        whole = DECLARATION_BUTTONS.get(action)
        if whole is not None:
            await whole(ctx, participant, arg)
            return
        turn = await _turn(ctx, participant)
        if turn is None:
            return
        if action == "resume":
            await steps.again(turn)
        else:
            await steps.tapped(turn, action, arg)

    router.file_reader(FLOW)(receipt.read_receipt)

    @router.flow(FLOW)
    async def typed(ctx: Ctx) -> None:
        """Take a typed answer or a proof file for the current question."""
        participant = await svc.participant_of(ctx.tx, ctx.require_person().id)
        turn = await _turn(ctx, participant)
        if turn is None:
            return
        if ctx.inbound.file is not None:
            await _proof(turn)
            return
        await steps.typed(turn, ctx.inbound.text.strip())


def _today(ctx: Ctx) -> date:
    return local_day(ctx.now)


async def _turn(ctx: Ctx, participant: Participant) -> Turn | None:
    """The participant with their draft; None (after saying so) when there is no draft."""
    draft = await drafts.load_draft(ctx.tx, participant.person_id)
    if draft is None:
        ctx.state.clear()
        ctx.reply("declaration/no_draft")
        return None
    return Turn(ctx, participant, draft)


def _overview_ctx(view: Overview) -> dict[str, Any]:
    months = [
        {"period": m.period, "status": m.status}
        if m.sent is None
        else {
            "period": m.period,
            "status": m.status,
            "profit_cents": m.profit_cents,
            "share_pct": m.share_pct,
            "hours": m.hours,
            "reference": m.reference,
        }
        for m in view.months
    ]
    return {
        "months": months,
        "next_period": view.next_period,
        "next_due": view.next_due.isoformat(),
        "open_count": view.open_count,
        "overdue": view.overdue,
    }


async def _open(ctx: Ctx, wanted: str | None) -> None:
    """Resume a draft, or start the month asked for, or the oldest open month."""
    participant = await svc.participant_of(ctx.tx, ctx.require_person().id)
    today = _today(ctx)
    draft = await drafts.load_draft(ctx.tx, participant.person_id)
    if draft is not None and wanted in (None, draft.period):
        ctx.state.go(FLOW, "resume", period=draft.period)
        steps.offer_resume(ctx, draft)
        return
    if wanted is not None:
        status = await svc.period_status(ctx.tx, participant, wanted, today)
        if status == "open":
            await _start(ctx, participant, wanted, waiting=0)
        elif status == "sent":
            _offer_fix(ctx, [wanted], key="declaration/month_sent")
        else:
            ctx.reply(f"declaration/period_{status}", period=wanted)
        return
    waiting = await svc.open_periods(ctx.tx, participant, today)
    if waiting:
        await _start(ctx, participant, waiting[0], waiting=len(waiting))
        return
    sent = await svc.recent_sent(ctx.tx, participant.person_id)
    if not sent:
        ctx.reply("declaration/nothing_yet", period=period_of(today))
        return
    _offer_fix(ctx, sent)


def _offer_fix(ctx: Ctx, periods: list[str], key: str = "declaration/all_sent") -> None:
    ctx.reply(
        key,
        periods=periods,
        buttons=tuple(
            (Button(f"decl:fix:{p}", "buttons/decl_fix", ctx={"period": p}),) for p in periods
        ),
    )


async def _start(
    ctx: Ctx, participant: Participant, period: str, *, waiting: int, fix: bool = False
) -> None:
    first = steps.CORRECTION_FIRST if fix else steps.FIRST
    draft = await drafts.start_draft(ctx.tx, ctx.now, participant, period, first, correction=fix)
    if waiting > 1:
        ctx.reply("declaration/several_open", count=waiting, period=period)
    ctx.state.go(FLOW, draft.step, period=period)
    await steps.ask(Turn(ctx, participant, draft))


# ---------------------------------------------------------------- buttons of the whole declaration


async def _tap_start(ctx: Ctx, participant: Participant, arg: str) -> None:
    """`decl:start:<period>` (from a reminder)."""
    await _open(ctx, arg[:7])


async def _tap_fix(ctx: Ctx, participant: Participant, arg: str) -> None:
    """`decl:fix:<period>`: correct a month already sent."""
    status = await svc.period_status(ctx.tx, participant, arg[:7], _today(ctx))
    if status != "sent":
        ctx.reply("declaration/nothing_to_correct")
        return
    await _start(ctx, participant, arg[:7], waiting=0, fix=True)


async def _tap_restart(ctx: Ctx, participant: Participant, arg: str) -> None:
    """`decl:restart[:<period>]`: throw the draft away and begin that month again."""
    draft = await drafts.load_draft(ctx.tx, participant.person_id)
    period = arg[:7] or (draft.period if draft else "")
    fix = draft is not None and draft.correction and not arg
    await drafts.discard_draft(ctx.tx, participant.person_id)
    if not period:
        await _open(ctx, None)
    elif fix:
        await _start(ctx, participant, period, waiting=0, fix=True)
    else:
        await _open(ctx, period)


async def _tap_send(ctx: Ctx, participant: Participant, arg: str) -> None:
    """`decl:send:<period>:<nonce>`: submit, exactly once."""
    period, _, nonce = arg.partition(":")
    receipt = await svc.submit(
        ctx.tx, ctx.now, ctx.services.policy, participant, period[:7], nonce[:16]
    )
    if ctx.state.flow == FLOW:
        ctx.state.clear()
    ctx.reply(
        "declaration/already_sent" if receipt.already else "declaration/receipt",
        reference=receipt.reference,
        period=receipt.period,
        version=receipt.version,
        at=receipt.submitted_at,
    )
    if receipt.mentions_change and not receipt.already:
        ctx.reply("changes/hint")  # once, with the receipt: a pointer, never a judgement


DECLARATION_BUTTONS: dict[str, Callable[[Ctx, Participant, str], Awaitable[None]]] = {
    "start": _tap_start,
    "fix": _tap_fix,
    "restart": _tap_restart,
    "send": _tap_send,
}


async def _proof(turn: Turn) -> None:
    """A proof file, at any question: store it, say so, ask the question again (or whether
    the total read on it is right)."""
    ctx, file = turn.ctx, turn.ctx.inbound.file
    if file is None:
        return
    settings = ctx.services.settings
    if file.data is None and not is_accepted(file.mime):
        ctx.reply("declaration/proof_wrong_type")
        return
    count, new = await proofs.add_proof(
        ctx.tx,
        ctx.now,
        settings.proof_dir,
        settings.proof_max_bytes,
        turn.draft,
        file.data,
        file.size,
        file.name,
    )
    ctx.reply("declaration/proof_received", count=count, duplicate=not new)
    if not receipt.offer(turn):  # a receipt's total read at an amount question: "Klopt dat?"
        await steps.again(turn)
