"""Days as people type them when they report a change or an end date (bot.domain.localtime)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.localtime import parse_local_date

TODAY = date(2026, 12, 5)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("01-01-2027", date(2027, 1, 1)),
        ("1 januari", date(2027, 1, 1)),
        ("morgen", date(2026, 12, 6)),
        # How a change is said in Dutch: "per 1 januari", "vanaf", "op", "sinds".
        ("per 1 januari", date(2027, 1, 1)),
        ("Vanaf 1 februari 2027", date(2027, 2, 1)),
        ("op 14-12", date(2026, 12, 14)),
        ("sinds 1 november", date(2026, 11, 1)),
        ("from 1 January", date(2027, 1, 1)),
        # Ordinals and a year of two digits.
        ("1e januari", date(2027, 1, 1)),
        ("1ste januari", date(2027, 1, 1)),
        ("01-01-27", date(2027, 1, 1)),
        ("1/2/27", date(2027, 2, 1)),
    ],
)
def test_a_day_is_read_as_people_write_it(typed: str, day: date) -> None:
    assert parse_local_date(typed, TODAY) == day


@pytest.mark.parametrize("typed", ["binnenkort", "per", "1 per januari", "31-02-2027", "op"])
def test_what_is_not_a_day_stays_refused(typed: str) -> None:
    assert parse_local_date(typed, TODAY) is None
