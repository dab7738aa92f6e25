"""Amounts as people type them → cents: Babel reads the number (bot.domain.typed), we tidy it."""

from __future__ import annotations

from bot.domain.typed import Refusal as Refusal
from bot.domain.typed import decimals, parse_number, squeeze, strip_words

CURRENCY_WORDS = ("€", "euros", "euro", "eur", "اليورو", "يورو", "avro")


def parse_amount(text: str, ceiling_cents: int) -> int | Refusal:
    """Euros as typed ("1250", "1.250,50", "€ 1.250,50", "1250,-", "1 250", "١٬٢٥٠٫٥٠ يورو")
    → cents."""
    cleaned = squeeze(strip_words(text, CURRENCY_WORDS))
    for suffix in (",-", ".-", ",--", ",=", ".="):
        if cleaned.endswith(suffix) and len(cleaned) > len(suffix):
            cleaned = cleaned[: -len(suffix)]
            break
    value = parse_number(cleaned)
    if isinstance(value, Refusal):
        return value
    if decimals(value) > 2:
        return Refusal("declaration/refuse_decimals")
    cents = int(value * 100)
    if cents > ceiling_cents:
        return Refusal("declaration/refuse_too_high", {"ceiling_cents": ceiling_cents})
    return cents
