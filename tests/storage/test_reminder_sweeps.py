"""The sweeps on a real SQLite file: exactly once, twice or overlapping, late or on time."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import replace
from datetime import datetime

import pytest

from bot.app import App
from bot.clock import AMSTERDAM, utc_iso
from bot.runtime import Services
from bot.storage.backends import open_database
from scheduler.jobs import run_job
from tests.factories import caseload

SWEEPS = (
    "declaration_reminders",
    "hours_checkin",
    "trajectory_milestones",
    "overdue_escalation",
    "coach_pushes",
)


def local(*args: int) -> datetime:
    """An Amsterdam wall-clock moment."""
    return datetime(*args, tzinfo=AMSTERDAM)  # type: ignore[arg-type,misc]


async def ids(app: App) -> dict[str, int]:
    """Kim, Cas, Ayla and Bram (who started on 1 November 2026), by name."""
    async with app.services.db.transaction() as tx:
        await tx.execute("UPDATE participants SET start_date = '2026-11-01'")
        rows = await tx.all("SELECT id, name FROM people")
    return {r["name"]: r["id"] for r in rows}


async def reminder_pushes(app: App, person_id: int) -> list[list[tuple[str, str]]]:
    """Per reminder message to the person: its (kind, stage) items."""
    async with app.services.db.read() as tx:
        rows = await tx.all(
            "SELECT context FROM outbox WHERE person_id = ? AND message_key = 'reminders/push' "
            "ORDER BY id",
            (person_id,),
        )
    return [[(i["kind"], i["stage"]) for i in json.loads(r[0])["items"]] for r in rows]


async def test_each_job_twice_and_overlapping_sends_every_reminder_once(
    app: App, settings: object
) -> None:
    await caseload(app, local(2026, 11, 1, 12))
    people = await ids(app)
    second_db = await open_database(app.services.settings.database_url)  # a second process
    other = Services(app.services.settings, app.services.policy, second_db, app.services.clock)
    try:
        for moment in (
            local(2026, 12, 1, 9),
            local(2026, 12, 6, 18),
            local(2026, 12, 7, 9),
            local(2026, 12, 9, 9),
            local(2026, 12, 11, 9),
        ):
            for name in SWEEPS:
                await run_job(app.services, name, moment)
                await run_job(app.services, name, moment)
                await asyncio.gather(
                    run_job(app.services, name, moment),
                    run_job(other, name, moment),
                    run_job(app.services, name, moment),
                )
    finally:
        await second_db.close()

    ayla = await reminder_pushes(app, people["Ayla Voorbeeld"])
    assert ayla == [
        # Tuesday 1 Dec: the period opens, and last Sunday's hours question (never asked yet,
        # still useful) rides along: one message.
        [("declaration", "open"), ("hours", "checkin")],
        [("hours", "checkin")],  # Sunday 6 Dec 18:00
        [("declaration", "due-3")],
        [("declaration", "due-1")],
    ]
    async with app.services.db.read() as tx:
        keys = await tx.scalar("SELECT COUNT(*) FROM reminder_keys WHERE status = 'queued'")
        items = await tx.all(
            "SELECT context FROM outbox WHERE message_key = 'reminders/push'",
        )
        overdue = await tx.all(
            "SELECT participant_id, period FROM queue_items WHERE kind = 'declaration_overdue'"
        )
        per_day = await tx.all(
            "SELECT participant_id, day, COUNT(DISTINCT outbox_id) AS n FROM reminder_keys "
            "WHERE status = 'queued' GROUP BY participant_id, day"
        )
    assert keys == sum(len(json.loads(r[0])["items"]) for r in items)
    assert all(r["n"] == 1 for r in per_day)
    assert sorted(tuple(r) for r in overdue) == [
        (people["Ayla Voorbeeld"], "2026-11"),
        (people["Bram Voorbeeld"], "2026-11"),
    ]


async def test_catch_up_after_downtime_sends_what_is_useful_and_drops_the_rest(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    await caseload(app, local(2026, 11, 1, 12))
    people = await ids(app)
    await run_job(app.services, "declaration_reminders", local(2026, 12, 7, 9))
    # Down from Monday evening until Thursday (the due day) 11:30.
    with caplog.at_level(logging.INFO, logger="bot.services.reminders"):
        result = await run_job(app.services, "declaration_reminders", local(2026, 12, 10, 11, 30))
    assert await reminder_pushes(app, people["Ayla Voorbeeld"]) == [
        [("declaration", "due-3"), ("hours", "checkin")],
        [("declaration", "due")],
    ]
    assert any("dropped" in line and "due-1" in line for line in result.lines)
    assert "reminder dropped" in caplog.text
    again = await run_job(app.services, "declaration_reminders", local(2026, 12, 10, 12))
    assert again.lines == []  # dropped ones are logged once


async def test_quiet_hours_hold_everything_until_the_morning(app: App) -> None:
    await caseload(app, local(2026, 11, 1, 12))
    people = await ids(app)
    await run_job(app.services, "hours_checkin", local(2026, 12, 6, 21, 30))  # started late
    assert await reminder_pushes(app, people["Ayla Voorbeeld"]) == []
    await run_job(app.services, "hours_checkin", local(2026, 12, 7, 8, 0))
    assert await reminder_pushes(app, people["Ayla Voorbeeld"]) == []  # waits for 09:00
    await run_job(app.services, "declaration_reminders", local(2026, 12, 7, 9, 0))
    assert await reminder_pushes(app, people["Ayla Voorbeeld"]) == [
        [("declaration", "due-3"), ("hours", "checkin")]
    ]


async def test_paused_and_submitted_participants_get_nothing(app: App) -> None:
    await caseload(app, local(2026, 11, 1, 12))
    people = await ids(app)
    now = local(2026, 12, 7, 9)
    async with app.services.db.transaction() as tx:
        await tx.execute(
            "UPDATE participants SET status = 'paused' WHERE person_id = ?",
            (people["Bram Voorbeeld"],),
        )
        await tx.execute(
            "INSERT INTO declarations (participant_id, period, version, reference, worked, "
            "revenue_cents, costs_cents, hours, submitted_at) VALUES (?, '2026-11', 1, "
            "'PTO-2026-11-0001', 1, 50000, 1000, 40, ?)",
            (people["Ayla Voorbeeld"], utc_iso(now)),
        )
    await run_job(app.services, "declaration_reminders", now)
    await run_job(app.services, "overdue_escalation", local(2026, 12, 11, 9))
    assert await reminder_pushes(app, people["Bram Voorbeeld"]) == []
    assert await reminder_pushes(app, people["Ayla Voorbeeld"]) == []
    async with app.services.db.read() as tx:
        assert await tx.scalar("SELECT COUNT(*) FROM queue_items") == 0


async def test_dry_run_tells_who_would_get_what_and_writes_nothing(app: App) -> None:
    await caseload(app, local(2026, 11, 1, 12))
    result = await run_job(app.services, "declaration_reminders", local(2026, 12, 7, 9), True)
    assert any(line.startswith("push to Ayla Voorbeeld") for line in result.lines)
    async with app.services.db.read() as tx:
        assert await tx.scalar("SELECT COUNT(*) FROM reminder_keys") == 0
        assert (
            await tx.scalar("SELECT COUNT(*) FROM outbox WHERE message_key LIKE 'reminders/%'")
            == 0
        )


async def test_a_second_reminder_kind_the_same_day_waits_for_tomorrow(app: App) -> None:
    services = replace(app.services)
    await caseload(app, local(2026, 11, 1, 12))
    people = await ids(app)
    # Sunday 6 December: a coach-free day with the hours check-in at 18:00, but a declaration
    # reminder already went out that morning (due − 4 in this policy).
    policy = replace(services.policy, remind_days_before_due=(4, 3, 1, 0))
    services = replace(services, policy=policy)
    await run_job(services, "declaration_reminders", local(2026, 12, 6, 9))
    await run_job(services, "hours_checkin", local(2026, 12, 6, 18))
    assert await reminder_pushes(app, people["Ayla Voorbeeld"]) == [[("declaration", "due-4")]]
    await run_job(services, "declaration_reminders", local(2026, 12, 7, 9))
    assert await reminder_pushes(app, people["Ayla Voorbeeld"]) == [
        [("declaration", "due-4")],
        [("declaration", "due-3"), ("hours", "checkin")],
    ]
