"""Batched sweeps on a real SQLite file: the same reminders as the rules one by one, whatever the
batch size, and a chat gets the database between batches."""

from __future__ import annotations

import asyncio
import json
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.clock import AMSTERDAM
from bot.domain import reminders as rules
from bot.domain.localtime import local_day
from bot.domain.models import ParticipantStatus
from bot.domain.policy import Policy, load_policy
from bot.services import reminders
from bot.storage.sqlite.db import Database
from scheduler.jobs import report_lines
from tests.oracle import reminder_rules as oracle

POLICY = load_policy()
CREATED = "2026-01-05T09:00:00Z"
PARTICIPANTS = 40


def local(*args: int) -> datetime:
    """An Amsterdam wall-clock moment."""
    return datetime(*args, tzinfo=AMSTERDAM)  # type: ignore[arg-type,misc]


MOMENTS = (
    local(2026, 12, 1, 9, 0),  # November opens; last Sunday's hours question
    local(2026, 12, 6, 18, 0),  # Sunday: the hours check-in
    local(2026, 12, 6, 22, 0),  # quiet hours
    local(2026, 12, 7, 9, 0),  # due − 3
    local(2026, 12, 10, 11, 30),  # due day, after downtime: due − 1 is dropped
    local(2026, 12, 11, 9, 0),  # overdue escalation
    local(2027, 2, 2, 9, 0),  # trajectory milestones for some
)


async def seed(path: Path) -> None:
    """A klantmanager and 40 participants in many situations (ids 2..41)."""
    db = await Database.open(path)
    try:
        await db.migrate()
        async with db.transaction() as tx:
            people = [(1, "Kim Klantmanager", "klantmanager")]
            people += [
                (n, f"Deelnemer {n:03d}", "participant") for n in range(2, 2 + PARTICIPANTS)
            ]
            await tx.executemany(
                "INSERT INTO people (id, name, role, locale, created_at) "
                "VALUES (?, ?, ?, 'nl', ?)",
                [(i, name, role, CREATED) for i, name, role in people],
            )
            await tx.executemany(
                "INSERT INTO channel_identities (channel, address, person_id, created_at, "
                "blocked) VALUES ('telegram', ?, ?, ?, ?)",
                [(str(9000 + i), i, CREATED, int(i % 13 == 0)) for i, _, _ in people],
            )
            statuses = ("active",) * 6 + ("paused", "ended")
            await tx.executemany(
                "INSERT INTO participants (person_id, klantmanager_id, start_date, household, "
                "status) VALUES (?, 1, ?, 'alleenstaande', ?)",
                [
                    (
                        n,
                        date.fromordinal(date(2025, 12, 20).toordinal() + 9 * n).isoformat(),
                        statuses[n % len(statuses)],
                    )
                    for n in range(2, 2 + PARTICIPANTS)
                ],
            )
            await tx.executemany(
                "INSERT INTO declarations (participant_id, period, version, reference, worked, "
                "revenue_cents, costs_cents, hours, submitted_at) "
                "VALUES (?, ?, 1, ?, 1, 50000, 1000, 40, ?)",
                [
                    (n, period, f"PTO-{period}-{n:04d}", CREATED)
                    for n in range(2, 2 + PARTICIPANTS)
                    for period, every in (("2026-10", 2), ("2026-11", 3))
                    if n % every == 0
                ],
            )
            await tx.executemany(
                "INSERT INTO weekly_hours (participant_id, week, hours, source, updated_at) "
                "VALUES (?, ?, 12, 'checkin', ?)",
                [
                    (n, week, CREATED)
                    for n in range(2, 2 + PARTICIPANTS)
                    for week, every in (("2026-W48", 4), ("2026-W49", 5))
                    if n % every == 0
                ],
            )
    finally:
        await db.close()


@pytest.fixture
async def seeded(tmp_path: Path) -> Path:
    path = tmp_path / "seeded.db"
    await seed(path)
    return path


async def open_copy(source: Path, name: str) -> Database:
    target = source.with_name(name)
    shutil.copy(source, target)
    return await Database.open(target)


async def one_by_one(
    db: Database, policy: Policy, now: datetime, wanted: tuple[str, ...]
) -> tuple[list[tuple[int, list[str]]], list[tuple[int, str]]]:
    """What a dry run must say, the slow way: every participant, every rule, one by one."""
    async with db.read() as tx:
        people = await tx.all(
            "SELECT p.person_id, p.status, p.start_date FROM participants p "
            "WHERE EXISTS (SELECT 1 FROM channel_identities ci WHERE ci.person_id = p.person_id "
            "AND ci.blocked = 0) ORDER BY p.person_id"
        )
        declared = await tx.all("SELECT participant_id, period FROM declarations")
        weeks = await tx.all("SELECT participant_id, week FROM weekly_hours")
        keys = await tx.all("SELECT participant_id, kind, period, stage FROM reminder_keys")
        today = await tx.all(
            "SELECT participant_id, COUNT(DISTINCT outbox_id) FROM reminder_keys "
            "WHERE day = ? AND status = 'queued' GROUP BY participant_id",
            (local_day(now).isoformat(),),
        )
    done = {tuple(k) for k in keys}
    pushes = {r[0]: r[1] for r in today}
    sent, dropped = [], []
    for pid, status, start in people:
        facts = rules.Facts(
            pid,
            ParticipantStatus(status),
            date.fromisoformat(start),
            frozenset(r[1] for r in declared if r[0] == pid),
            frozenset(r[1] for r in weeks if r[0] == pid),
        )
        useful = [i for i in oracle.useful_items(policy, facts, now) if i.key not in done]
        expired = [
            i for i in oracle.expired_items(policy, facts, now, wanted) if i.key not in done
        ]
        push = oracle.plan_push(policy, now, pid, useful, pushes.get(pid, 0), wanted)
        if push:
            sent.append((pid, [reminders.describe(i) for i in push.items]))
        dropped += [(pid, reminders.describe(i)) for i in expired]
    return sent, dropped


