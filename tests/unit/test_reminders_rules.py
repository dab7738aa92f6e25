"""The pure reminder rules: what is due at `now`, on awkward days and around DST."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from bot.clock import AMSTERDAM
from bot.domain import localtime, reminder_items
from bot.domain import reminders as rules
from bot.domain.hours import HoursAverage, parse_hours, rolling_average
from bot.domain.models import ParticipantStatus
from bot.domain.policy import Policy, load_policy
from bot.domain.typed import Refusal
from bot.domain.weeks import iso_week

POLICY = load_policy()
AYLA = rules.Facts(4, ParticipantStatus.ACTIVE, date(2026, 5, 20), frozenset({"2026-10"}))


def local(*args: int) -> datetime:
    """An Amsterdam wall-clock moment."""
    return datetime(*args, tzinfo=AMSTERDAM)  # type: ignore[arg-type,misc]


def due_now(
    now: datetime, facts: rules.Facts = AYLA, policy: Policy = POLICY
) -> list[tuple[str, str, str]]:
    return [(i.kind, i.period, i.stage) for i in rules.Calendar(policy, now).useful(facts)]


def test_every_declaration_stage_goes_out_at_nine_on_its_day() -> None:
    # November 2026 is due Thursday 10 December.
    assert ("declaration", "2026-11", "open") in due_now(local(2026, 12, 1, 9, 0))
    assert ("declaration", "2026-11", "open") not in due_now(local(2026, 12, 1, 8, 59))
    assert ("declaration", "2026-11", "due-3") in due_now(local(2026, 12, 7, 9, 0))
    assert ("declaration", "2026-11", "due-1") in due_now(local(2026, 12, 9, 9, 0))
    assert ("declaration", "2026-11", "due") in due_now(local(2026, 12, 10, 9, 0))
    assert ("declaration", "2026-11", "due+5") in due_now(local(2026, 12, 15, 9, 0))
    assert [i for i in due_now(local(2026, 12, 16, 9, 0)) if i[0] == "declaration"] == []


def test_a_due_day_on_saturday_moves_to_monday_and_the_reminders_with_it() -> None:
    # September 2026: the 10th of October is a Saturday, so it is due Monday 12 October.
    assert ("declaration", "2026-09", "due") in due_now(local(2026, 10, 12, 9, 0))
    assert ("declaration", "2026-09", "due-3") in due_now(local(2026, 10, 9, 9, 0))
    assert not any(s == "due" for _, _, s in due_now(local(2026, 10, 10, 9, 0)))


def test_christmas_moves_the_due_day_past_both_holidays_and_the_weekend() -> None:
    policy = replace(POLICY, due_day=25)
    items = due_now(local(2026, 12, 28, 9, 0), policy=policy)
    assert ("declaration", "2026-11", "due") in items
    for day in (25, 26, 27):
        assert ("declaration", "2026-11", "due") not in due_now(
            local(2026, 12, day, 9, 0), policy=policy
        )


def test_koningsdag_moves_the_due_day_to_the_day_after() -> None:
    policy = replace(POLICY, due_day=27)
    facts = replace(AYLA, start_date=date(2027, 1, 1))
    assert ("declaration", "2027-03", "due") in due_now(local(2027, 4, 28, 9, 0), facts, policy)
    assert ("declaration", "2027-03", "due") not in due_now(
        local(2027, 4, 27, 9, 0), facts, policy
    )


@pytest.mark.parametrize(
    ("sunday", "utc_hour"),
    [(date(2026, 3, 29), 16), (date(2026, 10, 25), 17)],
    ids=["spring-forward", "fall-back"],
)
def test_hours_checkin_is_at_six_local_on_both_dst_sundays(sunday: date, utc_hour: int) -> None:
    items = reminder_items.hours_items(
        POLICY, AYLA, local(sunday.year, sunday.month, sunday.day, 18)
    )
    this_week = items[-1]
    assert this_week.period == iso_week(sunday)
    assert this_week.at == datetime(sunday.year, sunday.month, sunday.day, utc_hour, tzinfo=UTC)
    just_before = this_week.at - timedelta(minutes=1)
    early = replace(AYLA, start_date=date(2026, 1, 1))
    assert ("hours", this_week.period, "checkin") not in due_now(just_before, early)
    assert ("hours", this_week.period, "checkin") in due_now(this_week.at, early)


@pytest.mark.parametrize(
    ("evening", "morning_utc"),
    [
        (local(2026, 3, 28, 22, 0), datetime(2026, 3, 29, 6, 0, tzinfo=UTC)),  # 08:00 CEST
        (local(2026, 10, 24, 22, 0), datetime(2026, 10, 25, 7, 0, tzinfo=UTC)),  # 08:00 CET
    ],
    ids=["spring-forward", "fall-back"],
)
def test_quiet_hours_end_at_eight_local_across_the_dst_night(
    evening: datetime, morning_utc: datetime
) -> None:
    assert localtime.in_quiet_hours(POLICY, evening)
    assert localtime.quiet_until(POLICY, evening) == morning_utc
    assert not localtime.in_quiet_hours(POLICY, morning_utc)
    assert localtime.in_quiet_hours(POLICY, morning_utc - timedelta(minutes=1))


def test_nothing_goes_out_during_quiet_hours_it_waits_for_the_morning() -> None:
    policy = replace(POLICY, reminder_time=time(7, 0))  # a reminder time inside quiet hours
    at_seven = local(2026, 12, 7, 7, 0)
    useful = rules.Calendar(policy, at_seven).useful(AYLA)
    assert any(i.stage == "due-3" for i in useful)
    assert rules.Calendar(policy, at_seven).plan(AYLA.person_id, useful, 0) is None
    at_eight = local(2026, 12, 7, 8, 0)
    calendar = rules.Calendar(policy, at_eight)
    push = calendar.plan(AYLA.person_id, calendar.useful(AYLA), 0)
    assert push is not None
    assert any(i.stage == "due-3" for i in push.items)


def test_two_reminders_on_one_day_become_one_message_and_only_one_a_day() -> None:
    # Sunday 6 December 2026 18:00: the hours check-in; Monday 7 December 09:00: due − 3.
    # Say the check-in could not go out on Sunday: on Monday it rides along with due − 3.
    monday = local(2026, 12, 7, 9, 0)
    calendar = rules.Calendar(POLICY, monday)
    useful = calendar.useful(AYLA)
    push = calendar.plan(AYLA.person_id, useful, pushes_today=0)
    assert push is not None
    assert [(i.kind, i.stage) for i in push.items] == [
        ("declaration", "due-3"),
        ("hours", "checkin"),
    ]
    assert calendar.plan(AYLA.person_id, useful, pushes_today=1) is None


def test_a_missed_reminder_waits_for_the_next_morning_while_still_useful() -> None:
    sunday_late = local(2026, 12, 6, 20, 59)
    assert ("hours", "2026-W49", "checkin") in due_now(sunday_late)
    monday_early = local(2026, 12, 7, 8, 30)
    assert ("hours", "2026-W49", "checkin") not in due_now(monday_early)  # waits for 09:00
    assert ("hours", "2026-W49", "checkin") in due_now(local(2026, 12, 7, 9, 0))
    # Due − 1 missed on Wednesday is not said on Thursday: the due-day reminder replaces it.
    thursday = local(2026, 12, 10, 9, 0)
    assert ("declaration", "2026-11", "due-1") not in due_now(thursday)
    assert ("declaration", "2026-11", "due-1") in [
        (i.kind, i.period, i.stage) for i in rules.Calendar(POLICY, thursday).expired(AYLA)
    ]


def test_paused_ended_and_submitted_participants_get_no_reminder() -> None:
    monday = local(2026, 12, 7, 9, 0)
    for status in (ParticipantStatus.PAUSED, ParticipantStatus.ENDED):
        assert due_now(monday, replace(AYLA, status=status)) == []
    submitted = replace(
        AYLA, submitted=frozenset({"2026-11"}), hours_weeks=frozenset({"2026-W49"})
    )
    assert due_now(monday, submitted) == []


def test_someone_who_started_after_the_period_gets_no_reminder_for_it() -> None:
    late_starter = replace(AYLA, start_date=date(2026, 12, 2))
    assert not any(k == "declaration" for k, _, _ in due_now(local(2026, 12, 7, 9), late_starter))


def overdue(policy: Policy, facts: rules.Facts, now: datetime) -> list[str]:
    return rules.Calendar(policy, now).overdue(facts)


def test_escalation_on_the_day_after_the_due_day() -> None:
    assert overdue(POLICY, AYLA, local(2026, 12, 10, 23)) == []
    assert overdue(POLICY, AYLA, local(2026, 12, 11, 9)) == ["2026-11"]
    done = replace(AYLA, submitted=frozenset({"2026-11", "2026-10"}))
    assert overdue(POLICY, done, local(2026, 12, 11, 9)) == []


def test_trajectory_milestones() -> None:
    facts = replace(AYLA, start_date=date(2026, 1, 15))  # ends 15 January 2027
    assert ("trajectory", "2026-01-15", "checkin3") in due_now(local(2026, 4, 15, 9), facts)
    assert ("trajectory", "2026-01-15", "end-60") in due_now(local(2026, 11, 16, 9), facts)
    assert ("trajectory", "2026-01-15", "end-30") in due_now(local(2026, 12, 16, 9), facts)


def test_parsing_what_people_type() -> None:
    now = local(2026, 12, 3, 11)
    assert localtime.parse_local_datetime("14-12 10:00", now) == local(2026, 12, 14, 10)
    assert localtime.parse_local_datetime("2027-01-05 9.30", now) == local(2027, 1, 5, 9, 30)
    assert localtime.parse_local_datetime("1-12 10:00", now) == local(2027, 12, 1, 10)
    assert localtime.parse_local_datetime("31-02 10:00", now) is None
    assert localtime.parse_local_time("25:00") is None
    assert parse_hours("12,5 uur", POLICY.max_hours_per_week) == 12.5
    assert isinstance(parse_hours("veel", POLICY.max_hours_per_week), Refusal)
    assert isinstance(parse_hours("200", POLICY.max_hours_per_week), Refusal)


def test_weekly_occurrences_keep_their_local_time_over_dst() -> None:
    before = localtime.weekly_occurrence(6, time(10, 0), local(2026, 3, 29, 12))
    assert before == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)  # 10:00 CEST
    assert localtime.next_weekly(6, time(10, 0), local(2026, 10, 20, 12)) == datetime(
        2026,
        10,
        25,
        9,
        0,
        tzinfo=UTC,  # 10:00 CET
    )


def test_rolling_average_is_over_the_answered_weeks_only() -> None:
    # Decided in docs/domain.md ("Average hours per week"): a week without an answer is left
    # out, not counted as 0 (this test used to assert 10 for the single week of 40 hours).
    weeks = {"2026-W46": 22.0, "2026-W47": 24.0, "2026-W48": 20.0, "2026-W49": 26.0}
    assert rolling_average(weeks, "2026-W49", 4) == HoursAverage(Decimal(23), 4)
    assert rolling_average({"2026-W49": 40.0}, "2026-W49", 4) == HoursAverage(Decimal(40), 1)
