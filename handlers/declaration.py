"""`/opgave`: the monthly declaration by chat; `/overzicht`: the last six months."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bot.clock import to_local
from bot.contract import Button, ButtonRows
from bot.domain import declaration as rules
from bot.domain.answers import Draft, DraftAnswers
from bot.domain.models import Participant, Role
from bot.domain.money import Refusal, parse_amount, parse_hours
from bot.domain.periods import period_from_text, period_of
from bot.services import declarations as svc
from bot.services import drafts, overview, proofs
from handlers.base import Ctx
from handlers.router import Router

FLOW = "declaration"
PARTICIPANT = [Role.PARTICIPANT]
YES = frozenset({"ja", "j", "yes", "y", "jazeker", "jawel", "ok"})
NO = frozenset({"nee", "n", "no", "neen"})
NONE_WORDS = frozenset({"geen", "nee", "none", "no", "niks", "niets", "-"})
DONE_WORDS = frozenset({"klaar", "done", "ready", "verder", "ok"})
QUICK_HOURS = ("0", "4", "8", "12", "16", "20")
EDIT_PARTS = ("worked", "revenue", "costs", "hours", "proof", "note")
MAX_NOTE = 500


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
        data = await overview.overview(ctx.tx, ctx.services.policy, participant, _today(ctx))
        ctx.reply("declaration/overview", **data)

    @router.callback("decl", roles=PARTICIPANT)
    async def button(ctx: Ctx) -> None:
        """Answer a declaration button."""
        _, action, arg = ((ctx.inbound.button or "") + "::").split(":", 2)
        await _button(ctx, action, arg.rstrip(":"))

    @router.flow(FLOW)
    async def typed(ctx: Ctx) -> None:
        """Take a typed answer or a proof file for the current question."""
        participant, draft = await _draft(ctx)
        if draft is None:
            return
        if ctx.inbound.file is not None:
            await _proof(ctx, participant, draft)
            return
        await _text(ctx, participant, draft, ctx.inbound.text.strip())


def _today(ctx: Ctx) -> date:
    return to_local(ctx.now).date()


async def _draft(ctx: Ctx) -> tuple[Participant, Draft | None]:
    participant = await svc.participant_of(ctx.tx, ctx.require_person().id)
    draft = await drafts.load_draft(ctx.tx, participant.person_id)
    if draft is None:
        ctx.state.clear()
        ctx.reply("declaration/no_draft")
    return participant, draft


async def _save(
    ctx: Ctx, draft: Draft, step: str | None = None, answers: DraftAnswers | None = None
) -> Draft:
    draft = replace(draft, step=step or draft.step, answers=answers or draft.answers)
    await drafts.save_draft(ctx.tx, ctx.now, draft)
    ctx.state.go(FLOW, draft.step, period=draft.period)
    return draft


async def _open(ctx: Ctx, wanted: str | None) -> None:
    """Resume a draft, or start the month asked for, or the oldest open month."""
    participant = await svc.participant_of(ctx.tx, ctx.require_person().id)
    today = _today(ctx)
    draft = await drafts.load_draft(ctx.tx, participant.person_id)
    if draft is not None and wanted in (None, draft.period):
        ctx.state.go(FLOW, "resume", period=draft.period)
        ctx.reply(
            "declaration/resume",
            period=draft.period,
            correction=draft.correction,
            buttons=(
                (
                    Button("decl:resume", "buttons/decl_resume"),
                    Button("decl:restart", "buttons/decl_restart"),
                ),
            ),
        )
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
    draft = await drafts.start_draft(
        ctx.tx, ctx.now, participant, period, "reason" if fix else "worked", correction=fix
    )
    if waiting > 1:
        ctx.reply("declaration/several_open", count=waiting, period=period)
    ctx.state.go(FLOW, draft.step, period=period)
    await _ask(ctx, participant, draft)


# ---------------------------------------------------------------- questions


async def _ask(ctx: Ctx, participant: Participant, draft: Draft) -> None:
    """Ask the question of the draft's current step."""
    step, period = draft.step, draft.period
    if step == "reason":
        ctx.reply("declaration/ask_reason", period=period)
    elif step == "worked":
        ctx.reply(
            "declaration/ask_worked",
            period=period,
            buttons=(
                (
                    Button("decl:worked:yes", "buttons/decl_yes"),
                    Button("decl:worked:no", "buttons/decl_no"),
                ),
            ),
        )
    elif step == "revenue":
        ctx.reply("declaration/ask_revenue", period=period, current=draft.answers.revenue_cents)
    elif step == "costs":
        _ask_costs(ctx, draft)
    elif step == "cost_amount":
        category = ctx.services.policy.cost(draft.answers.cost_key or "")
        ctx.reply(
            "declaration/ask_cost_amount",
            period=period,
            name=category.name(ctx.locale) if category else "",
            needs_approval=bool(category and category.needs_prior_approval),
            cap_cents=category.yearly_cap_cents if category else None,
        )
    elif step == "hours":
        await _ask_hours(ctx, participant, draft)
    elif step == "proof":
        count = await proofs.proof_count(ctx.tx, participant.person_id, period)
        row = [Button("decl:proof:none", "buttons/decl_no_proof")]
        if count:
            row.insert(0, Button("decl:proof:done", "buttons/decl_done"))
        ctx.reply("declaration/ask_proof", count=count, buttons=(tuple(row),))
    elif step == "note":
        ctx.reply(
            "declaration/ask_note",
            current=draft.answers.note,
            buttons=((Button("decl:note:skip", "buttons/decl_no_note"),),),
        )
    elif step == "review":
        await _review(ctx, participant, draft)
    else:  # "resume"
        ctx.reply(
            "declaration/resume",
            period=period,
            correction=draft.correction,
            buttons=(
                (
                    Button("decl:resume", "buttons/decl_resume"),
                    Button("decl:restart", "buttons/decl_restart"),
                ),
            ),
        )


