"""Hours: one grammar for typed hours, and the average over the weeks with an answer."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.domain.hours import HoursAverage, parse_hours, rolling_average, typed_form
from bot.domain.typed import Refusal
from bot.domain.weeks import week_slots
from tests.oracle.hours_grammar import checkin_hours

MAX_WEEK = Decimal(80)


@pytest.mark.parametrize(
    ("typed", "hours"),
    [
        ("12", Decimal(12)),
        ("12,5", Decimal("12.5")),
        ("12.5", Decimal("12.5")),
        ("12,50", Decimal("12.5")),
        ("12 uur", Decimal(12)),
        ("12,5 uur", Decimal("12.5")),
        ("12u", Decimal(12)),
        ("12 h", Decimal(12)),
        ("12 hours", Decimal(12)),
        ("8 hrs", Decimal(8)),
        ("uren 12", Decimal(12)),
        (" 7 ", Decimal(7)),
        ("0", Decimal(0)),
        ("80", Decimal(80)),
        ("١٢", Decimal(12)),  # Arabic-Indic digits, as the check-in accepted before
    ],
)
def test_hours_as_people_type_them(typed: str, hours: Decimal) -> None:
    assert parse_hours(typed, MAX_WEEK) == hours


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("", "declaration/refuse_hours_empty"),
        ("uur", "declaration/refuse_hours_empty"),
        ("veel", "declaration/refuse_hours_not_number"),
        ("7½", "declaration/refuse_hours_not_number"),  # accepted by neither grammar before
        ("-2", "declaration/refuse_hours_negative"),
        ("12,125", "declaration/refuse_hours_decimals"),
        ("81", "declaration/refuse_hours_too_high"),
        ("1.000", "declaration/refuse_hours_too_high"),  # Dutch thousands: a thousand hours
        ("1e2", "declaration/refuse_hours_not_number"),
    ],
)
def test_hours_refused_with_a_reason(typed: str, key: str) -> None:
    result = parse_hours(typed, MAX_WEEK)
    assert isinstance(result, Refusal)
    assert result.key == key


def test_too_high_says_the_maximum() -> None:
    assert parse_hours("81", MAX_WEEK) == Refusal(
        "declaration/refuse_hours_too_high", {"max_hours": MAX_WEEK}
    )


@given(st.text(alphabet="0123456789.,uhrsoUH \t١٢", max_size=10))
@example("12,5 uur")
@example("\t7 Hours ")
@example("001")
def test_everything_the_old_checkin_grammar_accepted_is_still_accepted(text: str) -> None:
    before = checkin_hours(text, MAX_WEEK)
    if before is not None:
        assert parse_hours(text, MAX_WEEK) == before


@given(st.text(max_size=60))
def test_any_text_gives_hours_or_a_refusal(text: str) -> None:
    result = parse_hours(text, MAX_WEEK)
    assert isinstance(result, Refusal) or Decimal(0) <= result <= MAX_WEEK


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("20.0", "20"), ("20", "20"), ("40.00", "40"), ("12.50", "12.5"), ("0.0", "0"), ("8", "8")],
)
def test_hours_read_back_show_as_typed(stored: str, shown: str) -> None:
    assert str(typed_form(Decimal(stored))) == shown  # never '2E+1', which is not typed hours
    assert parse_hours(shown, MAX_WEEK) == Decimal(stored)


def test_the_average_is_over_the_weeks_with_an_answer() -> None:
    hours = {"2026-W45": Decimal(10), "2026-W46": Decimal(20), "2026-W48": Decimal(30)}
    assert rolling_average(hours, "2026-W48", 4) == HoursAverage(Decimal(20), 3)


def test_an_answered_zero_counts_as_an_answer() -> None:
    hours = {"2026-W47": Decimal(0), "2026-W48": Decimal(30)}
    assert rolling_average(hours, "2026-W48", 4) == HoursAverage(Decimal(15), 2)


def test_no_answer_in_the_window_is_no_average() -> None:
    assert rolling_average({}, "2026-W48", 4) is None
    assert rolling_average({"2026-W40": Decimal(10)}, "2026-W48", 4) is None


def test_weeks_outside_the_window_do_not_count() -> None:
    hours = {"2026-W44": Decimal(40), "2026-W45": Decimal(10), "2026-W49": Decimal(50)}
    assert rolling_average(hours, "2026-W48", 4) == HoursAverage(Decimal(10), 1)


def test_rounded_to_one_decimal_half_up() -> None:
    hours = {"2026-W47": Decimal(10), "2026-W48": Decimal("10.1")}  # 10.05
    assert rolling_average(hours, "2026-W48", 4) == HoursAverage(Decimal("10.1"), 2)
    thirds = {"2026-W46": Decimal(1), "2026-W47": Decimal(1), "2026-W48": Decimal(2)}
    assert rolling_average(thirds, "2026-W48", 4) == HoursAverage(Decimal("1.3"), 3)


def test_a_month_with_weeks_without_data() -> None:
    slots = week_slots("2026-11")  # W44 (one day) … W49 (one day); the window is W46 … W49
    hours = {slots[1].key: Decimal(90), slots[2].key: Decimal(12), slots[4].key: Decimal(18)}
    assert rolling_average(hours, slots[-1].key, 4) == HoursAverage(Decimal(15), 2)


def test_the_window_crosses_a_year_end_and_takes_floats() -> None:
    hours = {"2026-W52": 10.0, "2026-W53": 20.0, "2027-W01": 30.0}
    assert rolling_average(hours, "2027-W01", 4) == HoursAverage(Decimal(20), 3)


@given(
    st.dictionaries(
        st.sampled_from(["2026-W45", "2026-W46", "2026-W47", "2026-W48"]),
        st.integers(min_value=0, max_value=16800).map(lambda h: Decimal(h) / 100),
    )
)
def test_the_average_is_exact_decimal_arithmetic_rounded_half_up(
    hours: dict[str, Decimal],
) -> None:
    found = rolling_average(hours, "2026-W48", 4)
    if not hours:
        assert found is None
        return
    exact = sum(hours.values(), Decimal(0)) / len(hours)
    assert found == HoursAverage(exact.quantize(Decimal("0.1"), ROUND_HALF_UP), len(hours))
    # Floats from the database's REAL column give the same average.
    assert rolling_average({k: float(v) for k, v in hours.items()}, "2026-W48", 4) == found
