"""Amounts and hours as people type them: a value, or a refusal that says why — never a crash."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.hours import parse_hours
from bot.domain.money import Refusal, parse_amount

CEILING = 2_500_000  # € 25.000,00
MAX_WEEK = Decimal(80)


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("1250", 125_000),
        ("1.250,50", 125_050),
        ("€ 1.250,50", 125_050),
        ("1250,-", 125_000),
        ("1250.50", 125_050),
        ("1 250", 125_000),
        ("€1250", 125_000),
        ("1250 euro", 125_000),
        ("0", 0),
        ("45,99", 4_599),
        ("1,250.50", 125_050),
    ],
)
def test_amounts_as_people_type_them(typed: str, cents: int) -> None:
    assert parse_amount(typed, CEILING) == cents


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("", "declaration/refuse_empty"),
        ("   ", "declaration/refuse_empty"),
        ("-50", "declaration/refuse_negative"),
        ("veel", "declaration/refuse_not_number"),
        ("12,345", "declaration/refuse_decimals"),
        ("30000", "declaration/refuse_too_high"),
        ("1e5", "declaration/refuse_not_number"),
        ("NaN", "declaration/refuse_not_number"),
    ],
)
def test_amounts_refused_with_a_reason(typed: str, key: str) -> None:
    result = parse_amount(typed, CEILING)
    assert isinstance(result, Refusal)
    assert result.key == key


@pytest.mark.parametrize(
    ("typed", "hours"),
    [("12", Decimal(12)), ("12,5", Decimal("12.5")), ("12.5", Decimal("12.5")), ("0", 0)],
)
def test_hours_as_people_type_them(typed: str, hours: Decimal) -> None:
    assert parse_hours(typed, MAX_WEEK) == hours


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("81", "declaration/refuse_hours_too_high"),
        ("-2", "declaration/refuse_hours_negative"),
        ("veel", "declaration/refuse_hours_not_number"),
        ("", "declaration/refuse_hours_empty"),
    ],
)
def test_hours_refused_with_a_reason(typed: str, key: str) -> None:
    result = parse_hours(typed, MAX_WEEK)
    assert isinstance(result, Refusal)
    assert result.key == key


@given(st.text(max_size=60))
def test_any_text_gives_an_amount_or_a_refusal(text: str) -> None:
    result = parse_amount(text, CEILING)
    if isinstance(result, Refusal):
        assert result.key.startswith("declaration/refuse_")
    else:
        assert isinstance(result, int)
        assert 0 <= result <= CEILING


@given(st.text(alphabet="0123456789.,- €", max_size=20))
def test_number_like_text_gives_an_amount_or_a_refusal(text: str) -> None:
    result = parse_amount(text, CEILING)
    assert isinstance(result, Refusal) or 0 <= result <= CEILING


@given(st.text(max_size=60) | st.text(alphabet="0123456789.,- u", max_size=12))
def test_any_text_gives_hours_or_a_refusal(text: str) -> None:
    result = parse_hours(text, MAX_WEEK)
    if isinstance(result, Refusal):
        assert result.key.startswith("declaration/refuse_hours_")
    else:
        assert Decimal(0) <= result <= MAX_WEEK