def _ask_costs(ctx: Ctx, draft: Draft) -> None:
    policy = ctx.services.policy
    costs = draft.answers.costs
    entered = [
        {"name": c.name(ctx.locale), "amount_cents": costs[c.key]}
        for c in policy.costs
        if costs.get(c.key)
    ]
    categories = [Button(f"decl:cost:{c.key}", text=c.name(ctx.locale)) for c in policy.costs]
    rows: list[tuple[Button, ...]] = [
        tuple(categories[i : i + 2]) for i in range(0, len(categories), 2)
    ]
    rows.append(
        (
            Button("decl:costs:done", "buttons/decl_done")
            if entered
            else Button("decl:costs:none", "buttons/decl_no_costs"),
        )
    )
    ctx.reply("declaration/ask_costs", period=draft.period, entered=entered, buttons=tuple(rows))


async def _ask_hours(ctx: Ctx, participant: Participant, draft: Draft) -> None:
    slots = rules.week_slots(draft.period)
    index = min(draft.answers.week_index, len(slots) - 1)
    slot = slots[index]
    current = draft.answers.weeks.get(slot.key)
    suggested = (
        current if current is not None else await svc.prefill(ctx.tx, participant.person_id, slot)
    )
    rows: list[tuple[Button, ...]] = []
    if suggested is not None:
        rows.append(
            (
                Button(
                    f"decl:hours:{suggested}", "buttons/decl_hours_keep", ctx={"hours": suggested}
                ),
            )
        )
    rows.append(tuple(Button(f"decl:hours:{h}", text=h) for h in QUICK_HOURS))
    ctx.reply(
        "declaration/ask_hours",
        week=slot.week,
        first=slot.first.isoformat(),
        last=slot.last.isoformat(),
        number=index + 1,
        total=len(slots),
        suggested=suggested,
        from_checkin=current is None and suggested is not None,
        buttons=tuple(rows),
    )


async def _review(ctx: Ctx, participant: Participant, draft: Draft) -> None:
    answers, figures = await svc.compute(ctx.tx, ctx.services.policy, participant, draft)
    review = svc.review_context(ctx.services.policy, draft, answers, figures)
    parts = EDIT_PARTS if answers.worked else ("worked", "note")
    edits = [Button(f"decl:edit:{p}", f"buttons/decl_edit_{p}") for p in parts]
    rows: ButtonRows = (
        *(tuple(edits[i : i + 3]) for i in range(0, len(edits), 3)),
        (Button(f"decl:send:{draft.period}:{draft.nonce}", "buttons/decl_send"),),
    )
    ctx.reply("declaration/review", buttons=rows, **review)