async def written(db: Database) -> tuple[list[tuple[object, ...]], ...]:
    async with db.read() as tx:
        keys = await tx.all(
            "SELECT participant_id, kind, period, stage, status, day FROM reminder_keys "
            "ORDER BY participant_id, kind, period, stage"
        )
        outbox = await tx.all(
            "SELECT person_id, message_key, context, buttons FROM outbox "
            "ORDER BY person_id, message_key, context"
        )
        items = await tx.all(
            "SELECT participant_id, kind, period, dedupe_key FROM queue_items ORDER BY dedupe_key"
        )
    return [tuple(r) for r in keys], [tuple(r) for r in outbox], [tuple(r) for r in items]


async def run_all(db: Database, now: datetime, batch_size: int, lines: list[str]) -> None:
    """Every participant sweep at `now`, as the scheduler runs them."""

    def sink(part: reminders.Report) -> None:
        lines.extend(report_lines(part))

    await reminders.escalate_overdue(db, POLICY, now, batch_size=batch_size, sink=sink)
    for kinds in ((rules.DECLARATION,), (rules.HOURS,)):
        await reminders.sweep(db, POLICY, now, kinds, batch_size=batch_size, sink=sink)
    await reminders.trajectory_milestones(db, POLICY, now, batch_size=batch_size, sink=sink)


async def test_dry_runs_say_what_the_rules_say_one_by_one_at_every_batch_size(
    seeded: Path,
) -> None:
    db = await open_copy(seeded, "one.db")
    said = {"sent": 0, "dropped": 0}
    try:
        for now in MOMENTS:
            for kinds in ((rules.DECLARATION,), (rules.HOURS,), (rules.TRAJECTORY,)):
                sent, dropped = await one_by_one(db, POLICY, now, kinds)
                said["sent"] += len(sent)
                said["dropped"] += len(dropped)
                for size in (1, 7, 500):
                    report = await reminders.sweep(db, POLICY, now, kinds, True, size)
                    assert [(pid, items) for pid, _, items in report.sent] == sent
                    assert [(pid, what) for pid, _, what in report.dropped] == dropped
            await run_all(db, now, 500, [])  # the next moment starts from what was decided
    finally:
        await db.close()
    assert said["sent"] > 20
    assert said["dropped"] > 5


async def test_the_batch_size_changes_nothing_that_is_written_or_said(seeded: Path) -> None:
    small, large = await open_copy(seeded, "small.db"), await open_copy(seeded, "large.db")
    try:
        for now in MOMENTS:
            small_lines: list[str] = []
            large_lines: list[str] = []
            await run_all(small, now, 3, small_lines)
            await run_all(small, now, 3, small_lines)  # twice: nothing more
            await run_all(large, now, 500, large_lines)
            assert sorted(small_lines) == sorted(large_lines)
        keys, outbox, items = await written(small)
        assert (keys, outbox, items) == await written(large)
    finally:
        await small.close()
        await large.close()
    assert any(status == "dropped" for *_, status, _ in keys)
    assert len({json.loads(str(c))["name"] for _, key, c, _ in outbox if key == "reminders/push"})
    assert any(kind == "declaration_overdue" for _, kind, _, _ in items)
    blocked = [n for n in range(2, 2 + PARTICIPANTS) if n % 13 == 0]
    assert not [row for row in outbox if row[0] in blocked and row[1] == "reminders/push"]


async def test_a_chat_gets_the_database_between_batches(seeded: Path) -> None:
    db = await open_copy(seeded, "busy.db")
    try:
        now = local(2026, 12, 1, 9, 0)  # nearly everyone gets the "period opens" reminder
        sweep = asyncio.create_task(
            reminders.sweep(db, POLICY, now, (rules.DECLARATION,), batch_size=4)
        )
        await asyncio.sleep(0)  # the sweep takes the database for its first batch
        async with db.transaction() as tx:  # a chat's update, meanwhile
            keys_then = await tx.scalar("SELECT COUNT(*) FROM reminder_keys")
            sweep_done_then = sweep.done()
        report = await sweep
        async with db.read() as tx:
            keys_after = await tx.scalar("SELECT COUNT(*) FROM reminder_keys")
    finally:
        await db.close()
    assert not sweep_done_then
    assert 0 < keys_then < keys_after
    assert len(report.sent) > 4
