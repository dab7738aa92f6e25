"""The deadline of a month's declaration and the on-time judgement."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.clock import AMSTERDAM
from bot.domain.policy import load_policy
from bot.domain.timeliness import (
    Submission,
    deadline,
    due_date,
    is_on_time,
    is_past_due,
    latest_is_on_time,
)

POLICY = load_policy()


def local(*args: int) -> datetime:
    """An Amsterdam wall-clock moment."""
    year, month, day, hour, minute = (*args, 0, 0)[:5]
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


@pytest.mark.parametrize(
    ("period", "due_day", "due"),
    [
        ("2026-11", 10, date(2026, 12, 10)),  # a Thursday
        ("2027-03", 10, date(2027, 4, 12)),  # Saturday → Monday
        ("2026-11", 25, date(2026, 12, 28)),  # both Kerstdagen, then the weekend
        ("2027-03", 27, date(2027, 4, 28)),  # Koningsdag on a Tuesday
        ("2026-04", 5, date(2026, 5, 6)),  # 5 May 2026: no lustrum year, still a feestdag
        ("2025-03", 27, date(2025, 4, 28)),  # 27 April 2025 is a Sunday (Koningsdag the 26th)
        ("2026-03", 6, date(2026, 4, 7)),  # Easter Monday
        ("2026-03", 4, date(2026, 4, 7)),  # Saturday before Easter Monday
        ("2026-04", 23, date(2026, 5, 26)),  # Saturday before Pentecost Monday
        ("2026-03", 3, date(2026, 4, 7)),  # Good Friday (Algemene termijnenwet art. 3 lid 2)
        ("2026-12", 1, date(2027, 1, 4)),  # Nieuwjaarsdag on Friday the 1st: due day 1 moves
    ],
)
def test_due_date_moves_to_the_next_working_day(period: str, due_day: int, due: date) -> None:
    assert due_date(replace(POLICY, due_day=due_day), period) == due


def test_due_date_follows_the_policys_feestdagen() -> None:
    policy = replace(POLICY, due_day=5, feestdagen=("nieuwjaarsdag",))
    assert due_date(policy, "2026-04") == date(2026, 5, 5)


@pytest.mark.parametrize(
    ("period", "utc"),
    [
        ("2026-11", datetime(2026, 12, 10, 23, 0, tzinfo=UTC)),  # CET: UTC+1
        ("2026-05", datetime(2026, 6, 10, 22, 0, tzinfo=UTC)),  # CEST: UTC+2
    ],
)
def test_the_deadline_is_local_midnight_after_the_due_day(period: str, utc: datetime) -> None:
    assert deadline(POLICY, period) == utc


def test_deadlines_right_after_both_dst_nights() -> None:
    # Sunday 29 March 2026 clocks go forward, Sunday 25 October 2026 back.
    spring = replace(POLICY, due_day=28)  # Saturday 28 March → Monday 30 March
    assert due_date(spring, "2026-02") == date(2026, 3, 30)
    assert deadline(spring, "2026-02") == datetime(2026, 3, 30, 22, 0, tzinfo=UTC)
    autumn = replace(POLICY, due_day=24)  # Saturday 24 October → Monday 26 October
    assert due_date(autumn, "2026-09") == date(2026, 10, 26)
    assert deadline(autumn, "2026-09") == datetime(2026, 10, 26, 23, 0, tzinfo=UTC)
    assert is_on_time(autumn, "2026-09", local(2026, 10, 26, 23, 59))
    assert not is_on_time(autumn, "2026-09", local(2026, 10, 27))


def test_on_time_until_the_end_of_the_due_day_in_amsterdam() -> None:
    # November 2026 is due Thursday 10 December.
    assert is_on_time(POLICY, "2026-11", local(2026, 12, 3, 10))
    assert is_on_time(POLICY, "2026-11", local(2026, 12, 10, 23, 59))
    # In winter the due day ends at 23:00 UTC.
    assert is_on_time(POLICY, "2026-11", datetime(2026, 12, 10, 22, 59, tzinfo=UTC))
    assert not is_on_time(POLICY, "2026-11", datetime(2026, 12, 10, 23, 0, tzinfo=UTC))
    assert not is_on_time(POLICY, "2026-11", local(2026, 12, 11, 0, 0))


def test_a_correction_asked_for_keeps_the_timeliness_of_what_it_corrects() -> None:
    after = local(2026, 12, 20, 9)  # well after the deadline of 10 December
    assert is_on_time(POLICY, "2026-11", after, corrects_on_time=True)
    before = local(2026, 12, 9, 9)
    assert not is_on_time(POLICY, "2026-11", before, corrects_on_time=False)


def test_a_correction_of_ones_own_is_judged_by_its_own_moment() -> None:
    assert not is_on_time(POLICY, "2026-11", local(2026, 12, 20, 9), corrects_on_time=None)
    assert is_on_time(POLICY, "2026-11", local(2026, 12, 10, 9), corrects_on_time=None)


def test_the_newest_version_follows_the_chain_of_corrections() -> None:
    on_time, late = local(2026, 12, 9, 9), local(2026, 12, 20, 9)
    first = Submission(on_time)
    assert latest_is_on_time(POLICY, "2026-11", [first])
    assert latest_is_on_time(POLICY, "2026-11", [first, Submission(late, asked=True)])
    assert not latest_is_on_time(POLICY, "2026-11", [first, Submission(late)])
    # Asked twice: both keep the first version's judgement, whichever it was.
    twice = [Submission(late, asked=True), Submission(late, asked=True)]
    assert latest_is_on_time(POLICY, "2026-11", [first, *twice])
    assert not latest_is_on_time(POLICY, "2026-11", [Submission(late), *twice])
    # A correction of one's own after an asked one is judged by its own moment.
    assert not latest_is_on_time(POLICY, "2026-11", [first, twice[0], Submission(late)])
    with pytest.raises(ValueError, match="no version"):
        latest_is_on_time(POLICY, "2026-11", [])


def test_past_due_from_local_midnight() -> None:
    end = deadline(POLICY, "2026-11")
    assert not is_past_due(POLICY, "2026-11", end - timedelta(microseconds=1))
    assert is_past_due(POLICY, "2026-11", end)


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        is_on_time(POLICY, "2026-11", datetime(2026, 12, 1, 9))  # noqa: DTZ001
    with pytest.raises(ValueError, match="aware"):
        is_past_due(POLICY, "2026-11", datetime(2026, 12, 1, 9))  # noqa: DTZ001
