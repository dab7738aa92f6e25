"""Amounts, numbers, percentages and dates as Babel writes them for nl_NL and en_GB, without
loading Babel's locale data.

Babel reads a locale's whole CLDR data the first time it formats anything in it: 3.8 MiB for
Dutch and 1.3 MiB more for English, a tenth of the bot's memory, for a handful of symbols and
twelve month names. These are those symbols (the month names are `bot.domain.localtime`'s);
`tests/unit/test_formats.py` checks every function against Babel itself (the same patterns,
half-even rounding, the sign of a negative zero), and a format not listed here still goes to
Babel.

Arabic (`ar`) and Turkish (`tr`, as `tr_TR`) are rare, so they are formatted by Babel itself: its
modules and their locale data are imported the first time such a message is rendered, never for
Dutch or English. Arabic is written with Latin digits (Babel's `numbering_system="latn"`), as
Dutch institutions write amounts, and Arabic month names: "12 ديسمبر 2026", "‏1,250.50 €".
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from bot.clock import AMSTERDAM
from bot.domain.localtime import MONTH_ABBREVIATIONS, MONTH_NAMES

if TYPE_CHECKING:
    from babel import Locale


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

BABEL_LOCALES = {"nl": "nl_NL", "en": "en_GB", "ar": "ar", "tr": "tr_TR"}
"""Every locale's Babel locale; those without `SYMBOLS` are formatted by Babel itself."""
NUMBERING = "latn"  # digits 0-9 in every locale, also in Arabic
_DAY = "d MMMM yyyy"


def _digits(value: Decimal, places: int, minimum: int, symbols: Symbols) -> str:
    """`value` without its sign, rounded half-even to `places` decimals, grouped by thousands,
    keeping at least `minimum` decimals (Babel's "#,##0.00" and "#,##0.##" patterns)."""
    rounded = abs(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    whole, _, fraction = f"{rounded:f}".partition(".")
    fraction = fraction.rstrip("0").ljust(minimum, "0")
    grouped = f"{int(whole):,}".replace(",", symbols.group)
    return grouped + (symbols.decimal + fraction if fraction else "")


def money(cents: int | Decimal, locale: str) -> str:
    """An amount in cents as euros: "€ 1.234,56" (nl), "€1,234.56" (en), "€1.234,56" (tr),
    "1,234.56 €" (ar: after Babel's RIGHT-TO-LEFT MARK U+200F, with a no-break space)."""
    amount = Decimal(cents) / 100
    symbols = SYMBOLS.get(locale)
    if symbols is None:
        from babel.numbers import format_currency

        return format_currency(amount, "EUR", locale=_babel(locale), numbering_system=NUMBERING)
    shape = symbols.money[1 if amount.is_signed() else 0]
    return shape.replace("#", _digits(amount, 2, 2, symbols))


def number(value: float | Decimal | int, digits: int, locale: str) -> str:
    """A number with up to `digits` decimals: "1.234,5" (nl), "1,234.5" (en)."""
    amount = Decimal(str(value))
    symbols = SYMBOLS.get(locale)
    if symbols is None or not amount.is_finite():
        return _babel_decimal(amount, "#,##0" + ("." + "#" * digits if digits else ""), locale)
    sign = "-" if amount.is_signed() else ""
    return sign + _digits(amount, digits, 0, symbols)


def percent(value: float | Decimal | int, locale: str) -> str:
    """A value that already is a percentage, whole: "12 %" (nl, en); in the locale's own
    pattern for the others: "%12" (tr), "12%" (ar)."""
    if locale in SYMBOLS:
        return number(value, 0, locale) + " %"
    from babel.numbers import format_percent

    return format_percent(
        Decimal(str(value)) / 100, locale=_babel(locale), numbering_system=NUMBERING
    )


def day(value: date, pattern: str, locale: str) -> str | None:
    """A day as "7 maart 2026" ("d MMMM yyyy"), "7 mrt" ("d MMM") or "7" ("d"); None for
    another pattern in nl and en (Babel's). Arabic and Turkish are Babel's for every pattern
    (never None): "7 مارس 2026", "7 Mart 2026"."""
    symbols = SYMBOLS.get(locale)
    if symbols is None:
        from babel.dates import format_date

        return format_date(value, pattern, locale=_babel(locale))
    if pattern == "d MMMM yyyy":
        return f"{value.day} {symbols.months[value.month - 1]} {value.year:04d}"
    if pattern == "d MMM":
        return f"{value.day} {symbols.months_short[value.month - 1]}"
    if pattern == "d":
        return str(value.day)
    return None


def month(value: date, locale: str) -> str:
    """A month as "maart 2026" ("MMMM yyyy")."""
    symbols = SYMBOLS.get(locale)
    if symbols is None:
        from babel.dates import format_date

        return format_date(value, "MMMM yyyy", locale=_babel(locale))
    return f"{symbols.months[value.month - 1]} {value.year:04d}"


def moment(instant: datetime, locale: str) -> str:
    """An instant in Amsterdam as "7 maart 2026, 08:05" ("d MMMM yyyy, HH:mm"); Arabic and
    Turkish join day and time as their CLDR data does: "7 مارس 2026، 08:05", "7 Mart 2026 08:05".
    """
    local = instant.astimezone(AMSTERDAM)
    if locale not in SYMBOLS:
        from babel.dates import format_datetime

        return format_datetime(
            local, _moment_pattern(locale), tzinfo=AMSTERDAM, locale=_babel(locale)
        )
    return f"{day(local.date(), _DAY, locale)}, {local.hour:02d}:{local.minute:02d}"


@cache
def _babel(locale: str) -> Locale:
    """The parsed Babel locale of one of `BABEL_LOCALES` (KeyError for another)."""
    from babel import Locale

    return Locale.parse(BABEL_LOCALES[locale])


@cache
def _moment_pattern(locale: str) -> str:
    glue = str(_babel(locale).datetime_formats["medium"])
    return glue.replace("{1}", _DAY).replace("{0}", "HH:mm")


def _babel_decimal(value: Decimal, pattern: str, locale: str) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, pattern, locale=_babel(locale), numbering_system=NUMBERING)


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

    return str(get_day_names(width, locale=_babel(locale))[index])  # type: ignore[arg-type]
