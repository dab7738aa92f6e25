"""Reminder sweeps: read the database, ask the pure rules what is due, write outbox rows.

Every sweep is idempotent. Each reminder's key (participant, kind, period, stage) is inserted
with INSERT OR IGNORE in the same transaction as its outbox row, so a second run, an overlapping
run (another process, or `ptobot jobs run` next to the bot) or a catch-up after downtime never
sends anything twice. The daily maximum is counted inside that same write transaction.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot.clock import utc_iso
from bot.domain import reminders as rules
from bot.domain.models import ParticipantStatus
from bot.domain.periods import period_of
from bot.domain.policy import Policy
from bot.domain.reminders import Facts, Item, Push
from bot.services import queue
from bot.storage import repo
from bot.storage.db import Database, Tx

log = logging.getLogger(__name__)
PUSH_KEY = "reminders/push"


@dataclass
class Report:
    """What a sweep did (or, in a dry run, would do)."""

    sent: list[tuple[int, str, list[str]]] = field(default_factory=list)  # id, name, items
    dropped: list[tuple[int, str, str]] = field(default_factory=list)  # id, name, item
    queue_items: list[tuple[int, str, str]] = field(default_factory=list)  # id, name, what

    def lines(self) -> list[str]:
        """Human-readable lines for the command line."""
        out = [f"push to {name} (#{pid}): {', '.join(items)}" for pid, name, items in self.sent]
        out += [f"queue item for {name} (#{pid}): {what}" for pid, name, what in self.queue_items]
        out += [f"dropped for {name} (#{pid}): {what}" for pid, name, what in self.dropped]
        return out


def describe(item: Item) -> str:
    """'declaration 2026-11 due-3' for logs and dry runs."""
    return f"{item.kind} {item.period} {item.stage}"


async def load_facts(
    db: Database, now: datetime, reachable_only: bool = True
) -> list[tuple[Facts, str]]:
    """Active participants (with a chat that is not blocked) and what the rules need."""
    since_period = period_of(rules.local_day(now) - timedelta(days=100))
    since_week = rules.iso_week(rules.local_day(now) - timedelta(days=21))
    blocked_ok = 0 if reachable_only else 1
    async with db.read() as tx:
        rows = await tx.all(
            "SELECT p.person_id, p.status, p.start_date, pe.name FROM participants p "
            "JOIN people pe ON pe.id = p.person_id WHERE p.status = 'active' "
            "AND EXISTS (SELECT 1 FROM channel_identities ci WHERE ci.person_id = p.person_id "
            "AND (ci.blocked = 0 OR ?)) ORDER BY p.person_id",
            (blocked_ok,),
        )
        submitted = await tx.all(
            "SELECT DISTINCT participant_id, period FROM declarations WHERE period >= ?",
            (since_period,),
        )
        weeks = await tx.all(
            "SELECT participant_id, week FROM weekly_hours WHERE week >= ?", (since_week,)
        )
    periods: dict[int, set[str]] = defaultdict(set)
    for r in submitted:
        periods[r["participant_id"]].add(r["period"])
    hours: dict[int, set[str]] = defaultdict(set)
    for r in weeks:
        hours[r["participant_id"]].add(r["week"])
    return [
        (
            Facts(
                r["person_id"],
                ParticipantStatus(r["status"]),
                date.fromisoformat(r["start_date"]),
                frozenset(periods[r["person_id"]]),
                frozenset(hours[r["person_id"]]),
            ),
            r["name"],
        )
        for r in rows
    ]


async def _decided(
    db: Database, now: datetime
) -> tuple[set[tuple[int, str, str, str]], dict[int, int]]:
    """Keys already decided, and pushes per participant today."""
    async with db.read() as tx:
        keys = await tx.all("SELECT participant_id, kind, period, stage FROM reminder_keys")
        today = await tx.all(
            "SELECT participant_id, COUNT(DISTINCT outbox_id) AS n FROM reminder_keys "
            "WHERE day = ? AND status = 'queued' GROUP BY participant_id",
            (rules.local_day(now).isoformat(),),
        )
    return (
        {(r[0], r[1], r[2], r[3]) for r in keys},
        {r["participant_id"]: r["n"] for r in today},
    )


async def sweep(
    db: Database,
    policy: Policy,
    now: datetime,
    triggers: Iterable[str] = rules.KINDS,
    dry_run: bool = False,
) -> Report:
    """Send what is due for participants; `triggers` are the kinds that may start a push.

    Once a participant gets a push, everything else useful for them rides along in it, so two
    reminders due the same day become one message.
    """
    wanted = tuple(triggers)
    report = Report()
    done, pushes_today = await _decided(db, now)
    for facts, name in await load_facts(db, now):
        useful = [i for i in rules.useful_items(policy, facts, now) if i.key not in done]
        expired = [i for i in rules.expired_items(policy, facts, now, wanted) if i.key not in done]
        push = rules.plan_push(
            policy, now, facts.person_id, useful, pushes_today.get(facts.person_id, 0), wanted
        )
        if dry_run:
            if push:
                report.sent.append((facts.person_id, name, [describe(i) for i in push.items]))
            report.dropped += [(facts.person_id, name, describe(i)) for i in expired]
            continue
        if not push and not expired:
            continue
        async with db.transaction() as tx:
            for item in expired:
                if await _record(tx, item, "dropped", now):
                    log.info("reminder dropped, its moment passed: %s", describe(item))
                    report.dropped.append((facts.person_id, name, describe(item)))
            if push is not None:
                sent = await _write_push(tx, policy, push, name, now)
                if sent:
                    report.sent.append((facts.person_id, name, [describe(i) for i in sent]))
    return report


async def _record(tx: Tx, item: Item, status: str, now: datetime) -> int | None:
    return await tx.insert(
        "INSERT OR IGNORE INTO reminder_keys (participant_id, kind, period, stage, status, day, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (*item.key, status, rules.local_day(now).isoformat(), utc_iso(now)),
    )


async def _write_push(tx: Tx, policy: Policy, push: Push, name: str, now: datetime) -> list[Item]:
    """Keys and the outbox row in one transaction; returns the items that were new."""
    pid = push.participant_id
    today = await tx.scalar(
        "SELECT COUNT(DISTINCT outbox_id) FROM reminder_keys "
        "WHERE participant_id = ? AND day = ? AND status = 'queued'",
        (pid, rules.local_day(now).isoformat()),
    )
    if int(today or 0) >= policy.max_pushes_per_day:
        return []  # another sweep got there first today
    fresh: list[tuple[int, Item]] = []
    for item in push.items:
        if item.kind == rules.DECLARATION and await tx.scalar(
            "SELECT 1 FROM declarations WHERE participant_id = ? AND period = ?",
            (pid, item.period),
        ):
            continue  # submitted since the sweep read the database
        key_id = await _record(tx, item, "queued", now)
        if key_id is not None:
            fresh.append((key_id, item))
    if not fresh:
        return []
    items = [item for _, item in fresh]
    outbox_id = await repo.enqueue(
        tx,
        pid,
        PUSH_KEY,
        now,
        context={"name": name.split()[0], "items": [item_context(i) for i in items]},
        buttons=push_buttons(items),
        dedupe_key=f"reminder:{fresh[0][0]}",
    )
    await tx.executemany(
        "UPDATE reminder_keys SET outbox_id = ? WHERE id = ?",
        [(outbox_id, key_id) for key_id, _ in fresh],
    )
    return items


def item_context(item: Item) -> dict[str, Any]:
    """What the item's template needs: its own key and context."""
    return {"key": item.message_key, "kind": item.kind, "stage": item.stage, **item.ctx}


