"""The receipt reader in the declaration: "Ik lees € 12,50 op deze bon. Klopt dat?"

A photo or PDF sent at the omzet question or a cost category's amount is read before the unit
of work (`read_receipt`, registered as the declaration's file reader; the dispatcher calls it
outside the database transaction, and one person's updates come in order, so the step it saw is
still the step when the file is handled). The file is kept as proof either way
(handlers/declaration.py); the total found is only offered: *Ja* fills the amount exactly as if
it were typed, *Nee, ik typ het zelf* asks to type it. The buttons carry the amount (and the cost
category), so a tap after the person moved on is stale, never a silent change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.contract import Button, Inbound, small_int
from bot.domain.words import NO, YES, answer_word
from handlers.declaration_questions import (
    QUIET,
    Move,
    Turn,
    set_cost_amount,
    set_revenue,
    stale,
)

if TYPE_CHECKING:
    from bot.runtime import Services

REVENUE = "revenue"
COST_AMOUNT = "cost_amount"
READ_AT = frozenset({REVENUE, COST_AMOUNT})  # the questions where a receipt gives the amount
# The state's note of the reading just offered (its *Ja* button's action and argument), so a
# typed 'ja' or 'nee' answers it; every move of the draft clears it (declaration_steps.py).
OFFERED = "receipt_offered"
Reader = Callable[[Turn, str], Awaitable[Move]]


async def read_receipt(services: Services, inbound: Inbound, step: str | None) -> Inbound:
    """Read the total of a file sent at an amount question (reader on, file not too big)."""
    file, reader = inbound.file, services.receipts
    if step not in READ_AT or reader is None or file is None or file.data is None:
        return inbound
    if len(file.data) > services.settings.proof_max_bytes:
        return inbound
    total = await reader.read_total(file.data, services.policy.amount_ceiling_cents)
    if total is None:
        return inbound
    return replace(inbound, file=replace(file, total_cents=total.cents))


def offer(turn: Turn) -> bool:
    """Ask whether the total read on the file is right; False when there is nothing to ask."""
    file = turn.ctx.inbound.file
    cents = file.total_cents if file else None
    step = turn.draft.step
    if cents is None or step not in READ_AT:
        return False
    if step == REVENUE:
        yes, no = f"decl:rcpt:{cents}", "decl:rcptno"
    else:
        yes, no = f"decl:rcptc:{turn.answers.cost_key or ''}:{cents}", "decl:rcptcno"
    buttons = (
        (
            Button(yes, "buttons/decl_receipt_yes"),
            Button(no, "buttons/decl_receipt_no"),
        ),
    )
    turn.ctx.reply("declaration/receipt_read", amount_cents=cents, buttons=buttons)
    turn.ctx.state.data[OFFERED] = yes.partition(":")[2]
    turn.ctx.state.touch()
    return True


def typed(read: Reader) -> Reader:
    """An amount question's typed answer: 'ja' or 'nee' answers the reading just offered (a
    phone without buttons); anything else is read as the amount by `read`."""

    async def answer(turn: Turn, text: str) -> Move:
        offered = turn.ctx.state.data.get(OFFERED)
        word = answer_word(text)
        if not isinstance(offered, str) or word not in YES | NO:
            return await read(turn, text)
        if word in NO:
            return await tap_type_it(turn, "")
        action, _, arg = offered.partition(":")
        return await (tap_revenue if action == "rcpt" else tap_cost)(turn, arg)

    return answer


async def tap_revenue(turn: Turn, arg: str) -> Move:
    """`decl:rcpt:<cents>`: Ja, the omzet is the amount read."""
    amount = _cents(turn, arg)
    return stale(turn) if amount is None else set_revenue(turn, amount)


async def tap_cost(turn: Turn, arg: str) -> Move:
    """`decl:rcptc:<category>:<cents>`: Ja, the amount read for the category being asked."""
    key, _, cents = arg.rpartition(":")
    amount = _cents(turn, cents)
    if amount is None or key != turn.answers.cost_key:
        return stale(turn)
    return await set_cost_amount(turn, amount)


async def tap_type_it(turn: Turn, arg: str) -> Move:
    """`decl:rcptno` / `decl:rcptcno`: Nee, the person types the amount."""
    turn.ctx.reply("declaration/receipt_type_it")
    return QUIET


def _cents(turn: Turn, text: str) -> int | None:
    """The amount a button carries, when it is one a person could have typed."""
    value = small_int(text)
    return value if value is not None and value <= turn.policy.amount_ceiling_cents else None
