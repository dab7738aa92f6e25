"""The klantmanager's queue in chat: /wachtrij, /deelnemer and the card's buttons."""

from __future__ import annotations

from dataclasses import asdict

from bot.contract import Button, Kind, small_int
from bot.domain.errors import AccessDenied, DomainError
from bot.domain.models import Role
from bot.services import caseload, queue, queue_remind
from handlers import outcomes
from handlers.base import Ctx
from handlers.router import Router

FIX_FLOW = "queue_fix"
_KEEP_ASKING = ("queue/fix_reason_empty", "queue/fix_reason_long")


def _parse(data: str | None) -> tuple[str, int]:
    """'queue:done:12' → ('done', 12); anything forged is simply not allowed."""
    parts = (data or "").split(":")
    number = small_int(parts[2]) if len(parts) == 3 else None
    if number is None:
        raise AccessDenied()
    return parts[1], number


_EVERYTHING = ("alles", "all")


async def _show_page(ctx: Ctx, page: int, everything: bool = False) -> None:
    result = await queue.open_items(
        ctx.tx, ctx.now, ctx.require_person(), page, everything=everything
    )
    rows: list[tuple[Button, ...]] = [
        (
            Button(
                f"queue:open:{item.id}",
                "queue/item_button",
                ctx={
                    "name": item.name,
                    "period": item.period,
                    "kind": item.kind,
                    "state": item.state,
                },
            ),
        )
        for item in result.items
    ]
    turn = "all" if everything else "page"
    nav = []
    if result.page > 1:
        nav.append(Button(f"queue:{turn}:{result.page - 1}", "buttons/queue_prev"))
    if result.page < result.pages:
        nav.append(Button(f"queue:{turn}:{result.page + 1}", "buttons/queue_next"))
    if nav:
        rows.append(tuple(nav))
    if everything:
        rows.append((Button("queue:page:1", "queue/open_only_button"),))
    elif result.closed:
        rows.append((Button("queue:all:1", "queue/all_button", ctx={"closed": result.closed}),))
    ctx.reply(
        "queue/list",
        buttons=tuple(rows),
        items=[asdict(item) for item in result.items],
        counts=result.counts,
        states=result.states,
        closed=result.closed,
        everything=result.everything,
        total=result.total,
        page=result.page,
        pages=result.pages,
    )


def register(router: Router) -> None:
    """Register the queue's commands, buttons and the correction-reason flow."""

    @router.command(
        "wachtrij", "queue", roles=[Role.KLANTMANAGER, Role.ADMIN], menu_key="menu/wachtrij"
    )
    async def wachtrij(ctx: Ctx) -> None:
        """Show the open items (`/wachtrij alles`: every item), oldest first, a page at a time."""
        words = ctx.inbound.args.strip().lower().split()
        everything = bool(words) and words[0] in _EVERYTHING
        arg = words[-1] if words else ""
        await _show_page(ctx, int(arg) if arg.isdigit() and len(arg) < 6 else 1, everything)

    @router.command(
        "deelnemer",
        "participant",
        roles=[Role.KLANTMANAGER, Role.COACH],
        menu_key="menu/deelnemer",
    )
    async def deelnemer(ctx: Ctx) -> None:
        """Show one participant: amounts for the klantmanager, hours and progress for the coach."""
        key, context = await caseload.overview(
            ctx.tx, ctx.services.policy, ctx.require_person(), ctx.now, ctx.inbound.args
        )
        pid = context.get("participant_id")
        buttons = outcomes.start_button(pid) if key == "queue/participant" and pid else ()
        ctx.reply(key, buttons=buttons, **context)

    @router.callback("queue", roles=[Role.KLANTMANAGER, Role.ADMIN])
    async def queue_button(ctx: Ctx) -> None:
        """Handle a card or list button: done, fix, proof, remind, open, page, all."""
        action, number = _parse(ctx.inbound.button)
        person = ctx.require_person()
        policy = ctx.services.policy
        if action in ("page", "all"):
            await _show_page(ctx, number, everything=action == "all")
        elif action == "open":
            card = await queue.open_card(ctx.tx, ctx.now, person, number, policy)
            ctx.reply("queue/card", buttons=queue.card_buttons(card), **card.context())
        elif action == "done":
            closed = await queue.mark_done(ctx.tx, ctx.now, person, number, policy)
            ctx.reply("queue/done" if closed else "queue/already_done")
        elif action == "fix":
            name = await queue.start_correction(ctx.tx, ctx.now, person, number, policy)
            ctx.state.go(FIX_FLOW, "reason", item_id=number)
            ctx.reply("queue/ask_reason", name=name)
        elif action == "proof":
            await _send_proof(ctx, number)
        elif action == "remind":
            sent = await queue_remind.remind_now(ctx.tx, ctx.now, person, number, policy)
            ctx.reply(
                "queue/remind_already" if sent.already else "queue/remind_sent",
                name=sent.name,
                period=sent.period,
                at=sent.at,
                held=sent.held,
            )
        else:
            raise AccessDenied()

    @router.flow(FIX_FLOW)
    async def fix_reason(ctx: Ctx) -> None:
        """Take the klantmanager's reason and send the correction request to the participant."""
        if ctx.inbound.kind != Kind.TEXT:
            ctx.reply("queue/fix_reason_text")
            return
        item_id = int(ctx.state.data.get("item_id", 0))
        try:
            name, period = await queue.request_correction(
                ctx.tx,
                ctx.now,
                ctx.require_person(),
                item_id,
                ctx.inbound.text,
                ctx.services.policy,
            )
        except DomainError as exc:
            if exc.key not in _KEEP_ASKING:
                ctx.state.clear()
            raise
        ctx.state.clear()
        ctx.reply("queue/fix_sent", name=name, period=period)


async def _send_proof(ctx: Ctx, item_id: int) -> None:
    files = await queue.proof_files(
        ctx.tx,
        ctx.now,
        ctx.require_person(),
        item_id,
        ctx.services.settings.proof_dir,
        ctx.services.policy,
    )
    if not files:
        ctx.reply("queue/no_proof")
        return
    for number, file in enumerate(files, start=1):
        if file.exists:
            ctx.reply("queue/proof_file", document=file.path, number=number, total=len(files))
        else:
            ctx.reply("queue/proof_missing", name=file.name)
