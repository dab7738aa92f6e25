"""The digest's one judgement of lateness: the table and the late exceptions always agree.

No month before a participant's start is late; a participant is marked late (red) in the table
exactly when they are in the late exceptions, with the same months.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.app import App
from bot.domain.digest import Calendar, Facts, Month, Window, assemble, months_back
from bot.domain.localtime import local_day
from bot.domain.models import Household, Person, Role
from bot.domain.periods import period_of
from bot.domain.policy import load_policy
from bot.domain.weeks import iso_week
from bot.services import digest
from messages.digest import render_chat_parts, render_html
from tests import factories_queue as fq

MONDAY = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # 08:00 in Amsterdam, ISO week 2026-W50
KIM = Person(1, fq.KIM, Role.KLANTMANAGER, "nl")


def _month(period: str) -> Month:
    return Month(period, 1, f"PTO-{period}-0001", True, 50_000, 10_000, 40.0, [], "", None, 0)


def _facts(pid: int, start: date, sent: set[str]) -> Facts:
    return Facts(
        pid,
        f"Deelnemer {pid:03d}",
        Household.ALLEENSTAANDE,
        start,
        "active",
        KIM.id,
        None,
        start + timedelta(days=540),
        {p: _month(p) for p in sorted(sent)},
    )


def _digest(facts: list[Facts], as_of: datetime) -> dict[str, Any]:
    policy = load_policy()
    window = Window(iso_week(local_day(as_of)), as_of)
    return assemble(policy, KIM, window, Calendar.of(policy, as_of), facts, [], {})


def _red_rows(page: str) -> set[str]:
    """The names whose table cell is marked late on the A4 page."""
    return set(re.findall(r'<tr><td>([^<]+)</td><td class="late">', page))


participants = st.lists(
    st.tuples(
        st.integers(min_value=-500, max_value=40),  # start, in days from the digest's day
        st.sets(st.integers(min_value=0, max_value=15), max_size=16),  # months back that are sent
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(
    participants,
    st.integers(min_value=0, max_value=2 * 365 * 24),  # hours after 1 January 2026
)
def test_red_in_the_table_if_and_only_if_in_the_late_exceptions(
    people: list[tuple[int, set[int]]], hours: int
) -> None:
    as_of = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=hours)
    today = local_day(as_of)
    back = months_back(period_of(today), 16)[::-1]  # this month first
    facts = []
    for pid, (offset, sent_back) in enumerate(people, start=1):
        start = today + timedelta(days=offset)
        sent = {back[n] for n in sent_back if back[n] >= period_of(start)}
        facts.append(_facts(pid, start, sent))
    result = _digest(facts, as_of)
    exceptions: dict[str, list[str]] = {
        x["name"]: x["periods"] for x in result["exceptions"]["late"]
    }
    starts = {f.name: period_of(f.start_date) for f in facts}
    for row in result["rows"]:
        name = row["name"]
        assert row["late_periods"] == exceptions.get(name, [])
        assert (row["status"] == "late") <= (name in exceptions)
        assert all(p >= starts[name] for p in row["late_periods"])
        if row["last_period"] < starts[name]:
            assert row["status"] == "before_start"
    for locale in ("nl", "en"):
        assert _red_rows(render_html(result, locale)) == set(exceptions)


def test_a_participant_who_started_this_month_has_no_late_month() -> None:
    for start in (date(2026, 12, 1), date(2026, 12, 7)):
        result = _digest([_facts(1, start, set())], MONDAY)
        assert result["exceptions"]["late"] == []
        (row,) = result["rows"]
        assert row["status"] == "before_start"
        assert row["late_periods"] == []
        for locale in ("nl", "en"):
            assert not _red_rows(render_html(result, locale))
            text = "\n".join(render_chat_parts(result, locale))
            assert "te laat" not in text
            assert " late" not in text


async def test_the_digest_of_a_new_participant_shows_no_late_month(app: App) -> None:
    now = MONDAY - timedelta(days=3)
    async with app.services.db.transaction() as tx:
        kim = await fq.person(tx, now, fq.KIM, Role.KLANTMANAGER, "7001")
        new = now.date()
        await fq.person(tx, now, "Nina Nieuw", Role.PARTICIPANT, klantmanager=kim, start=new)
        old = await fq.person(
            tx, now, "Olga Oud", Role.PARTICIPANT, klantmanager=kim, start=date(2026, 9, 1)
        )
        for period in ("2026-09", "2026-11"):  # october is missing and past its deadline
            await fq.declaration(tx, now, old, period)
    person = await fq.who(app, fq.KIM)
    window = digest.window_for(app.services.policy, MONDAY)
    async with app.services.db.read() as tx:
        result = await digest.build_digest(tx, app.services.policy, person, window)
    assert result["exceptions"]["late"] == [
        {"name": "Olga Oud", "periods": ["2026-10"], "days_late": 27}
    ]
    rows = {r["name"]: r for r in result["rows"]}
    assert rows["Nina Nieuw"]["status"] == "before_start"
    assert rows["Nina Nieuw"]["late_periods"] == []
    assert rows["Olga Oud"]["status"] == "submitted"  # november; october is late
    assert rows["Olga Oud"]["late_periods"] == ["2026-10"]
    assert _red_rows(render_html(result, "nl")) == {"Olga Oud"}
    text = "\n".join(render_chat_parts(result, "nl"))
    assert "• Nina Nieuw: november 2026 vóór de start" in text
    assert "• Olga Oud: november 2026 ingediend · te laat: oktober 2026" in text
