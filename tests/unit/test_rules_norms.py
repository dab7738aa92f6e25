"""The norm of a month and the share of it earned as profit (bot.domain.norms)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.models import Household
from bot.domain.norms import norm_for_period, round_half_up, share_of_norm
from bot.domain.policy import load_policy

POLICY = load_policy()


@pytest.mark.parametrize(
    ("profit", "norm", "share"),
    [
        (46_600, 114_100, 41),  # the seed's figure: € 466 on € 1.141
        (2_500, 100_000, 3),  # 2,5 % rounds half up to 3 %
        (2_499, 100_000, 2),
        (0, 140_150, 0),
        (-5_000, 140_150, 0),  # a loss earns nothing towards the benefit
        (300_000, 140_150, 214),  # more than the norm is shown as it is
    ],
)
def test_share_of_norm(profit: int, norm: int, share: int) -> None:
    assert share_of_norm(profit, norm) == share


def test_no_norm_no_share() -> None:
    assert share_of_norm(10_000, None) is None
    assert share_of_norm(10_000, 0) is None


def test_the_norm_of_a_month_is_the_one_on_its_first_day() -> None:
    single = Household.ALLEENSTAANDE
    assert norm_for_period(POLICY, single, "2025-06") == 134_545
    assert norm_for_period(POLICY, single, "2025-07") == 136_906  # new row from 1 July
    assert norm_for_period(POLICY, Household.GEHUWDEN, "2026-01") == 200_213
    assert norm_for_period(POLICY, single, "2024-12") is None  # before the first row


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=10**7))
def test_round_half_up_is_exact_decimal_rounding(numerator: int, denominator: int) -> None:
    exact = (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1), ROUND_HALF_UP)
    assert round_half_up(numerator, denominator) == int(exact)


def test_round_half_up_rounds_halves_up_unlike_round() -> None:
    assert (round_half_up(5, 2), round(5 / 2)) == (3, 2)
    assert round_half_up(250, 100) == 3
    assert round_half_up(249, 100) == 2
