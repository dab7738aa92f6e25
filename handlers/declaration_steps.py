"""The declaration's questions as one table, and the driver that runs it.

Each `Step` asks its question (a reply with its buttons), reads a typed answer, takes its own
`decl:<action>:<arg>` buttons and says where to go next: by default the question below it in
QUESTIONS, or straight back to the review when the person came from there to change one part.
Adding a question is adding one entry (and its templates); the step functions are in
`handlers/declaration_questions.py`.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from itertools import pairwise

from bot.contract import Button, ButtonRows
from bot.domain.answers import Draft
from bot.services import drafts, review
from handlers import receipt
from handlers.base import Ctx
from handlers.declaration_questions import (
    ALWAYS,
    IF_WORKED,
    NEXT,
    REVIEW,
    Move,
    Step,
    Turn,
    ask_cost_amount,
    ask_costs,
    ask_hours,
    ask_note,
    ask_proof,
    ask_reason,
    ask_revenue,
    ask_worked,
    read_cost_amount,
    read_costs,
    read_hours,
    read_note,
    read_proof,
    read_reason,
    read_revenue,
    read_worked,
    stale,
    tap_cost,
    tap_costs,
    tap_note,
    tap_proof,
    tap_worked,
    use_buttons,
)

FLOW = "declaration"
FIRST = "worked"  # where a new declaration starts
CORRECTION_FIRST = "reason"  # where a correction starts


async def ask_review(turn: Turn) -> None:
    """Controleer je opgave: the answers and figures, a button per part to change, Verstuur."""
    draft = turn.draft
    shown = await review.review(turn.ctx.tx, turn.policy, turn.participant, draft)
    edits = [Button(f"decl:edit:{p}", f"buttons/decl_edit_{p}") for p in edit_parts(shown.worked)]
    rows: ButtonRows = (
        *(tuple(edits[i : i + 3]) for i in range(0, len(edits), 3)),
        (Button(f"decl:send:{draft.period}:{draft.nonce}", "buttons/decl_send"),),
    )
    turn.ctx.reply("declaration/review", buttons=rows, **asdict(shown))


async def tap_edit(turn: Turn, part: str) -> Move:
    """`decl:edit:<part>`: ask that part again, then come back to the review."""
    step = STEPS.get(part)
    if step is None or step.edit is None:
        return stale(turn)
    # The hours start again at the month's first week; a new 'worked' answer walks through all.
    return Move(replace(turn.answers, editing=True, week_index=0), part)


def edit_parts(worked: bool) -> list[str]:
    """The parts the review offers to change, in the order they are asked."""
    return [s.name for s in QUESTIONS if s.edit == ALWAYS or (s.edit == IF_WORKED and worked)]


# A receipt read at an amount question (handlers/receipt.py): Ja, or Nee, I type it.
RECEIPT_REVENUE = {"rcpt": receipt.tap_revenue, "rcptno": receipt.tap_type_it}
RECEIPT_COST = {"rcptc": receipt.tap_cost, "rcptcno": receipt.tap_type_it}

# The questions in the order they are asked; each moves on to the one below it.
QUESTIONS: tuple[Step, ...] = (
    Step("worked", ask_worked, read_worked, {"worked": tap_worked}, edit=ALWAYS),
    Step("revenue", ask_revenue, read_revenue, RECEIPT_REVENUE, edit=IF_WORKED),
    Step("costs", ask_costs, read_costs, {"cost": tap_cost, "costs": tap_costs}, edit=IF_WORKED),
    Step("hours", ask_hours, read_hours, {"hours": read_hours}, edit=IF_WORKED),
    Step("proof", ask_proof, read_proof, {"proof": tap_proof}, edit=IF_WORKED),
    Step("note", ask_note, read_note, {"note": tap_note}, edit=ALWAYS),
    Step(REVIEW, ask_review, use_buttons, {"edit": tap_edit}),
)
# Questions asked on the side: a correction's reason (then the review), and the amount of one
# cost category (asked from the costs question, which it returns to).
SIDE_QUESTIONS: tuple[Step, ...] = (
    Step(CORRECTION_FIRST, ask_reason, read_reason, next=REVIEW),
    Step("cost_amount", ask_cost_amount, read_cost_amount, RECEIPT_COST),
)

STEPS = {step.name: step for step in (*QUESTIONS, *SIDE_QUESTIONS)}
FOLLOWING = {step.name: after.name for step, after in pairwise(QUESTIONS)}
BUTTONS = {action: step for step in STEPS.values() for action in step.buttons}


def offer_resume(ctx: Ctx, draft: Draft) -> None:
    """Ask whether to go on with the draft or start again."""
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


async def ask(turn: Turn) -> None:
    """Ask the question of the draft's current step."""
    step = STEPS.get(turn.draft.step)
    if step is None:
        offer_resume(turn.ctx, turn.draft)
        return
    await step.ask(turn)


async def typed(turn: Turn, text: str) -> None:
    """Take a typed answer to the current question."""
    step = STEPS.get(turn.draft.step)
    move = await (step.typed if step else use_buttons)(turn, text)
    await _apply(turn, step, move)


async def tapped(turn: Turn, action: str, arg: str) -> None:
    """Take a `decl:<action>:<arg>` button; one of another question is stale."""
    step = STEPS.get(turn.draft.step)
    owner = BUTTONS.get(action)
    if step is None or owner is not step:
        turn.ctx.reply("declaration/stale_button")
        await again(turn)
        return
    await _apply(turn, step, await step.buttons[action](turn, arg))


async def again(turn: Turn) -> None:
    """Keep the draft where it is and ask its question again."""
    await _apply(turn, STEPS.get(turn.draft.step), Move(turn.answers, turn.draft.step))


async def _apply(turn: Turn, step: Step | None, move: Move) -> None:
    """Save the answers of a move, go where it leads and ask that question."""
    draft = turn.draft
    if move.answers is not None:
        answers, to = move.answers, move.to
        if to == NEXT:
            to = REVIEW if answers.editing else _after(step)
            answers = replace(answers, editing=False) if answers.editing else answers
        draft = Draft(draft.participant_id, draft.period, draft.nonce, to, answers)
        await drafts.save_draft(turn.ctx.tx, turn.ctx.now, draft)
        turn.ctx.state.go(FLOW, to, period=draft.period)
    if move.ask:
        await ask(Turn(turn.ctx, turn.participant, draft))


def _after(step: Step | None) -> str:
    if step is None:
        return REVIEW
    return step.next or FOLLOWING.get(step.name, REVIEW)
