"""The batched Monday run says exactly what the one-klantmanager digest says, only faster.

The reference is the one-klantmanager path (`build_digest`: access checks, full participant facts,
per-caseload queries) rendered with the plain message environment (`messages.render`) and
enqueued with `outbox.enqueue`; the batched run (`weekly_digests`: set-based queries per batch,
memoised filters, executemany) must leave the very same outbox rows.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.app import App
from bot.domain.models import Household, Person, Role
from bot.domain.weeks import iso_week
from bot.services import digest, queue
from bot.storage import outbox, people
from bot.storage.unit import Tx
from messages import digest as rendering
from messages import render
from messages.digest import render_chat_parts, split_parts
from messages.render import environment, flag_line
from tests import factories_queue as fq

MONDAY = datetime(2026, 12, 7, 8, 5, tzinfo=UTC)  # 09:05 in Amsterdam, ISO week 2026-W50
WEEK = "2026-W50"
COLUMNS = (
    "person_id, dedupe_key, message_key, context, buttons, attachment, created_at, not_before"
)


async def _hours(tx: Tx, pid: int, per_week: float, weeks: int) -> None:
    for back in range(1, weeks + 1):
        await tx.execute(
            "INSERT INTO weekly_hours (participant_id, week, hours, source, updated_at) "
            "VALUES (?, ?, ?, 'checkin', ?)",
            (pid, iso_week(MONDAY.date() - timedelta(weeks=back)), per_week, MONDAY.isoformat()),
        )


async def _seed(app: App) -> dict[str, int]:
    """Four klantmanagers with every kind of case, a delegation across batches, an idle one."""
    then = MONDAY - timedelta(days=400)
    ids: dict[str, int] = {}
    async with app.services.db.transaction() as tx:
        for name, chat, locale in (
            ("Kim Klantmanager", "7001", "nl"),
            ("Karin Klantmanager", "7002", "en"),
            ("Kees Klantmanager", "7003", "nl"),
            ("Iris Idle", "7004", "nl"),
        ):
            ids[name] = await fq.person(tx, then, name, Role.KLANTMANAGER, chat, locale=locale)
        kim, karin, kees = (
            ids["Kim Klantmanager"],
            ids["Karin Klantmanager"],
            ids["Kees Klantmanager"],
        )

        async def participant(
            name: str, km: int, start: date, household: Household = Household.ALLEENSTAANDE
        ) -> int:
            pid = await fq.person(
                tx, then, name, Role.PARTICIPANT, klantmanager=km, start=start, household=household
            )
            ids[name] = pid
            return pid

        async def months(pid: int, periods: list[str], **kwargs: Any) -> None:
            for period in periods:
                await fq.declaration(tx, MONDAY - timedelta(days=40), pid, period, **kwargs)

        # Kim: late, over the hours, ending, covering the norm, a big change, an HTML name
        late = await participant("Lotte Laat", kim, date(2026, 3, 1))
        await months(late, ["2026-06", "2026-07", "2026-09"], revenue=50_000, costs=10_000)
        over = await participant("Uri Uren", kim, date(2026, 6, 1), Household.GEHUWDEN)
        await months(over, ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"])
        await _hours(tx, over, 26.5, 30)  # over the 4-week average and on pace past the year cap
        flagged = await participant("Fenna Vlag", kim, date(2026, 6, 1))
        await months(flagged, ["2026-06", "2026-07", "2026-08", "2026-09"])
        await fq.declaration(
            tx,
            MONDAY - timedelta(days=30),
            flagged,
            "2026-10",
            flags=[{"code": "average_over_cap", "hours": 23.5}, {"code": "no_proof"}],
        )
        await _hours(tx, flagged, 12.0, 8)
        ending = await participant("Eva Einde", kim, date(2026, 1, 20))  # ends 20 January
        await months(ending, [f"2026-{m:02d}" for m in range(1, 11)], revenue=45_000, costs=0)
        covers = await participant("Dora Dekt", kim, date(2026, 5, 1))
        await months(covers, ["2026-08", "2026-09", "2026-10"], revenue=250_000, costs=10_000)
        swing = await participant("Wim Wissel", kim, date(2026, 5, 1))
        await months(swing, ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09"])
        await fq.declaration(
            tx, MONDAY - timedelta(days=30), swing, "2026-10", revenue=400_000, costs=1_000
        )
        await fq.declaration(  # a corrected version: the latest one counts
            tx, MONDAY - timedelta(days=20), swing, "2026-10", version=2, revenue=390_000
        )
        html = await participant("Jip & Janneke <b>", kim, date(2026, 6, 1))
        await months(html, ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"])
        paused = await participant("Pim Pauze", kim, date(2026, 6, 1))
        await tx.execute(
            "UPDATE participants SET status = 'paused' WHERE person_id = ?", (paused,)
        )
        # Karin (English): an old-timer whose newest declaration is long before the look-back
        old = await participant("Otto Oud", karin, date(2024, 9, 1))
        await months(old, ["2024-09", "2024-10", "2025-01"], revenue=80_000, costs=5_000)
        await _hours(tx, old, 20.0, 60)  # weeks of last ISO year too
        fresh = await participant("Nina Nieuw", karin, date(2026, 11, 15))
        await _hours(tx, fresh, 4.0, 2)
        # Kees: away; Kim stands in until the end of the week (expired one for Karin)
        await participant("Sam Samen", kees, date(2026, 6, 1))
        await months(ids["Sam Samen"], ["2026-09", "2026-10"], revenue=0, costs=0, hours=0.0)
        await tx.execute(
            "INSERT INTO delegations (from_id, to_id, until, created_at) VALUES (?, ?, ?, ?)",
            (kees, kim, "2026-12-11", MONDAY.isoformat()),
        )
        await tx.execute(
            "INSERT INTO delegations (from_id, to_id, until, created_at) VALUES (?, ?, ?, ?)",
            (kees, karin, "2026-12-06", MONDAY.isoformat()),  # ended yesterday
        )
    kim_person = await fq.who(app, "Kim Klantmanager")
    long_ago, lately = MONDAY - timedelta(days=12), MONDAY - timedelta(days=2)
    _, waiting = await fq.submit(app, long_ago, late, "2026-10", revenue=50_000, costs=10_000)
    _, recent = await fq.submit(app, lately, ids["Sam Samen"], "2026-11", revenue=1_000)
    _, still_open = await fq.submit(app, lately, over, "2026-11")
    assert waiting is not None
    assert recent is not None
    assert still_open is not None
    async with app.services.db.transaction() as tx:
        await queue.request_correction(tx, long_ago, kim_person, waiting, "Bon ontbreekt")
        await queue.request_correction(tx, lately, kim_person, recent, "Uren kloppen niet")
    return ids


def _reference_localised(figures: dict[str, Any], locale: str) -> dict[str, Any]:
    """The template context as the original module made it: plain dicts, flag lines added."""
    hours = [
        h | {"flag_lines": [flag_line(f, locale) for f in h["flags"]]}
        for h in figures["exceptions"]["hours"]
    ]
    return figures | {"exceptions": figures["exceptions"] | {"hours": hours}}


async def _reference(app: App, now: datetime) -> list[tuple[Any, ...]]:
    """What the one-klantmanager path enqueues: build, render, enqueue (rolled back)."""
    policy = app.services.policy
    window = digest.window_for(policy, now)
    async with app.services.db.read() as tx:
        rows = await tx.all("SELECT * FROM people WHERE role = 'klantmanager' ORDER BY id")
        for row in rows:
            klantmanager = people.person_from_row(row)
            figures = await digest.build_digest(tx, policy, klantmanager, window)
            if not figures["rows"]:
                continue
            locale = klantmanager.locale
            text = render("digest/chat", locale, **_reference_localised(figures, locale))
            key = f"digest:{klantmanager.id}:{window.week}"
            for number, part in enumerate(split_parts(text)):
                await outbox.enqueue(
                    tx,
                    klantmanager.id,
                    "digest/chat_part",
                    now,
                    context={"text": part},
                    dedupe_key=key if number == 0 else f"{key}:{number}",
                )
        return await _digest_rows(tx)


async def _digest_rows(tx: Tx) -> list[tuple[Any, ...]]:
    rows = await tx.all(
        f"SELECT {COLUMNS} FROM outbox WHERE dedupe_key LIKE 'digest:%' ORDER BY id"  # noqa: S608
    )
    return [tuple(r) for r in rows]


@pytest.mark.parametrize("batch_size", [1, 2, 25])
async def test_the_batched_run_enqueues_the_same_text_as_one_klantmanager_at_a_time(
    app: App, batch_size: int
) -> None:
    ids = await _seed(app)
    expected = await _reference(app, MONDAY)
    texts = "\n".join(json.loads(row[3])["text"] for row in expected)
    # the seeded caseload reaches every part of the digest, so the comparison means something
    for shown in (
        "Lotte Laat",
        "Uri Uren",
        "Fenna Vlag",
        "Eva Einde",
        "Dora Dekt",
        "Wim Wissel",
        "Jip &amp; Janneke &lt;b&gt;",
        "Otto Oud",
        "Nina Nieuw",
        "Sam Samen",
    ):
        assert shown in texts, shown
    assert "Pim Pauze" not in texts
    assert {row[0] for row in expected} == {
        ids["Kim Klantmanager"],
        ids["Karin Klantmanager"],
        ids["Kees Klantmanager"],
    }

    sent = await digest.weekly_digests(
        app.services.db,
        app.services.policy,
        MONDAY,
        batch_size=batch_size,
        render=render_chat_parts,
    )

    assert sent == 3
    async with app.services.db.read() as tx:
        assert await _digest_rows(tx) == expected


async def test_the_exceptions_and_the_table_cover_every_seeded_case(app: App) -> None:
    ids = await _seed(app)
    kim = await fq.who(app, "Kim Klantmanager")
    async with app.services.db.read() as tx:
        figures = await digest.build_digest(
            tx, app.services.policy, kim, digest.window_for(app.services.policy, MONDAY)
        )
    names = {k: [x["name"] for x in v] for k, v in figures["exceptions"].items()}
    assert names == {
        "late": ["Dora Dekt", "Lotte Laat", "Sam Samen"],
        "hours": ["Fenna Vlag", "Uri Uren"],
        "corrections": ["Lotte Laat"],
        "changes": ["Wim Wissel"],
        "ending": ["Eva Einde"],
        "covering": ["Dora Dekt"],
        "reported": [],  # /wijziging: none in this seed (tests/web/test_changes_pages.py)
    }
    assert "Sam Samen" in [r["name"] for r in figures["rows"]]  # delegated caseload
    karin = Person(ids["Karin Klantmanager"], "Karin Klantmanager", Role.KLANTMANAGER, "en")
    async with app.services.db.read() as tx:
        figures = await digest.build_digest(
            tx, app.services.policy, karin, digest.window_for(app.services.policy, MONDAY)
        )
    otto = next(r for r in figures["rows"] if r["name"] == "Otto Oud")
    assert otto["period"] == "2025-01"  # newest month, from before the look-back
    assert "Sam Samen" not in [r["name"] for r in figures["rows"]]  # delegation ended


async def test_a_rerun_and_an_earlier_digest_are_not_sent_twice(app: App) -> None:
    ids = await _seed(app)
    kim = ids["Kim Klantmanager"]
    async with app.services.db.transaction() as tx:
        await outbox.enqueue(
            tx,
            kim,
            "digest/chat_part",
            MONDAY,
            context={"text": "x"},
            dedupe_key=f"digest:{kim}:{WEEK}",
        )
    db, policy = app.services.db, app.services.policy
    assert (
        await digest.weekly_digests(db, policy, MONDAY, batch_size=2, render=render_chat_parts)
        == 2
    )
    assert (
        await digest.weekly_digests(
            db, policy, MONDAY + timedelta(hours=2), render=render_chat_parts
        )
        == 0
    )
    async with db.read() as tx:
        kim_parts = await tx.scalar(
            "SELECT COUNT(*) FROM outbox WHERE person_id = ? AND dedupe_key LIKE 'digest:%'",
            (kim,),
        )
    assert kim_parts == 1


async def test_other_chats_get_the_database_between_batches(app: App) -> None:
    await _seed(app)
    db = app.services.db
    finished: list[str] = []

    async def run_digests() -> None:
        await digest.weekly_digests(
            db, app.services.policy, MONDAY, batch_size=1, render=render_chat_parts
        )
        finished.append("digests")

    async def another_chat() -> None:
        await asyncio.sleep(0)  # the digest run has started and holds the database
        async with db.transaction() as tx:
            await tx.scalar("SELECT COUNT(*) FROM people")
        finished.append("chat")

    await asyncio.gather(run_digests(), another_chat())
    assert finished == ["chat", "digests"]


async def test_the_status_labels_and_late_months_read_as_their_own_templates(app: App) -> None:
    await _seed(app)
    kim = await fq.who(app, "Kim Klantmanager")
    async with app.services.db.read() as tx:
        figures = await digest.build_digest(
            tx, app.services.policy, kim, digest.window_for(app.services.policy, MONDAY)
        )
    for locale in ("nl", "en"):
        text = "\n".join(render_chat_parts(figures, locale))
        month = environment(locale).filters["month"]
        for row in figures["rows"]:
            label = render("digest/status", locale, status=row["status"])
            assert f": {month(row['last_period'])} {label}" in text
        late = figures["exceptions"]["late"][0]
        assert ", ".join(month(p) for p in late["periods"]) in text


@given(st.integers(min_value=-(10**13), max_value=10**13))
def test_fast_money_is_babel_money(cents: int) -> None:
    for locale in ("nl", "en"):
        env = rendering._environment(locale)
        assert env.filters["money"](cents) == environment(locale).filters["money"](cents)


@pytest.mark.parametrize(
    "value",
    [0, 1, -1, 1.0, -0.0, 0.0, 12.5, True, None, Decimal("1.0"), Decimal("1"), 29, 2026],
)
def test_memoised_filters_print_each_value_as_babel_does(value: Any) -> None:
    for locale in ("nl", "en"):
        fast, plain = rendering._environment(locale).filters, environment(locale).filters
        for name in ("pct", "number", "money"):
            try:
                want = plain[name](value)
            except (TypeError, ValueError, ArithmeticError):
                continue
            assert fast[name](value) == want, (name, value)
            assert fast[name](value) == want, (name, value)  # and again, from the memo
        assert fast["month"]("2026-11") == plain["month"]("2026-11")
        assert fast["date"]("2027-01-20") == plain["date"]("2027-01-20")
