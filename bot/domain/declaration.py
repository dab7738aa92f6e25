"""Pure figures of a monthly declaration: profit, share of the norm, hours and the flags.

Nothing here reads the clock or the database; earlier months arrive as plain data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from bot.domain.hours import rolling_average
from bot.domain.norms import share_of_norm
from bot.domain.periods import first_day, last_day
from bot.domain.policy import Policy
from bot.domain.weeks import WeekSlot, week_slots

Flag = dict[str, Any]


@dataclass(frozen=True)
class Answers:
    """What the participant told us about one month."""

    period: str
    worked: bool
    revenue_cents: int = 0
    costs: Mapping[str, int] = field(default_factory=dict)  # category key → cents
    weeks: Mapping[str, Decimal] = field(default_factory=dict)  # '2026-W49' → hours
    note: str | None = None
    proof_count: int = 0
    no_proof: bool = False

    @property
    def costs_cents(self) -> int:
        """All costs of the month."""
        return sum(self.costs.values()) if self.worked else 0

    @property
    def hours(self) -> Decimal:
        """All hours of the month."""
        return sum(self.weeks.values(), Decimal(0)) if self.worked else Decimal(0)


@dataclass(frozen=True)
class Figures:
    """What the review shows and what is stored with the declaration."""

    profit_cents: int
    norm_cents: int | None
    share_pct: int | None
    hours: Decimal
    average_hours: Decimal | None
    year_pace: Decimal | None
    flags: list[Flag]
    nudges: list[Flag]  # friendly notes for the participant only
    average_weeks: int | None = None  # answered weeks behind `average_hours`


def profit_cents(revenue_cents: int, costs_cents: int) -> int:
    """Omzet minus kosten; may be negative."""
    return revenue_cents - costs_cents


def year_pace(hours_this_year: Decimal, since: date, until: date) -> Decimal | None:
    """Hours per year at the pace from `since` to `until` (None for less than four weeks)."""
    days = (until - since).days + 1
    if days < 28:
        return None
    return _round1(hours_this_year * 365 / days)


def merged_hours(
    known: Mapping[str, Decimal], answers: Answers, slots: Iterable[WeekSlot]
) -> dict[str, Decimal]:
    """Known weekly hours with this month's answers laid over them.

    A complete week takes the new answer; a week shared with another month keeps the larger of
    the two, since the answer only covers the days inside this month.
    """
    merged = dict(known)
    for slot in slots:
        value = answers.weeks.get(slot.key)
        if value is None:
            continue
        merged[slot.key] = value if slot.complete else max(value, known.get(slot.key, value))
    return merged


def cost_flags(
    policy: Policy, answers: Answers, earlier_costs: Mapping[str, int]
) -> tuple[list[Flag], list[Flag]]:
    """Flags for costs over a yearly cap, needing prior approval, or an investment over the cap.

    `earlier_costs` holds this calendar year's costs per category from the other months.
    Returns (flags, nudges): here each flag is also worth a friendly word to the participant.
    """
    flags: list[Flag] = []
    if not answers.worked:
        return flags, []
    investment_total = 0
    for key, amount in answers.costs.items():
        category = policy.cost(key)
        if category is None or amount <= 0:
            continue
        names = dict(category.names)
        total = earlier_costs.get(key, 0) + amount
        cap = category.yearly_cap_cents
        if cap is not None and total > cap:
            flags.append(
                {
                    "code": "cost_over_cap",
                    "category": key,
                    "names": names,
                    "total_cents": total,
                    "cap_cents": cap,
                }
            )
        if category.needs_prior_approval:
            flags.append({"code": "needs_approval", "category": key, "names": names})
        if category.investment:
            investment_total += amount
    if investment_total > policy.investment_cap_cents:
        flags.append(
            {
                "code": "investment_over_cap",
                "amount_cents": investment_total,
                "cap_cents": policy.investment_cap_cents,
            }
        )
    return flags, list(flags)


def figures(
    policy: Policy,
    answers: Answers,
    *,
    norm_cents: int | None,
    earlier_costs: Mapping[str, int],
    known_hours: Mapping[str, Decimal],
    year_hours_before: Decimal,
    start_date: date,
) -> Figures:
    """Everything the review shows and the klantmanager should look at.

    `known_hours` are the participant's weekly hours from check-ins and earlier declarations;
    `year_hours_before` are this calendar year's hours from the other months' declarations.
    """
    slots = week_slots(answers.period)
    profit = profit_cents(answers.revenue_cents if answers.worked else 0, answers.costs_cents)
    flags, nudges = cost_flags(policy, answers, earlier_costs)
    cap = policy.hour_cap_per_week
    if answers.worked:
        for slot in slots:
            value = answers.weeks.get(slot.key, Decimal(0))
            if value > cap:
                note = {"code": "week_over_cap", "week": slot.key, "hours": float(value)}
                nudges.append(note)
                if policy.hour_mode == "weekly_strict":
                    flags.append(note)
    merged = merged_hours(known_hours, answers, slots)
    average = rolling_average(merged, slots[-1].key, policy.rolling_weeks)
    if average is not None and average.hours > cap and policy.hour_mode != "annual":
        flags.append({"code": "average_over_cap", "hours": float(average.hours)})
    month_start = first_day(answers.period)
    since = max(month_start.replace(month=1, day=1), start_date)
    pace = year_pace(year_hours_before + answers.hours, since, last_day(answers.period))
    if pace is not None and pace > policy.annual_hour_cap:
        flags.append({"code": "year_pace_over_cap", "hours": float(pace)})
    if answers.worked and answers.no_proof and (answers.revenue_cents or answers.costs_cents):
        flags.append({"code": "no_proof"})
    unusual = unusual_reason(answers)
    if unusual:
        flags.append({"code": "amount_unusual", "reason": unusual})
    return Figures(
        profit_cents=profit,
        norm_cents=norm_cents,
        share_pct=share_of_norm(profit, norm_cents),
        hours=answers.hours,
        average_hours=None if average is None else average.hours,
        year_pace=pace,
        flags=flags,
        nudges=nudges,
        average_weeks=None if average is None else average.weeks,
    )


def unusual_reason(answers: Answers) -> str | None:
    """A neutral reason for the klantmanager to have a second look, or None."""
    if not answers.worked:
        return None
    if answers.costs_cents > answers.revenue_cents:
        return "costs_exceed_revenue"
    if answers.revenue_cents > 0 and answers.hours == 0:
        return "revenue_without_hours"
    return None


def _round1(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
