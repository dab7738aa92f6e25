"""`messages.formats` for Arabic and Turkish: Babel itself (`ar` with Latin digits, `tr_TR`),
imported only when such a locale is formatted."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from messages import formats

BABEL_ONLY = ("ar", "tr")
# Arabic-Indic digits (both sets), Arabic decimal and thousands separators, Arabic percent sign
ARABIC_INDIC = re.compile("[\u0660-\u066c\u06f0-\u06f9]")
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("locale", "cents", "written"),
    [
        ("ar", 125050, "\u200f1,250.50\xa0€"),
        ("ar", -125050, "\u200f-1,250.50\xa0€"),
        ("ar", 0, "\u200f0.00\xa0€"),
        ("tr", 125050, "€1.250,50"),
        ("tr", -125050, "-€1.250,50"),
        ("tr", 0, "€0,00"),
    ],
)
def test_money_in_arabic_and_turkish(locale: str, cents: int, written: str) -> None:
    assert formats.money(cents, locale) == written


@settings(max_examples=500)
@given(st.sampled_from(BABEL_ONLY), st.integers(min_value=-(10**13), max_value=10**13))
def test_money_is_babels_with_latin_digits(locale: str, cents: int) -> None:
    written = formats.money(cents, locale)
    assert written == format_currency(
        Decimal(cents) / 100, "EUR", locale=formats.BABEL_LOCALES[locale], numbering_system="latn"
    )
    assert not ARABIC_INDIC.search(written)
    assert f"{abs(cents) % 100:02d}" in written


def test_arabic_would_have_arabic_separators_without_latn() -> None:
    """The numbering system is what keeps the separators Latin: Egyptian Arabic's own are
    U+066C and U+066B (Babel writes no Arabic-Indic digits itself, but nothing promises that)."""
    egyptian = format_currency(
        Decimal("1250.5"), "EUR", locale="ar_EG", numbering_system="default"
    )
    assert ARABIC_INDIC.search(egyptian)
    assert not ARABIC_INDIC.search(formats.money(125050, "ar"))


@pytest.mark.parametrize(
    ("locale", "written"),
    [("ar", ("12%", "1,234.6", "-0.5")), ("tr", ("%12", "1.234,6", "-0,5"))],
)
def test_percent_and_number(locale: str, written: tuple[str, str, str]) -> None:
    assert formats.percent(12.5, locale) == written[0]  # half-even, whole
    assert formats.number(1234.56, 1, locale) == written[1]
    assert formats.number(Decimal("-0.5"), 2, locale) == written[2]


@settings(max_examples=300)
@given(
    st.sampled_from(BABEL_ONLY),
    st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, places=3),
    st.sampled_from([0, 1, 2]),
)
def test_numbers_are_babels_with_latin_digits(locale: str, value: Decimal, digits: int) -> None:
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    written = formats.number(value, digits, locale)
    assert written == format_decimal(
        value, pattern, locale=formats.BABEL_LOCALES[locale], numbering_system="latn"
    )
    assert not ARABIC_INDIC.search(written + formats.percent(value, locale))


def test_dates_and_months() -> None:
    day = date(2026, 12, 12)
    assert formats.day(day, "d MMMM yyyy", "ar") == "12 ديسمبر 2026"
    assert formats.day(day, "d MMMM yyyy", "tr") == "12 Aralık 2026"
    assert formats.day(day, "d MMM", "tr") == "12 Ara"
    assert formats.month(date(2026, 3, 1), "ar") == "مارس 2026"
    assert formats.month(date(2026, 3, 1), "tr") == "Mart 2026"
    # Babel's for every pattern: never None, so no caller needs its own Babel fallback
    assert formats.day(day, "EEEE d MMMM", "tr") == "Cumartesi 12 Aralık"
    assert formats.day(day, "EEEE", "ar") == "السبت"


def test_moments_in_amsterdam_joined_as_cldr_joins_them() -> None:
    winter = datetime(2026, 12, 12, 7, 5, tzinfo=UTC)
    summer = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)  # already the 2nd in Amsterdam
    assert formats.moment(winter, "ar") == "12 ديسمبر 2026، 08:05"
    assert formats.moment(winter, "tr") == "12 Aralık 2026 08:05"
    assert formats.moment(summer, "tr") == "2 Temmuz 2026 00:30"


@pytest.mark.parametrize("locale", BABEL_ONLY)
def test_every_day_of_a_year_with_latin_digits(locale: str) -> None:
    first = date(2027, 1, 1)
    babel = formats.BABEL_LOCALES[locale]
    for offset in range(365):
        day = first + timedelta(days=offset)
        for pattern in ("d MMMM yyyy", "d MMM", "d"):
            written = formats.day(day, pattern, locale)
            assert written == format_date(day, pattern, locale=babel)
            assert str(day.day) in written
            assert not ARABIC_INDIC.search(written)
        assert formats.month(day, locale).endswith(" 2027")
        moment = formats.moment(datetime.combine(day, datetime.min.time(), UTC), locale)
        assert not ARABIC_INDIC.search(moment)


def test_an_unknown_locale_is_an_error_as_before() -> None:
    with pytest.raises(KeyError):
        formats.money(100, "fr")


_PROBE = """
import sys
from datetime import UTC, date, datetime
from messages import formats

for locale in ("nl", "en"):
    formats.money(123456, locale); formats.number(1.25, 1, locale); formats.percent(3, locale)
    formats.day(date(2026, 3, 7), "d MMMM yyyy", locale); formats.month(date(2026, 3, 1), locale)
    formats.moment(datetime(2026, 3, 7, tzinfo=UTC), locale)
print(sorted(m for m in sys.modules if m.startswith("babel")))
formats.money(125050, "ar"); formats.day(date(2026, 3, 7), "d MMMM yyyy", "tr")
from babel import localedata
print(sorted(localedata._cache))
"""


def test_dutch_and_english_load_no_babel_and_arabic_loads_only_its_own_data() -> None:
    """In a fresh interpreter: nl/en import no Babel module, ar/tr load only their data."""
    done = subprocess.run(  # noqa: S603 - this interpreter on a constant program
        [sys.executable, "-c", _PROBE],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    before, loaded = map(ast.literal_eval, done.stdout.splitlines())
    assert before == []
    assert set(loaded) == {"root", "ar", "tr", "tr_TR"}
