"""Hours: a week's hours as people type them, and the rolling average of hours per week.

Decisions (docs/domain.md, "Hours as typed" and "Average hours per week"):
- Typed hours: a number ≥ 0 with at most two decimals, Dutch or English way ("12", "12,5",
  "12.5", "12,50"), with or without a unit word before or after ("12 uur", "12u", "12 h",
  "12 hours", "uren 12", "12 saat", "١٢ ساعة"); digits of any script count ("١٢٫٥" is 12.5,
  bot.domain.typed). Above the policy's `max_per_week` is refused as implausible. Every
  refusal says why (a message key).
- Average: over the last `weeks` ISO weeks ending with a given week, counting only the weeks
  that have an answer (an answered 0 is an answer); it says over how many weeks it went. No
  week with an answer: no average. Rounded to one decimal, half up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from bot.domain.typed import Refusal, decimals, parse_number, round_half_up, squeeze, strip_words
from bot.domain.weeks import weeks_ending

# Longest first: one unit word is taken off each end ("uren" before "u", "saat" before "sa").
HOUR_WORDS = (
    *("uren", "uur", "hours", "hour", "hrs"),
    *("ساعات", "ساعة", "ساعه", "saat", "sa"),
    *("u", "h"),
)


@dataclass(frozen=True)
class HoursAverage:
    """Average hours per week, and over how many weeks with an answer it was taken."""

    hours: Decimal
    weeks: int


def parse_hours(text: str, max_per_week: Decimal) -> Decimal | Refusal:
    """Hours in one week as typed ("12", "12,5", "12.5", "12 uur") → Decimal within 0..max."""
    value = parse_number(squeeze(strip_words(text, HOUR_WORDS)))
    if isinstance(value, Refusal):
        return Refusal(value.key.replace("/refuse_", "/refuse_hours_"), value.ctx)
    if decimals(value) > 2:
        return Refusal("declaration/refuse_hours_decimals")
    if value > max_per_week:
        return Refusal("declaration/refuse_hours_too_high", {"max_hours": max_per_week})
    return typed_form(value)


def typed_form(hours: Decimal) -> Decimal:
    """Hours as they are typed and shown: 8 rather than 8.0 or 8E+0, 12.5 rather than 12.50."""
    return hours.quantize(Decimal(1)) if hours == hours.to_integral_value() else hours.normalize()


def rolling_average(
    hours_by_week: Mapping[str, Decimal | float | int], last_week: str, weeks: int
) -> HoursAverage | None:
    """The average over the answered weeks among the `weeks` weeks ending with `last_week`."""
    return average_over(hours_by_week, weeks_ending(last_week, weeks))


def average_over(
    hours_by_week: Mapping[str, Decimal | float | int], window: Iterable[str]
) -> HoursAverage | None:
    """The average over the answered weeks of `window` (week keys): the rule itself.

    `rolling_average` builds the window; a caller that judges many participants against the
    same weeks (the weekly digest) builds it once and calls this.
    """
    total = count = 0
    for key in window:
        value = hours_by_week.get(key)
        if value is not None:
            total += round(value * 100)  # in hundredths: hours carry at most two decimals
            count += 1
    if not count:
        return None
    tenths = round_half_up(total, 10 * count)  # exact integer arithmetic, halves up
    return HoursAverage(Decimal(tenths).scaleb(-1), count)
