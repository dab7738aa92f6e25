"""The figures of a draft, counting the earlier months, and what "Controleer je opgave" shows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from bot.domain import declaration as rules
from bot.domain.answers import Draft
from bot.domain.models import Participant
from bot.domain.norms import norm_for_period
from bot.domain.policy import Policy
from bot.domain.weeks import week_slots
from bot.storage import declarations, proofs, weekly_hours
from bot.storage.unit import Tx


@dataclass(frozen=True)
class CostLine:
    """One category of costs entered: its names per locale and the amount."""

    names: Mapping[str, str]
    amount_cents: int


@dataclass(frozen=True)
class WeekLine:
    """The hours of one ISO week, with the days of it inside the month (ISO dates)."""

    week: int
    first: str
    last: str
    hours: Decimal


@dataclass(frozen=True)
class Review:
    """Everything the review shows before Verstuur."""

    period: str
    correction: bool
    reason: str | None
    worked: bool
    revenue_cents: int
    costs: tuple[CostLine, ...]
    costs_cents: int
    weeks: tuple[WeekLine, ...]
    hours: Decimal
    average_hours: Decimal | None
    cap: Decimal
    year_pace: Decimal | None
    annual_cap: Decimal
    profit_cents: int
    norm_cents: int | None
    share_pct: int | None
    proof_count: int
    no_proof: bool
    note: str | None
    flags: list[rules.Flag]


async def _year_context(
    tx: Tx, participant_id: int, period: str
) -> tuple[dict[str, int], Decimal]:
    """This year's costs per category and hours, from the other months' latest versions."""
    costs: dict[str, int] = {}
    hours = Decimal(0)
    for found in await declarations.latest_of_year(tx, participant_id, period[:4], period):
        for category, cents in found.answers.costs.items():
            costs[category] = costs.get(category, 0) + cents
        hours += found.hours
    return costs, hours


async def compute(
    tx: Tx, policy: Policy, participant: Participant, draft: Draft
) -> tuple[rules.Answers, rules.Figures]:
    """The draft's answers and their figures, counting earlier months."""
    # A correction keeps the files of the version it corrects (they are carried over on submit),
    # so its count is those plus the files sent for the correction: what the card will count.
    loose = await proofs.count_loose(tx, participant.person_id, draft.period)
    answers = draft.month(loose + draft.answers.earlier_proofs)
    earlier_costs, year_hours = await _year_context(tx, participant.person_id, draft.period)
    figures = rules.figures(
        policy,
        answers,
        norm_cents=norm_for_period(policy, participant.household, draft.period),
        earlier_costs=earlier_costs,
        known_hours=await weekly_hours.of_participant(tx, participant.person_id),
        year_hours_before=year_hours,
        start_date=participant.start_date,
    )
    return answers, figures


async def cost_warnings(
    tx: Tx, policy: Policy, participant: Participant, draft: Draft, key: str
) -> list[rules.Flag]:
    """The flags about the cost category `key` just entered (over its cap, needs approval)."""
    _, figures = await compute(tx, policy, participant, draft)
    category = policy.cost(key)
    investment = bool(category and category.investment)
    return [
        flag
        for flag in figures.flags
        if flag.get("category") == key or (flag["code"] == "investment_over_cap" and investment)
    ]


async def review(tx: Tx, policy: Policy, participant: Participant, draft: Draft) -> Review:
    """What "Controleer je opgave" shows."""
    answers, figures = await compute(tx, policy, participant, draft)
    return Review(
        period=draft.period,
        correction=draft.correction,
        reason=draft.answers.reason,
        worked=answers.worked,
        revenue_cents=answers.revenue_cents,
        costs=tuple(
            CostLine(dict(c.names), answers.costs[c.key])
            for c in policy.costs
            if answers.costs.get(c.key)
        ),
        costs_cents=answers.costs_cents,
        weeks=tuple(
            WeekLine(
                s.week,
                s.first.isoformat(),
                s.last.isoformat(),
                answers.weeks.get(s.key, Decimal(0)),
            )
            for s in week_slots(draft.period)
        ),
        hours=figures.hours,
        average_hours=figures.average_hours,
        cap=policy.hour_cap_per_week,
        year_pace=figures.year_pace,
        annual_cap=policy.annual_hour_cap,
        profit_cents=figures.profit_cents,
        norm_cents=figures.norm_cents,
        share_pct=figures.share_pct,
        proof_count=answers.proof_count,
        no_proof=answers.no_proof,
        note=answers.note,
        flags=figures.flags,
    )
