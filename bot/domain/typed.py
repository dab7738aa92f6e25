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
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from babel import Locale
from babel.numbers import NumberFormatError, parse_decimal

# Parsed once: a Locale built per call costs more than the parse itself.
PARSE_LOCALES = (Locale.parse("nl_NL"), Locale.parse("en_GB"))
NUMBER_CHARS = frozenset("0123456789.,-")
SPACES = (" ", "\u00a0", "\u202f", "\u2009", "'")
MAX_INPUT = 40
# A Dutch number with correct thousands dots (no leading zero) and any decimals after a comma:
# Babel's strict check accepts exactly these unchanged (tests/unit/test_typed_fast.py).
_DUTCH_GROUPED = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?")
# Arabic-Indic (U+0660…) and Extended Arabic-Indic (U+06F0…) digits as Latin ones, without the
# bidi marks a right-to-left keyboard may type around a number; then the Arabic decimal separator
# (U+066B) and the Arabic comma (U+060C) as the Dutch decimal comma, and the Arabic thousands
# separator (U+066C) as the Dutch thousands dot when its groups are whole ("١٬٢٥٠", not "١٬٢٥").
ARABIC_THOUSANDS = "\u066c"
_DIGITS = str.maketrans(
    {chr(0x0660 + i): str(i) for i in range(10)}
    | {chr(0x06F0 + i): str(i) for i in range(10)}
    | dict.fromkeys("\u200e\u200f\u061c\u2066\u2067\u2068\u2069")
)
_SEPARATORS = str.maketrans({"\u066b": ",", "\u060c": ",", ARABIC_THOUSANDS: "."})
_ARABIC_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:\u066c[0-9]{3})+(?:[\u066b\u060c][0-9]*)?")


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


def latin_digits(text: str) -> str:
    """`text` with digits of any script as Latin digits and the Arabic separators as Dutch ones
    ("١٬٢٥٠٫٥٠" → "1.250,50"). A thousands separator out of place stays, so the text is no
    number. ASCII text is returned as it is, at once."""
    if text.isascii():
        return text
    text = text.translate(_DIGITS)
    if ARABIC_THOUSANDS not in text or _ARABIC_GROUPED.fullmatch(text):
        text = text.translate(_SEPARATORS)
    if text.isascii():
        return text
    return "".join(  # other scripts' digits (Devanagari, Bengali, …): rare, so the slow way
        str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text
    )


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