# ---------------------------------------------------------------- moving on


async def _next(
    ctx: Ctx, participant: Participant, draft: Draft, step: str, answers: DraftAnswers
) -> None:
    """Go to `step`, or back to the review when this part was an edit from there."""
    if answers.editing:
        step = "review"
    draft = await _save(ctx, draft, step, replace(answers, editing=False))
    await _ask(ctx, participant, draft)


async def _button(ctx: Ctx, action: str, arg: str) -> None:
    participant = await svc.participant_of(ctx.tx, ctx.require_person().id)
    if action == "start":
        await _open(ctx, arg[:7])
        return
    if action == "fix":
        status = await svc.period_status(ctx.tx, participant, arg[:7], _today(ctx))
        if status != "sent":
            ctx.reply("declaration/nothing_to_correct")
            return
        await _start(ctx, participant, arg[:7], waiting=0, fix=True)
        return
    if action == "restart":
        draft = await drafts.load_draft(ctx.tx, participant.person_id)
        period = arg[:7] or (draft.period if draft else "")
        fix = draft is not None and draft.correction and not arg
        await drafts.discard_draft(ctx.tx, participant.person_id)
        if not period:
            await _open(ctx, None)
            return
        if fix:
            await _start(ctx, participant, period, waiting=0, fix=True)
        else:
            await _open(ctx, period)
        return
    if action == "send":
        await _send(ctx, participant, arg)
        return
    draft = await drafts.load_draft(ctx.tx, participant.person_id)
    if draft is None:
        ctx.state.clear()
        ctx.reply("declaration/no_draft")
        return
    if action == "resume":
        await _save(ctx, draft)
        await _ask(ctx, participant, draft)
        return
    expected = {
        "worked": "worked",
        "cost": "costs",
        "costs": "costs",
        "hours": "hours",
        "proof": "proof",
        "note": "note",
        "edit": "review",
    }.get(action)
    if expected is None or draft.step != expected:
        ctx.reply("declaration/stale_button")
        await _save(ctx, draft)
        await _ask(ctx, participant, draft)
        return
    if action == "worked":
        await _worked(ctx, participant, draft, arg == "yes")
    elif action == "cost":
        if ctx.services.policy.cost(arg) is None:
            ctx.reply("declaration/stale_button")
            await _ask(ctx, participant, draft)
            return
        draft = await _save(ctx, draft, "cost_amount", replace(draft.answers, cost_key=arg))
        await _ask(ctx, participant, draft)
    elif action == "costs":
        answers = replace(draft.answers, costs={}) if arg == "none" else draft.answers
        await _next(ctx, participant, draft, "hours", answers)
    elif action == "hours":
        await _hours(ctx, participant, draft, arg)
    elif action == "proof":
        answers = replace(draft.answers, no_proof=arg == "none")
        await _next(ctx, participant, draft, "note", answers)
    elif action == "note":
        await _next(ctx, participant, draft, "review", replace(draft.answers, note=None))
    else:  # edit
        await _edit(ctx, participant, draft, arg)


async def _worked(ctx: Ctx, participant: Participant, draft: Draft, worked: bool) -> None:
    if not worked:
        answers = replace(
            draft.answers,
            worked=False,
            revenue_cents=0,
            costs={},
            weeks={},
            no_proof=False,
            editing=False,
        )
        draft = await _save(ctx, draft, "review", answers)
        await _ask(ctx, participant, draft)
        return
    answers = replace(draft.answers, worked=True, editing=False, week_index=0)
    draft = await _save(ctx, draft, "revenue", answers)
    await _ask(ctx, participant, draft)


async def _edit(ctx: Ctx, participant: Participant, draft: Draft, part: str) -> None:
    if part not in EDIT_PARTS:
        ctx.reply("declaration/stale_button")
        await _ask(ctx, participant, draft)
        return
    answers = replace(draft.answers, editing=part != "worked")
    if part == "hours":
        answers = replace(answers, week_index=0)
    draft = await _save(ctx, draft, part, answers)
    await _ask(ctx, participant, draft)


