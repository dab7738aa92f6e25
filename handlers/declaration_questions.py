"""The questions of the declaration: how each asks, reads a typed answer and takes its buttons.

They are listed, in order, in `handlers/declaration_steps.py`; a question answers with a
`Move` (the new answers and where to go) and the driver there saves it and asks the next one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from bot.contract import Button
from bot.domain.answers import Draft, DraftAnswers
from bot.domain.hours import parse_hours
from bot.domain.models import Participant
from bot.domain.money import Refusal, parse_amount
from bot.domain.policy import Policy
from bot.domain.weeks import week_slots
from bot.domain.words import DONE, NO, NONE, YES, answer_word
from bot.services import declarations, proofs, review
from handlers.base import Ctx

NEXT = ""  # Move.to: the step after this one, or back to the review after changing one part
REVIEW = "review"
ALWAYS = "always"  # Step.edit: the review offers to change this part
IF_WORKED = "worked"  # Step.edit: ... only when the person worked that month
QUICK_HOURS = ("0", "4", "8", "12", "16", "20")
MAX_NOTE = 500


@dataclass(frozen=True)
class Turn:
    """One answer being handled: the context, the participant and their draft."""

    ctx: Ctx
    participant: Participant
    draft: Draft

    @property
    def answers(self) -> DraftAnswers:
        """The draft's answers so far."""
        return self.draft.answers

    @property
    def policy(self) -> Policy:
        """The municipality's rules."""
        return self.ctx.services.policy


@dataclass(frozen=True)
class Move:
    """What an answer does: the new answers (None: nothing to save) and the step to go to."""

    answers: DraftAnswers | None = None
    to: str = NEXT
    ask: bool = True  # ask the question of the step it leads to


STAY = Move()  # nothing changes: ask the same question again
QUIET = Move(ask=False)  # nothing changes, and the reply already said what was wrong

Asker = Callable[[Turn], Awaitable[None]]
Reader = Callable[[Turn, str], Awaitable[Move]]


@dataclass(frozen=True)
class Step:
    """One question: how it asks, reads typed text, which buttons it takes, what comes next."""

    name: str
    ask: Asker
    typed: Reader
    buttons: Mapping[str, Reader] = field(default_factory=dict)  # `decl:<action>` → reader
    next: str | None = None  # None: the question below it in the table
    edit: str | None = None  # ALWAYS / IF_WORKED: offered on the review; None: not


async def use_buttons(turn: Turn, text: str) -> Move:
    """A typed answer where only the buttons answer."""
    turn.ctx.reply("declaration/use_buttons")
    return STAY


def stale(turn: Turn) -> Move:
    """A button that no longer fits."""
    turn.ctx.reply("declaration/stale_button")
    return STAY


def _amount(turn: Turn, text: str) -> int | None:
    """Euros typed, in cents; None after telling what was wrong."""
    amount = parse_amount(text, turn.policy.amount_ceiling_cents)
    if isinstance(amount, Refusal):
        turn.ctx.reply(amount.key, **amount.ctx)
        return None
    return amount


# ---------------------------------------------------------------- a correction's reason


async def ask_reason(turn: Turn) -> None:
    """Why the declaration changes."""
    turn.ctx.reply("declaration/ask_reason", period=turn.draft.period)


async def read_reason(turn: Turn, text: str) -> Move:
    """At least three characters, kept up to MAX_NOTE."""
    if len(text) < 3:
        turn.ctx.reply("declaration/reason_short")
        return QUIET
    return Move(replace(turn.answers, reason=text[:MAX_NOTE]))


# ---------------------------------------------------------------- worked


async def ask_worked(turn: Turn) -> None:
    """Did you work for your business this month?"""
    yes_no = (
        Button("decl:worked:yes", "buttons/decl_yes"),
        Button("decl:worked:no", "buttons/decl_no"),
    )
    turn.ctx.reply("declaration/ask_worked", period=turn.draft.period, buttons=(yes_no,))


