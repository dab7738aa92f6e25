"""`messages.formats` writes exactly what Babel writes for nl_NL and en_GB, with the filters'
patterns (it exists so the bot need not load Babel's locale data)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal, format_percent
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import AMSTERDAM
from messages import formats
from messages.render import environment

LOCALES = tuple(formats.SYMBOLS)
numbers = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, places=4),
    st.sampled_from([0.05, 0.15, 0.25, 2.5, 3.5, -0.04, -0.0, 1e-05, 1234.55, 1234.25]),
)


def _babel(locale: str) -> str:
    return formats.SYMBOLS[locale].babel


@settings(max_examples=1500)
@given(st.sampled_from(LOCALES), st.integers(min_value=-(10**13), max_value=10**13))
def test_money_as_babel_writes_it(locale: str, cents: int) -> None:
    babel = format_currency(Decimal(cents) / 100, "EUR", locale=_babel(locale))
    assert formats.money(cents, locale) == babel


@settings(max_examples=2000)
@given(st.sampled_from(LOCALES), numbers, st.sampled_from([0, 1, 2]))
def test_numbers_and_percentages_as_babel_writes_them(
    locale: str, value: float | Decimal | int, digits: int
) -> None:
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    exact = Decimal(str(value))
    assert formats.number(value, digits, locale) == format_decimal(
        exact, pattern, locale=_babel(locale)
    )
    assert formats.percent(value, locale) == format_percent(
        exact / 100, "#,##0 %", locale=_babel(locale)
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_every_day_of_a_year_and_every_month_as_babel_writes_them(locale: str) -> None:
    first = date(2027, 1, 1)
    for offset in range(365):
        day = first + timedelta(days=offset)
        for pattern in ("d MMMM yyyy", "d MMM", "d"):
            assert formats.day(day, pattern, locale) == format_date(
                day, pattern, locale=_babel(locale)
            )
        assert formats.month(day, locale) == format_date(day, "MMMM yyyy", locale=_babel(locale))
    assert formats.day(first, "EEEE", locale) is None  # another pattern: Babel's


@settings(max_examples=500)
@given(
    st.sampled_from(LOCALES),
    st.integers(min_value=0, max_value=100 * 366 * 86400).map(
        lambda seconds: datetime(2000, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    ),
)
def test_moments_in_amsterdam_as_babel_writes_them(locale: str, instant: datetime) -> None:
    babel = format_datetime(
        instant.astimezone(AMSTERDAM),
        "d MMMM yyyy, HH:mm",
        tzinfo=AMSTERDAM,
        locale=_babel(locale),
    )
    assert formats.moment(instant, locale) == babel


@pytest.mark.parametrize("locale", LOCALES)
def test_the_template_filters_use_them_and_babel_for_other_patterns(locale: str) -> None:
    filters = environment(locale).filters
    assert filters["money"](123456) == format_currency(
        Decimal("1234.56"), "EUR", locale=_babel(locale)
    )
    assert filters["money"](None) == "–"
    assert filters["pct"](None) == "–"
    assert filters["date"](date(2026, 3, 7), "EEEE d MMMM") == format_date(
        date(2026, 3, 7), "EEEE d MMMM", locale=_babel(locale)
    )
    assert filters["moment"]("2026-03-07T07:05:00Z").endswith(", 08:05")


def test_the_month_words_people_type_are_babels() -> None:
    from babel.dates import get_month_names

    from bot.domain.models import LOCALES as SPOKEN
    from bot.domain.words import MONTH_ABBREVIATIONS, MONTH_NAMES, MONTHS, TYPED_MONTHS, fold

    written = {"nl": "nl_NL", "en": "en_GB", "ar": "ar", "tr": "tr_TR"}  # as the bot writes
    for locale in SPOKEN:
        for width, ours in (("wide", MONTH_NAMES), ("abbreviated", MONTH_ABBREVIATIONS)):
            theirs = get_month_names(width, locale=written[locale])  # type: ignore[arg-type]
            assert tuple(theirs[m] for m in range(1, 13)) == ours[locale], (locale, width)
    babel = {
        fold(name).rstrip("."): number
        for locale in SPOKEN
        for width in ("wide", "abbreviated")
        for number, name in get_month_names(width, locale=locale).items()
    }
    assert babel.items() <= MONTHS.items()
    assert set(MONTHS) - set(babel) <= {fold(name) for name in TYPED_MONTHS}
