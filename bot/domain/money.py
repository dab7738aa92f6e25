"""Amounts and hours as people type them: Babel does the number, we only tidy around it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.numbers import NumberFormatError, parse_decimal

# Tried in this order: Dutch first ("1.250,50"), then the English way ("1250.50", "1,250.50").
# Parsed once: a Locale built per call costs more than the parse itself.
PARSE_LOCALES = (Locale.parse("nl_NL"), Locale.parse("en_GB"))
NUMBER_CHARS = frozenset("0123456789.,-")
SPACES = (" ", "\u00a0", "\u202f", "\u2009", "'")
CURRENCY_WORDS = ("€", "euros", "euro", "eur")
HOUR_WORDS = ("uren", "uur", "hours", "hour", "hrs", "u", "h")
MAX_INPUT = 40


@dataclass(frozen=True)
class Refusal:
    """Why a typed value was not accepted: a message key for a short re-ask, and its context."""

    key: str
    ctx: dict[str, Any] = field(default_factory=dict)


def _number(text: str) -> Decimal | Refusal:
    """A cleaned-up text as a finite Decimal, or a refusal; never raises."""
    if not text:
        return Refusal("declaration/refuse_empty")
    if len(text) > MAX_INPUT or not set(text) <= NUMBER_CHARS:
        return Refusal("declaration/refuse_not_number")
    if text.startswith("-"):
        return Refusal("declaration/refuse_negative")
    for locale in PARSE_LOCALES:
        try:
            value = parse_decimal(text, locale=locale, strict=True)
        except (NumberFormatError, ValueError, ArithmeticError):
            continue
        if not value.is_finite():
            break
        if value < 0:
            return Refusal("declaration/refuse_negative")
        return value
    return Refusal("declaration/refuse_not_number")


def _strip_words(text: str, words: tuple[str, ...]) -> str:
    lowered = text.strip().lower()
    for word in words:
        if lowered.startswith(word):
            lowered = lowered[len(word) :].strip()
        if lowered.endswith(word):
            lowered = lowered[: -len(word)].strip()
    return lowered


def _squeeze(text: str) -> str:
    for space in SPACES:
        text = text.replace(space, "")
    return text.replace("\u2212", "-")  # a typographic minus is still a minus


def _decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def parse_amount(text: str, ceiling_cents: int) -> int | Refusal:
    """Euros as typed ("1250", "1.250,50", "€ 1.250,50", "1250,-", "1 250") → cents."""
    cleaned = _squeeze(_strip_words(text, CURRENCY_WORDS))
    for suffix in (",-", ".-", ",--", ",=", ".="):
        if cleaned.endswith(suffix) and len(cleaned) > len(suffix):
            cleaned = cleaned[: -len(suffix)]
            break
    value = _number(cleaned)
    if isinstance(value, Refusal):
        return value
    if _decimals(value) > 2:
        return Refusal("declaration/refuse_decimals")
    cents = int(value * 100)
    if cents > ceiling_cents:
        return Refusal("declaration/refuse_too_high", {"ceiling_cents": ceiling_cents})
    return cents


def parse_hours(text: str, max_per_week: Decimal) -> Decimal | Refusal:
    """Hours in one week as typed ("12", "12,5", "12.5", "12 uur") → Decimal within 0..max."""
    value = _number(_squeeze(_strip_words(text, HOUR_WORDS)))
    if isinstance(value, Refusal):
        return Refusal(value.key.replace("/refuse_", "/refuse_hours_"), value.ctx)
    if _decimals(value) > 2:
        return Refusal("declaration/refuse_hours_decimals")
    if value > max_per_week:
        return Refusal("declaration/refuse_hours_too_high", {"max_hours": max_per_week})
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
