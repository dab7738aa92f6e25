"""Numbers as people type them: tidy the text around the number, let Babel read the number.

Shared by amounts (bot.domain.money) and hours (bot.domain.hours), with the one half-up rounding
of a quotient (`round_half_up`). Nothing here raises on input: a value is a Decimal or a
`Refusal` saying why not (docs/domain.md, "Typed numbers").
Dutch is tried first ("1.250,50"), then the English way ("1250.50", "1,250.50"). Digits of
any script count: Arabic-Indic ("١٢٥٠"), Extended Arabic-Indic ("۱۲۵۰") and the Arabic decimal
and thousands separators ("١٬٢٥٠٫٥٠" is 1250.50) are made Latin first (`latin_digits`), with
one `str.translate` and no locale data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from babel import Locale
from babel.numbers import NumberFormatError, parse_decimal

from bot.domain.words import latin_digits as latin_digits

# Parsed once: a Locale built per call costs more than the parse itself.
PARSE_LOCALES = (Locale.parse("nl_NL"), Locale.parse("en_GB"))
NUMBER_CHARS = frozenset("0123456789.,-")
SPACES = (" ", "\u00a0", "\u202f", "\u2009", "'")
MAX_INPUT = 40
# A Dutch number with correct thousands dots (no leading zero) and any decimals after a comma:
# Babel's strict check accepts exactly these unchanged (tests/unit/test_typed_fast.py).
_DUTCH_GROUPED = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?")


@dataclass(frozen=True)
class Refusal:
    """Why a typed value was not accepted: a message key for a short re-ask, and its context."""

    key: str
    ctx: dict[str, Any] = field(default_factory=dict)


def parse_number(text: str) -> Decimal | Refusal:
    """A cleaned-up text as a finite Decimal ≥ 0, or a refusal; never raises."""
    text = latin_digits(text)
    if not text:
        return Refusal("declaration/refuse_empty")
    if len(text) > MAX_INPUT or not set(text) <= NUMBER_CHARS:
        return Refusal("declaration/refuse_not_number")
    if text.startswith("-"):
        return Refusal("declaration/refuse_negative")
    fast = _dutch(text)
    if fast is not None:
        return fast
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


def _dutch(text: str) -> Decimal | None:
    """What Babel's strict Dutch parse returns for the shapes typed most ("1250", "12,5",
    "1.250,50"), without Babel's locale look-ups and its format-and-compare check; None: ask
    Babel. Without a dot Babel itself only swaps the comma for a point."""
    if "." in text and not _DUTCH_GROUPED.fullmatch(text):
        return None
    try:
        return Decimal(text.replace(".", "").replace(",", "."))
    except InvalidOperation:
        return None


def strip_words(text: str, words: tuple[str, ...]) -> str:
    """`text` in lower case without one leading and one trailing unit word of `words`."""
    lowered = text.strip().lower()
    for word in words:
        if lowered.startswith(word):
            lowered = lowered[len(word) :].strip()
        if lowered.endswith(word):
            lowered = lowered[: -len(word)].strip()
    return lowered


def squeeze(text: str) -> str:
    """`text` without spaces of any kind; a typographic minus becomes '-'."""
    for space in SPACES:
        text = text.replace(space, "")
    return text.replace("\u2212", "-")  # a typographic minus is still a minus


def decimals(value: Decimal) -> int:
    """How many decimals `value` was typed with."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to a whole number, halves up (both ≥ 0, exact integers).

    Shares and their averages are rounded this way everywhere (2.5 → 3, unlike Python's round).
    """
    return (2 * numerator + denominator) // (2 * denominator)