def push_buttons(items: Iterable[Item]) -> list[list[dict[str, Any]]]:
    """A button to open the declaration per period; hour buttons for a check-in."""
    rows: list[list[dict[str, Any]]] = []
    for item in items:
        if item.kind == rules.DECLARATION:
            rows.append(
                [
                    {
                        "data": f"decl:start:{item.period}",
                        "label_key": "buttons/rem_decl_start",
                        "ctx": {"period": item.period},
                    }
                ]
            )
        elif item.kind == rules.HOURS:
            rows.append(
                [{"data": f"hours:{item.period}:{n}", "text": str(n)} for n in rules.HOURS_CHOICES]
            )
            rows.append(
                [{"data": f"hours:{item.period}:other", "label_key": "buttons/rem_hours_other"}]
            )
    return rows


async def escalate_overdue(
    db: Database, policy: Policy, now: datetime, dry_run: bool = False
) -> Report:
    """On due + `escalate_days_after_due`: a queue item for the klantmanager, once per period."""
    report = Report()
    for facts, name in await load_facts(db, now, reachable_only=False):
        for period in rules.overdue_periods(policy, facts, now):
            key = f"overdue:{facts.person_id}:{period}"
            if dry_run:
                async with db.read() as tx:
                    known = await tx.scalar(
                        "SELECT 1 FROM queue_items WHERE dedupe_key = ?", (key,)
                    )
                if not known:
                    report.queue_items.append((facts.person_id, name, f"overdue {period}"))
                continue
            async with db.transaction() as tx:
                if await queue.open_item(
                    tx, now, facts.person_id, queue.OVERDUE, period=period, dedupe_key=key,
                    policy=policy,
                ):
                    report.queue_items.append((facts.person_id, name, f"overdue {period}"))
    return report


async def trajectory_milestones(
    db: Database, policy: Policy, now: datetime, dry_run: bool = False
) -> Report:
    """Check-ins and end warnings to participants; end warnings to the klantmanager too."""
    report = await sweep(db, policy, now, (rules.TRAJECTORY,), dry_run)
    if rules.in_quiet_hours(policy, now):
        return report
    for facts, name in await load_facts(db, now, reachable_only=False):
        for item in rules.all_items(policy, facts, now, (rules.TRAJECTORY,)):
            if not item.stage.startswith("end-") or not item.at <= now < item.expires:
                continue
            key = f"trajectory-end:{facts.person_id}:{item.period}:{item.stage}"
            what = f"trajectory ends {item.ctx['end']} ({item.stage})"
            if dry_run:
                async with db.read() as tx:
                    known = await tx.scalar(
                        "SELECT 1 FROM queue_items WHERE dedupe_key = ?", (key,)
                    )
                if not known:
                    report.queue_items.append((facts.person_id, name, what))
                continue
            async with db.transaction() as tx:
                if await queue.open_item(
                    tx,
                    now,
                    facts.person_id,
                    queue.TRAJECTORY_ENDING,
                    dedupe_key=key,
                    policy=policy,
                    details={"end": item.ctx["end"], "days": item.ctx["days"]},
                ):
                    report.queue_items.append((facts.person_id, name, what))
    return report