async def _hours(ctx: Ctx, participant: Participant, draft: Draft, typed: str) -> None:
    policy = ctx.services.policy
    value = parse_hours(typed, policy.max_hours_per_week)
    if isinstance(value, Refusal):
        ctx.reply(value.key, **value.ctx)
        await _ask(ctx, participant, draft)
        return
    slots = rules.week_slots(draft.period)
    index = min(draft.answers.week_index, len(slots) - 1)
    answers = replace(draft.answers, weeks={**draft.answers.weeks, slots[index].key: value})
    if value > policy.hour_cap_per_week:
        ctx.reply("declaration/week_nudge", hours=value, cap=policy.hour_cap_per_week)
    if index + 1 < len(slots):
        draft = await _save(ctx, draft, answers=replace(answers, week_index=index + 1))
        await _ask(ctx, participant, draft)
        return
    await _next(ctx, participant, draft, "proof", replace(answers, week_index=0))


async def _send(ctx: Ctx, participant: Participant, arg: str) -> None:
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


# ---------------------------------------------------------------- typed answers


async def _text(ctx: Ctx, participant: Participant, draft: Draft, text: str) -> None:
    word = text.lower().strip(" .!")
    policy = ctx.services.policy
    step = draft.step
    if step == "reason":
        if len(text) < 3:
            ctx.reply("declaration/reason_short")
            return
        draft = await _save(ctx, draft, "review", replace(draft.answers, reason=text[:MAX_NOTE]))
        await _ask(ctx, participant, draft)
    elif step == "worked" and word in YES | NO:
        await _worked(ctx, participant, draft, word in YES)
    elif step in ("revenue", "cost_amount"):
        amount = parse_amount(text, policy.amount_ceiling_cents)
        if isinstance(amount, Refusal):
            ctx.reply(amount.key, **amount.ctx)
            return
        if step == "revenue":
            answers = replace(draft.answers, revenue_cents=amount)
            await _next(ctx, participant, draft, "costs", answers)
            return
        await _cost_amount(ctx, participant, draft, amount)
    elif step == "costs" and word in DONE_WORDS | NONE_WORDS:
        answers = replace(draft.answers, costs={}) if word in NONE_WORDS else draft.answers
        await _next(ctx, participant, draft, "hours", answers)
    elif step == "hours":
        await _hours(ctx, participant, draft, text)
    elif step == "proof" and word in DONE_WORDS | NONE_WORDS:
        count = await proofs.proof_count(ctx.tx, participant.person_id, draft.period)
        answers = replace(draft.answers, no_proof=word in NONE_WORDS or count == 0)
        await _next(ctx, participant, draft, "note", answers)
    elif step == "note":
        note = None if word in NONE_WORDS else text[:MAX_NOTE]
        await _next(ctx, participant, draft, "review", replace(draft.answers, note=note))
    else:
        ctx.reply("declaration/use_buttons")
        await _ask(ctx, participant, draft)


async def _cost_amount(ctx: Ctx, participant: Participant, draft: Draft, amount: int) -> None:
    key = draft.answers.cost_key or ""
    costs = dict(draft.answers.costs)
    if amount:
        costs[key] = amount
    else:
        costs.pop(key, None)
    draft = replace(draft, answers=replace(draft.answers, costs=costs, cost_key=None))
    _, figures = await svc.compute(ctx.tx, ctx.services.policy, participant, draft)
    category = ctx.services.policy.cost(key)
    for flag in figures.flags:
        if flag.get("category") == key or (
            flag["code"] == "investment_over_cap" and category and category.investment
        ):
            ctx.reply("declaration/cost_warning", **flag)
    draft = await _save(ctx, draft, "costs")
    await _ask(ctx, participant, draft)


async def _proof(ctx: Ctx, participant: Participant, draft: Draft) -> None:
    file = ctx.inbound.file
    if file is None:
        return
    settings = ctx.services.settings
    if file.data is None and file.mime not in proofs.PROOF_TYPES:
        ctx.reply("declaration/proof_wrong_type")
        return
    count, new = await proofs.add_proof(
        ctx.tx,
        ctx.now,
        settings.proof_dir,
        settings.proof_max_bytes,
        draft,
        file.data,
        file.size,
        file.name,
    )
    ctx.reply("declaration/proof_received", count=count, duplicate=not new)
    await _save(ctx, draft)
    await _ask(ctx, participant, draft)
