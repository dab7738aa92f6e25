"""The per-sweep calendar answers exactly what the per-participant rules answer, and its watch
never leaves out anyone who has something due."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import reminders as rules
from bot.domain.localtime import local_day
from bot.domain.models import ParticipantStatus
from bot.domain.periods import period_of
from bot.domain.policy import Policy, load_policy
from bot.domain.weeks import iso_week
from tests.oracle import reminder_rules as oracle

POLICY = load_policy()
MOMENTS = st.datetimes(
    min_value=datetime(2026, 1, 1),  # noqa: DTZ001 (hypothesis wants naive bounds)
    max_value=datetime(2028, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
STARTS = st.dates(min_value=date(2024, 6, 1), max_value=date(2029, 1, 31))
POLICIES = st.builds(
    lambda due_day, reminder, quiet_end, cap: replace(
        POLICY,
        due_day=due_day,
        reminder_time=reminder,
        quiet_end=quiet_end,
        max_pushes_per_day=cap,
    ),
    st.sampled_from((1, 10, 25, 27, 28)),
    st.sampled_from((time(7, 0), time(9, 0), time(20, 30))),
    st.sampled_from((time(8, 0), time(9, 30))),
    st.sampled_from((1, 2)),
)


@st.composite
def facts_at(draw: st.DrawFn) -> tuple[Policy, datetime, rules.Facts]:
    policy = draw(POLICIES)
    now = draw(MOMENTS)
    today = local_day(now)
    periods = [period_of(date(today.year, today.month, 1) - timedelta(days=d)) for d in (1, 35)]
    weeks = [iso_week(today - timedelta(days=d)) for d in (0, 7, 14)]
    facts = rules.Facts(
        draw(st.integers(1, 10_000)),
        draw(st.sampled_from(list(ParticipantStatus))),
        draw(STARTS),
        frozenset(draw(st.lists(st.sampled_from(periods)))),
        frozenset(draw(st.lists(st.sampled_from(weeks)))),
    )
    return policy, now, facts


def watched(watch: rules.Watch, facts: rules.Facts) -> bool:
    """Whether the sweep's query would look at this participant."""
    if any(p not in facts.submitted for p in watch.periods):
        return True
    if any(w not in facts.hours_weeks for w in watch.weeks):
        return True
    if watch.first is not None and watch.last is not None:
        start = facts.start_date
        return start < watch.first or start > watch.last or start in watch.starts
    return False


@settings(max_examples=200, deadline=None)
@given(facts_at(), st.sampled_from(rules.KINDS), st.integers(0, 2))
def test_the_calendar_answers_what_the_rules_answer_one_by_one(
    case: tuple[Policy, datetime, rules.Facts], trigger: str, pushes_today: int
) -> None:
    policy, now, facts = case
    calendar = rules.Calendar(policy, now)
    useful = calendar.useful(facts)
    assert useful == oracle.useful_items(policy, facts, now)
    assert calendar.expired(facts, (trigger,)) == oracle.expired_items(
        policy, facts, now, (trigger,)
    )
    assert calendar.overdue(facts) == oracle.overdue_periods(policy, facts, now)
    assert calendar.plan(facts.person_id, useful, pushes_today, (trigger,)) == oracle.plan_push(
        policy, now, facts.person_id, useful, pushes_today, (trigger,)
    )
    assert calendar.ending(facts) == oracle.ending_items(policy, facts, now)


@settings(max_examples=200, deadline=None)
@given(facts_at(), st.sampled_from(rules.KINDS))
def test_the_watch_never_leaves_out_someone_with_something_due(
    case: tuple[Policy, datetime, rules.Facts], trigger: str
) -> None:
    policy, now, facts = case
    calendar = rules.Calendar(policy, now)
    wanted = (trigger,)
    has_something = any(i.kind == trigger for i in calendar.useful(facts)) or bool(
        calendar.expired(facts, wanted)
    )
    if has_something:
        assert watched(calendar.watch(wanted), facts)
    if calendar.overdue(facts):
        assert watched(calendar.watch_overdue(), facts)
    if calendar.ending(facts):
        assert watched(calendar.watch_ending(), facts)


def test_decided_keys_are_left_out_by_name() -> None:
    facts = rules.Facts(7, ParticipantStatus.ACTIVE, date(2026, 5, 20))
    monday = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)  # 09:30 in Amsterdam, due − 3
    calendar = rules.Calendar(POLICY, monday)
    names = [rules.key_name(i.kind, i.period, i.stage) for i in calendar.useful(facts)]
    assert "declaration 2026-11 due-3" in names
    rest = calendar.useful(facts, skip={"declaration 2026-11 due-3"})
    assert [rules.key_name(i.kind, i.period, i.stage) for i in rest] == [
        n for n in names if n != "declaration 2026-11 due-3"
    ]
