"""Feestdagen and working days: the Algemene termijnenwet's days, computed without a package."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.domain.feestdagen import (
    ALGEMENE_TERMIJNENWET,
    FEESTDAGEN,
    easter_sunday,
    feestdagen_in,
    is_working_day,
    koningsdag,
    next_working_day,
)
from bot.domain.policy import PolicyError, default_policy_text, load_policy

LAW = ALGEMENE_TERMIJNENWET


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (1818, date(1818, 3, 22)),  # as early as it gets
        (1943, date(1943, 4, 25)),  # as late as it gets
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
        (2285, date(2285, 3, 22)),
    ],
)
def test_easter_sunday(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_the_days_of_2026() -> None:
    assert dict(feestdagen_in(2026, LAW)) == {
        date(2026, 1, 1): "nieuwjaarsdag",
        date(2026, 4, 3): "goede_vrijdag",
        date(2026, 4, 6): "tweede_paasdag",
        date(2026, 4, 27): "koningsdag",
        date(2026, 5, 5): "bevrijdingsdag",
        date(2026, 5, 14): "hemelvaartsdag",
        date(2026, 5, 25): "tweede_pinksterdag",
        date(2026, 12, 25): "eerste_kerstdag",
        date(2026, 12, 26): "tweede_kerstdag",
    }


def test_five_may_counts_every_year_not_only_every_fifth() -> None:
    assert not is_working_day(date(2026, 5, 5), LAW)  # a Tuesday, 2026 is no lustrum year
    assert not is_working_day(date(2027, 5, 5), LAW)  # a Wednesday
    assert next_working_day(date(2026, 5, 5), LAW) == date(2026, 5, 6)


def test_koningsdag_moves_to_saturday_when_the_27th_is_a_sunday() -> None:
    assert koningsdag(2025) == date(2025, 4, 26)
    assert koningsdag(2031) == date(2031, 4, 26)
    assert koningsdag(2026) == date(2026, 4, 27)
    assert koningsdag(2013) == date(2013, 4, 30)  # Koninginnedag before 2014
    # The Sunday is no working day anyway: the next one is Monday the 28th.
    assert next_working_day(date(2025, 4, 26), LAW) == date(2025, 4, 28)


def test_easter_monday_and_pentecost_monday_are_no_working_days() -> None:
    assert not is_working_day(date(2026, 4, 6), LAW)
    assert next_working_day(date(2026, 4, 6), LAW) == date(2026, 4, 7)
    assert not is_working_day(date(2026, 5, 25), LAW)


def test_a_saturday_before_a_feestdag_monday_moves_to_tuesday() -> None:
    assert next_working_day(date(2026, 4, 4), LAW) == date(2026, 4, 7)  # Easter weekend
    assert next_working_day(date(2026, 5, 23), LAW) == date(2026, 5, 26)  # Pentecost weekend
    # Good Friday, the weekend and Easter Monday: four days in a row.
    assert next_working_day(date(2026, 4, 3), LAW) == date(2026, 4, 7)


def test_a_working_day_stays_where_it_is() -> None:
    assert is_working_day(date(2026, 12, 10), LAW)
    assert next_working_day(date(2026, 12, 10), LAW) == date(2026, 12, 10)


def test_the_set_is_whatever_the_policy_names() -> None:
    without_five_may = tuple(n for n in LAW if n != "bevrijdingsdag")
    assert is_working_day(date(2026, 5, 5), without_five_may)
    assert is_working_day(date(2026, 4, 3), ())  # Good Friday, no feestdagen at all
    assert set(LAW) <= set(FEESTDAGEN)


def test_the_shipped_policy_uses_the_law() -> None:
    assert load_policy().feestdagen == LAW


def test_a_policy_without_a_deadline_section_uses_the_law(tmp_path: Path) -> None:
    text = default_policy_text()
    start = text.index("[deadline]")
    end = text.index("[investment]")
    path = tmp_path / "policy.toml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    assert load_policy(path).feestdagen == LAW


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ('"goede vrijdag",', r"deadline\.feestdagen\[1\]: unknown feestdag 'goede vrijdag'"),
        ('"nieuwjaarsdag",', r"deadline\.feestdagen\[1\]: 'nieuwjaarsdag' appears twice"),
        ("42,", r"deadline\.feestdagen\[1\]: unknown feestdag 42"),
    ],
)
def test_an_unknown_feestdag_is_an_error_naming_the_field(
    tmp_path: Path, typed: str, message: str
) -> None:
    text = default_policy_text().replace('"goede_vrijdag",', typed, 1)
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError, match=message):
        load_policy(path)


def test_feestdagen_must_be_a_list(tmp_path: Path) -> None:
    text = default_policy_text()
    start = text.index("feestdagen = [")
    end = text.index("]", start) + 1
    path = tmp_path / "policy.toml"
    path.write_text(text[:start] + 'feestdagen = "kerst"' + text[end:], encoding="utf-8")
    with pytest.raises(PolicyError, match=r"deadline\.feestdagen: must be a list"):
        load_policy(path)