async def read_worked(turn: Turn, text: str) -> Move:
    """Ja or nee, typed."""
    word = answer_word(text)
    if word not in YES | NO:
        return await use_buttons(turn, text)
    return _worked(turn, word in YES)


async def tap_worked(turn: Turn, arg: str) -> Move:
    """`decl:worked:yes|no`."""
    return _worked(turn, arg == "yes")


def _worked(turn: Turn, worked: bool) -> Move:
    """Yes walks through every question; no empties the month and goes to the review."""
    if worked:
        return Move(replace(turn.answers, worked=True, editing=False, week_index=0))
    nil = replace(
        turn.answers,
        worked=False,
        revenue_cents=0,
        costs={},
        weeks={},
        no_proof=False,
        editing=False,
    )
    return Move(nil, REVIEW)


# ---------------------------------------------------------------- revenue


async def ask_revenue(turn: Turn) -> None:
    """How much omzet, with what is filled in now."""
    turn.ctx.reply(
        "declaration/ask_revenue", period=turn.draft.period, current=turn.answers.revenue_cents
    )


async def read_revenue(turn: Turn, text: str) -> Move:
    """An amount in euros."""
    amount = _amount(turn, text)
    return QUIET if amount is None else set_revenue(turn, amount)


def set_revenue(turn: Turn, amount: int) -> Move:
    """The omzet in cents, typed or confirmed from a receipt."""
    return Move(replace(turn.answers, revenue_cents=amount))


# ---------------------------------------------------------------- costs


async def ask_costs(turn: Turn) -> None:
    """The cost categories as buttons, with what is entered so far."""
    policy, locale, costs = turn.policy, turn.ctx.locale, turn.answers.costs
    entered = [
        {"name": c.name(locale), "amount_cents": costs[c.key]}
        for c in policy.costs
        if costs.get(c.key)
    ]
    categories = [Button(f"decl:cost:{c.key}", text=c.name(locale)) for c in policy.costs]
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
    turn.ctx.reply(
        "declaration/ask_costs",
        period=turn.draft.period,
        entered=entered,
        buttons=tuple(rows),
        as_list=True,  # one button per cost category: a long menu
    )


async def read_costs(turn: Turn, text: str) -> Move:
    """'klaar' moves on; 'geen' clears the costs and moves on."""
    word = answer_word(text)
    if word not in DONE | NONE:
        return await use_buttons(turn, text)
    return _costs_done(turn, none=word in NONE)


async def tap_costs(turn: Turn, arg: str) -> Move:
    """`decl:costs:done|none`."""
    return _costs_done(turn, none=arg == "none")


def _costs_done(turn: Turn, *, none: bool) -> Move:
    return Move(replace(turn.answers, costs={}) if none else turn.answers)


async def tap_cost(turn: Turn, arg: str) -> Move:
    """`decl:cost:<category>`: ask that category's amount."""
    if turn.policy.cost(arg) is None:
        return stale(turn)
    return Move(replace(turn.answers, cost_key=arg), "cost_amount")


async def ask_cost_amount(turn: Turn) -> None:
    """The amount of the category chosen, with its cap and whether it needs approval."""
    category = turn.policy.cost(turn.answers.cost_key or "")
    turn.ctx.reply(
        "declaration/ask_cost_amount",
        period=turn.draft.period,
        name=category.name(turn.ctx.locale) if category else "",
        needs_approval=bool(category and category.needs_prior_approval),
        cap_cents=category.yearly_cap_cents if category else None,
    )


async def read_cost_amount(turn: Turn, text: str) -> Move:
    """An amount (0 removes the category); warn about its caps; back to the categories."""
    amount = _amount(turn, text)
    return QUIET if amount is None else await set_cost_amount(turn, amount)


