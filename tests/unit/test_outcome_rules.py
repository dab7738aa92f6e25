"""Trajectory outcomes' pure rules (issue 17): the policy list, the checks, the year KPI."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.errors import DomainError
from bot.domain.models import Household
from bot.domain.outcome_kinds import OutcomeKind, parse_outcomes
from bot.domain.outcomes import (
    MonthFigure,
    checked,
    effective_day,
    parse_day,
    year_kpi,
    year_summary,
)
from bot.domain.policy import PolicyError, load_policy, parse_policy

POLICY = load_policy()
EXTENSION = POLICY.outcome("extension")
OTHER = POLICY.outcome("other")


def test_the_default_policy_lists_the_six_outcomes_with_stable_codes_in_both_languages() -> None:
    assert [o.code for o in POLICY.outcomes] == [
        "employment",
        "self_employed",
        "bbz",
        "extension",
        "stopped",
        "other",
    ]
    assert POLICY.outcome("bbz") == OutcomeKind(
        "bbz", {"nl": "Doorstroom naar Bbz", "en": "Moved on to Bbz"}
    )
    assert all(set(o.names) == {"nl", "en"} for o in POLICY.outcomes)
    assert (EXTENSION and EXTENSION.asks, OTHER and OTHER.asks) == ("end_date", "note")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([{"code": "a b", "name": {"nl": "x"}}], "outcomes[0].code"),
        ([{"code": "a", "name": {"en": "x"}}], "needs at least a Dutch name"),
        ([{"code": "a", "name": {"nl": "x", "fr": "y"}}], "unknown language 'fr'"),
        ([{"code": "a", "name": {"nl": "x"}, "asks": "bsn"}], "outcomes[0].asks"),
        ([{"code": "a", "name": {"nl": "x"}}, {"code": "a", "name": {"nl": "y"}}], "twice"),
    ],
)
def test_a_bad_outcome_list_is_refused_naming_the_field(raw: object, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_outcomes(raw)


def test_the_policy_error_names_the_outcome_field() -> None:
    import tomllib

    from bot.domain.policy import default_policy_text

    data = tomllib.loads(default_policy_text())
    data["outcomes"][0]["code"] = "with space"
    with pytest.raises(PolicyError, match="outcomes"):
        parse_policy(data)


def test_dates_are_read_in_dutch_and_iso_order() -> None:
    assert parse_day("31-12-2027") == date(2027, 12, 31)
    assert parse_day("31/12/2027") == date(2027, 12, 31)
    assert parse_day("2027-12-31") == date(2027, 12, 31)
    assert parse_day("31-02-2027") is None
    assert parse_day("volgend jaar") is None


def test_an_extension_needs_a_later_end_and_anders_a_masked_note() -> None:
    assert EXTENSION is not None
    assert OTHER is not None
    today, end = date(2026, 12, 3), date(2027, 6, 1)
    with pytest.raises(DomainError, match="end_date_needed"):
        checked(EXTENSION, today, end, None, None)
    with pytest.raises(DomainError, match="end_date_early"):
        checked(EXTENSION, today, end, date(2027, 6, 1), None)
    assert checked(EXTENSION, today, end, date(2027, 12, 31), "x") == (date(2027, 12, 31), None)
    with pytest.raises(DomainError, match="note_needed"):
        checked(OTHER, today, end, None, "  ")
    with pytest.raises(DomainError, match="note_long"):
        checked(OTHER, today, end, None, "x" * 501)
    _, note = checked(OTHER, today, end, date(2030, 1, 1), "Verhuisd, BSN 111222333")
    assert note is not None
    assert "111222333" not in note


def test_an_outcome_takes_effect_on_the_end_or_earlier_when_recorded_earlier() -> None:
    assert effective_day(date(2026, 12, 3), date(2027, 6, 1)) == date(2026, 12, 3)
    assert effective_day(date(2027, 7, 1), date(2027, 6, 1)) == date(2027, 6, 1)


def test_the_drentsche_aa_arithmetic_466_of_1141_is_41_percent() -> None:
    # A policy whose norm is € 1.141 a month: the seed's average participant.
    import dataclasses

    from bot.domain.policy import NormRow

    norm = NormRow(date(2017, 1, 1), dict.fromkeys(Household, 114_100))
    policy = dataclasses.replace(POLICY, norms=(norm,))
    months = [
        MonthFigure(1, f"2017-{m:02d}", 46_600, Household.ALLEENSTAANDE) for m in (1, 2, 3)
    ] + [
        MonthFigure(2, "2017-01", 20_000, Household.GEHUWDEN),  # 18 %: below 30 %
        MonthFigure(2, "2017-02", -5_000, Household.GEHUWDEN),  # a loss counts in the sum
        MonthFigure(3, "2016-12", 90_000, Household.GEHUWDEN),  # another year
    ]
    kpi = year_kpi(policy, 2017, months)
    assert kpi == {
        "threshold": 30,
        "participants": 2,
        "reached": 1,
        "reached_pct": 50,
        "months": 5,
        "avg_profit_cents": 30_960,  # (3 × 466 + 200 − 50) / 5
        "avg_norm_cents": 114_100,
        "group_share_pct": 27,  # 1.548 / 5.705
    }
    assert year_kpi(policy, 2017, months[:3])["group_share_pct"] == 41  # 466 / 1.141


def test_outcomes_per_year_count_the_latest_record_in_its_year() -> None:
    from datetime import UTC, datetime

    from bot.domain.outcomes import Outcome, latest

    at = datetime(2026, 12, 3, tzinfo=UTC)
    records = latest(
        [
            Outcome(1, 7, "stopped", date(2026, 12, 3), None, None, 1, at),
            Outcome(2, 7, "bbz", date(2026, 12, 3), None, None, 1, at),  # the correction counts
            Outcome(3, 8, "employment", date(2025, 6, 1), None, None, 1, at),
        ]
    )
    summary = year_summary(POLICY, 2026, records, [])
    counts = {o["code"]: o["count"] for o in summary["outcomes"]}
    assert (counts["bbz"], counts["stopped"], counts["employment"], summary["total"]) == (
        1,
        0,
        0,
        1,
    )
    assert [o["code"] for o in summary["outcomes"]][:3] == ["employment", "self_employed", "bbz"]
