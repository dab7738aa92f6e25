"""The benefit norm of a month and a month's profit as a share of it: one home for both.

Decisions (see docs/domain.md, "Share of the norm"):
- The norm of a month is the one in force on the month's first day for the participant's
  household (norms change on the first of a month, so this is the month's norm).
- The share is the profit as a whole percentage of that norm, rounded half up (25 on 1.000 is
  3 %). A loss earns nothing towards the benefit: its share is 0 %, while the loss itself is
  still shown as a negative profit. No norm known: no share.
- The share is an indication for the conversation with the klantmanager, never a decision.
"""

from __future__ import annotations

from bot.domain.models import Household
from bot.domain.periods import first_day
from bot.domain.policy import Policy
from bot.domain.typed import round_half_up

__all__ = ["norm_for_period", "round_half_up", "share_of_norm"]


def norm_for_period(policy: Policy, household: Household, period: str) -> int | None:
    """The monthly benefit norm (cents) that applies to `period` ('2026-11') for `household`."""
    return policy.norm_cents(household, first_day(period))


def share_of_norm(profit_cents: int, norm_cents: int | None) -> int | None:
    """The profit as a whole percentage of the norm (466/1141 → 41; a loss → 0; no norm → None)."""
    if not norm_cents or norm_cents <= 0:
        return None
    if profit_cents <= 0:
        return 0
    return round_half_up(profit_cents * 100, norm_cents)