async def set_cost_amount(turn: Turn, amount: int) -> Move:
    """The chosen category's amount in cents, typed or confirmed from a receipt."""
    key = turn.answers.cost_key or ""
    costs = dict(turn.answers.costs)
    if amount:
        costs[key] = amount
    else:
        costs.pop(key, None)
    answers = replace(turn.answers, costs=costs, cost_key=None)
    draft = replace(turn.draft, answers=answers)
    for flag in await review.cost_warnings(turn.ctx.tx, turn.policy, turn.participant, draft, key):
        turn.ctx.reply("declaration/cost_warning", **flag)
    return Move(answers, "costs")


# ---------------------------------------------------------------- hours


async def ask_hours(turn: Turn) -> None:
    """The hours of one ISO week, suggesting what is known for it."""
    slots = week_slots(turn.draft.period)
    index = min(turn.answers.week_index, len(slots) - 1)
    slot = slots[index]
    current = turn.answers.weeks.get(slot.key)
    suggested = (
        current
        if current is not None
        else await declarations.prefill(turn.ctx.tx, turn.participant.person_id, slot)
    )
    rows: list[tuple[Button, ...]] = []
    if suggested is not None:
        keep = Button(
            f"decl:hours:{suggested}", "buttons/decl_hours_keep", ctx={"hours": suggested}
        )
        rows.append((keep,))
    rows.append(tuple(Button(f"decl:hours:{h}", text=h) for h in QUICK_HOURS))
    turn.ctx.reply(
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


async def read_hours(turn: Turn, text: str) -> Move:
    """Hours typed or tapped (`decl:hours:<n>`) for this week; the next week, or move on."""
    policy = turn.policy
    value = parse_hours(text, policy.max_hours_per_week)
    if isinstance(value, Refusal):
        turn.ctx.reply(value.key, **value.ctx)
        return STAY
    slots = week_slots(turn.draft.period)
    index = min(turn.answers.week_index, len(slots) - 1)
    weeks: dict[str, Decimal] = {**turn.answers.weeks, slots[index].key: value}
    if value > policy.hour_cap_per_week:
        turn.ctx.reply("declaration/week_nudge", hours=value, cap=policy.hour_cap_per_week)
    if index + 1 < len(slots):
        return Move(replace(turn.answers, weeks=weeks, week_index=index + 1), "hours")
    return Move(replace(turn.answers, weeks=weeks, week_index=0))


# ---------------------------------------------------------------- proof


async def ask_proof(turn: Turn) -> None:
    """Send receipts (files arrive at any question); done, or no receipts."""
    count = await proofs.proof_count(turn.ctx.tx, turn.participant.person_id, turn.draft.period)
    row = [Button("decl:proof:none", "buttons/decl_no_proof")]
    if count:
        row.insert(0, Button("decl:proof:done", "buttons/decl_done"))
    turn.ctx.reply("declaration/ask_proof", count=count, buttons=(tuple(row),))


async def read_proof(turn: Turn, text: str) -> Move:
    """'klaar' or 'geen', typed; done without any file counts as no receipts."""
    word = answer_word(text)
    if word not in DONE | NONE:
        return await use_buttons(turn, text)
    count = await proofs.proof_count(turn.ctx.tx, turn.participant.person_id, turn.draft.period)
    return Move(replace(turn.answers, no_proof=word in NONE or count == 0))


async def tap_proof(turn: Turn, arg: str) -> Move:
    """`decl:proof:done|none`."""
    return Move(replace(turn.answers, no_proof=arg == "none"))


# ---------------------------------------------------------------- note


async def ask_note(turn: Turn) -> None:
    """Anything to explain (optional)."""
    skip = Button("decl:note:skip", "buttons/decl_no_note")
    turn.ctx.reply("declaration/ask_note", current=turn.answers.note, buttons=((skip,),))


async def read_note(turn: Turn, text: str) -> Move:
    """The note, or 'geen' for none."""
    note = None if answer_word(text) in NONE else text[:MAX_NOTE]
    return Move(replace(turn.answers, note=note))


async def tap_note(turn: Turn, arg: str) -> Move:
    """`decl:note:skip`."""
    return Move(replace(turn.answers, note=None))
