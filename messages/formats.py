"""Amounts, numbers, percentages and dates as Babel writes them for nl_NL and en_GB, without
loading Babel's locale data.

Babel reads a locale's whole CLDR data the first time it formats anything in it: 3.8 MiB for
Dutch and 1.3 MiB more for English, a tenth of the bot's memory, for a handful of symbols and
twelve month names. These are those symbols (the month names are `bot.domain.localtime`'s);
`tests/unit/test_formats.py` checks every function against Babel itself (the same patterns,
half-even rounding, the sign of a negative zero), and a format not listed here still goes to
Babel.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import NamedTuple

from bot.clock import AMSTERDAM
from bot.domain.localtime import MONTH_ABBREVIATIONS, MONTH_NAMES


class Symbols(NamedTuple):
    """What one locale writes around digits, and its month names."""

    babel: str  # the Babel locale these are checked against
    group: str
    decimal: str
    money: tuple[str, str]  # (positive, negative) with "#" for the amount: "€ #", "€ -#"
    months: tuple[str, ...]  # wide, January first
    months_short: tuple[str, ...]  # abbreviated ("MMM")


SYMBOLS = {
    "nl": Symbols(
        "nl_NL",
        ".",
        ",",
        ("€\xa0#", "€\xa0-#"),
        MONTH_NAMES["nl"],
        MONTH_ABBREVIATIONS["nl"],
    ),
    "en": Symbols(
        "en_GB",
        ",",
        ".",
        ("€#", "-€#"),
        MONTH_NAMES["en"],
        MONTH_ABBREVIATIONS["en"],
    ),
}


def _digits(value: Decimal, places: int, minimum: int, symbols: Symbols) -> str:
    """`value` without its sign, rounded half-even to `places` decimals, grouped by thousands,
    keeping at least `minimum` decimals (Babel's "#,##0.00" and "#,##0.##" patterns)."""
    rounded = abs(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    whole, _, fraction = f"{rounded:f}".partition(".")
    fraction = fraction.rstrip("0").ljust(minimum, "0")
    grouped = f"{int(whole):,}".replace(",", symbols.group)
    return grouped + (symbols.decimal + fraction if fraction else "")


def money(cents: int | Decimal, locale: str) -> str:
    """An amount in cents as euros: "€ 1.234,56" (nl), "€1,234.56" (en)."""
    symbols = SYMBOLS[locale]
    amount = Decimal(cents) / 100
    shape = symbols.money[1 if amount.is_signed() else 0]
    return shape.replace("#", _digits(amount, 2, 2, symbols))


def number(value: float | Decimal | int, digits: int, locale: str) -> str:
    """A number with up to `digits` decimals: "1.234,5" (nl), "1,234.5" (en)."""
    amount = Decimal(str(value))
    if not amount.is_finite():
        return _babel_decimal(amount, "#,##0" + ("." + "#" * digits if digits else ""), locale)
    sign = "-" if amount.is_signed() else ""
    return sign + _digits(amount, digits, 0, SYMBOLS[locale])


def percent(value: float | Decimal | int, locale: str) -> str:
    """A value that already is a percentage, whole: "12 %"."""
    return number(value, 0, locale) + " %"


def day(value: date, pattern: str, locale: str) -> str | None:
    """A day as "7 maart 2026" ("d MMMM yyyy"), "7 mrt" ("d MMM") or "7" ("d"); None for
    another pattern (Babel's)."""
    symbols = SYMBOLS[locale]
    if pattern == "d MMMM yyyy":
        return f"{value.day} {symbols.months[value.month - 1]} {value.year:04d}"
    if pattern == "d MMM":
        return f"{value.day} {symbols.months_short[value.month - 1]}"
    if pattern == "d":
        return str(value.day)
    return None


def month(value: date, locale: str) -> str:
    """A month as "maart 2026" ("MMMM yyyy")."""
    return f"{SYMBOLS[locale].months[value.month - 1]} {value.year:04d}"


def moment(instant: datetime, locale: str) -> str:
    """An instant in Amsterdam as "7 maart 2026, 08:05" ("d MMMM yyyy, HH:mm")."""
    local = instant.astimezone(AMSTERDAM)
    return f"{day(local.date(), 'd MMMM yyyy', locale)}, {local.hour:02d}:{local.minute:02d}"


def _babel_decimal(value: Decimal, pattern: str, locale: str) -> str:
    from babel.numbers import format_decimal

    return str(format_decimal(value, pattern, locale=SYMBOLS[locale].babel))


WEEKDAYS = {
    "nl": {
        "wide": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
        "abbreviated": ("ma", "di", "wo", "do", "vr", "za", "zo"),
    },
    "en": {
        "wide": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        "abbreviated": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    },
}


def weekday(index: int, width: str, locale: str) -> str:
    """A weekday's name (Monday = 0), "wide" or "abbreviated"; Babel's for other locales."""
    names = WEEKDAYS.get(locale, {}).get(width)
    if names is not None:
        return names[index]
    from babel.dates import get_day_names

    return str(get_day_names(width, locale=_babel_locale(locale))[index])  # type: ignore[arg-type]


def _babel_locale(locale: str) -> str:
    return {"nl": "nl_NL", "en": "en_GB", "ar": "ar", "tr": "tr_TR"}.get(locale, "nl_NL")
