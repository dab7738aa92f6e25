"""Reminder sweeps: read the database, ask the pure rules what is due, write outbox rows.

Every sweep is idempotent. Each reminder's key (participant, kind, period, stage) is inserted
(unless it exists) in the same transaction as its outbox row, so a second run, an overlapping
run (another process, or `ptobot jobs run` next to the bot) or a catch-up after downtime never
sends anything twice. The daily maximum is counted inside that same write transaction.

Sweeps scale to 100k participants in bounded memory without keeping chats waiting:
- the calendar (due dates, local reminder moments, windows, quiet hours) is worked out once
  per sweep (`rules.Calendar`), and the rules run once per *kind* of participant (same start
  date, submitted periods, recorded weeks and decided keys), not once per person;
- participants go in batches of `BATCH_SIZE` by id; each batch is one statement that keeps only
  those who may have something (`rules.Watch`: e.g. not submitted the period that is due) with
  their facts, decided keys and today's pushes;
- a real run reads, decides and writes a batch in ONE short write transaction in one round trip
  to the database thread (`db.run`): keys with one statement that returns the new ones (the
  unique key decides), then the outbox rows of the pushes whose keys were new, then the links.
  Facts and the daily count come from that same transaction, so nothing can change between
  check and write. Between batches the sweep yields, so a chat waits at most one batch;
- with a `sink`, report lines leave batch by batch instead of piling up.

The SQL is in `bot.storage.reminders`; this module decides and returns data.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from bot.contract import Button, ButtonRows
from bot.domain import reminders as rules
from bot.domain.localtime import local_day
from bot.domain.policy import Policy
from bot.domain.pushes import Candidate
from bot.domain.reminders import Item
from bot.services import queue
from bot.storage import outbox
from bot.storage import reminders as store
from bot.storage.unit import Database, Tx

log = logging.getLogger(__name__)
PUSH_KEY = "reminders/push"
BATCH_SIZE = 500  # participants per transaction: short enough that chats never wait long
T = TypeVar("T")
Sink = Callable[["Report"], None]  # takes each batch's part of a report as the sweep goes


@dataclass
class Report:
    """What a sweep did (or, in a dry run, would do): data; scheduler/jobs.py words it.

    With a `sink`, each batch's part goes there as the sweep goes, and the report keeps none
    (memory stays bounded however many participants there are).
    """

    sent: list[tuple[int, str, list[str]]] = field(default_factory=list)  # id, name, items
    dropped: list[tuple[int, str, str]] = field(default_factory=list)  # id, name, item
    queue_items: list[tuple[int, str, str]] = field(default_factory=list)  # id, name, what
    sink: Sink | None = None

    def extend(self, other: Report) -> None:
        """Add what another (part of a) sweep did (or pass it to the sink)."""
        if self.sink is not None:
            self.sink(other)
            return
        self.sent += other.sent
        self.dropped += other.dropped
        self.queue_items += other.queue_items


def describe(item: Item) -> str:
    """'declaration 2026-11 due-3' for logs and dry runs."""
    return rules.key_name(item.kind, item.period, item.stage)


class Memo(dict[tuple[Any, ...], T]):
    """Answers per kind of participant: whoever shares start date, submitted periods, recorded
    weeks and decided keys gets the same items, so the rules run once per kind, not per person.
    Bounded: cleared when full."""

    LIMIT = 20_000

    def remember(self, key: tuple[Any, ...], value: T) -> T:
        """Store and return `value`."""
        if len(self) >= self.LIMIT:
            self.clear()
        self[key] = value
        return value


Work = Callable[[Tx], Coroutine[Any, Any, T]]


async def _unit(db: Database, work: Work[T]) -> T:
    """`work` as one write transaction in one round trip (or a plain one if it needs the loop)."""
    return await db.run(work)


async def _batches(
    db: Database, dry_run: bool, work: Callable[[int, Tx], Coroutine[Any, Any, tuple[int, Report]]]
) -> AsyncIterator[Report]:
    """Run `work(after, tx)` batch by batch until it returns 0; the database is free in between.

    A dry run reads; a real run does each batch in one short write transaction (load, decide and
    write together, so what was read is what the exactly-once keys and the daily maximum see).
    """
    after = 0
    while True:
        if dry_run:
            async with db.read() as tx:
                after, part = await work(after, tx)
        else:
            after, part = await _unit(db, partial(work, after))
        yield part
        if not after:
            return
        await asyncio.sleep(0)  # chats (and the sender) get the database between batches


async def load_batch(
    tx: Tx,
    calendar: rules.Calendar,
    watch: rules.Watch,
    after: int,
    limit: int = BATCH_SIZE,
    reachable_only: bool = True,
) -> tuple[int, list[Candidate]]:
    """The next `limit` participants after `after` that `watch` keeps, with the sweep's facts."""
    return await store.load_batch(
        tx,
        after=after,
        limit=limit,
        periods=calendar.periods,
        weeks=calendar.weeks,
        today=calendar.today,
        watch=watch,
        reachable_only=reachable_only,
    )


async def sweep(
    db: Database,
    policy: Policy,
    now: datetime,
    triggers: Iterable[str] = rules.KINDS,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    sink: Sink | None = None,
) -> Report:
    """Send what is due for participants; `triggers` are the kinds that may start a push.

    Once a participant gets a push, everything else useful for them rides along in it, so two
    reminders due the same day become one message. Participants go in batches of `batch_size`,
    each batch one short transaction, so chats keep their turn at the database meanwhile.
    """
    wanted = tuple(triggers)
    calendar = rules.Calendar(policy, now)
    watch = calendar.watch(wanted)
    report = Report(sink=sink)
    if watch.empty:
        return report

    capped = policy.max_pushes_per_day
    plans: Memo[tuple[tuple[Item, ...], tuple[Item, ...]]] = Memo()

    def plan(who: Candidate) -> tuple[tuple[Item, ...], tuple[Item, ...]]:
        """(the push's items, the expired items) for a participant like this one."""
        like = (
            who.start_date,
            who.end_date,
            who.submitted,
            who.weeks,
            who.decided,
            who.pushes_today >= capped,
        )
        found = plans.get(like)
        if found is not None:
            return found
        facts = who.facts(0)  # the answer is the same for everyone of this kind
        useful = calendar.useful(facts, skip=who.decided)
        expired = calendar.expired(facts, wanted, skip=who.decided)
        push = calendar.plan(0, useful, who.pushes_today, wanted)
        return plans.remember(like, (push.items if push else (), tuple(expired)))

    async def work(after: int, tx: Tx) -> tuple[int, Report]:
        after, batch = await load_batch(tx, calendar, watch, after, batch_size)
        part = Report()
        planned = [(who, *plan(who)) for who in batch]
        if dry_run:
            for who, items, expired in planned:
                if items:
                    part.sent.append((who.person_id, who.name, [describe(i) for i in items]))
                part.dropped += [(who.person_id, who.name, describe(i)) for i in expired]
        else:
            await _write_batch(tx, now, planned, part)
        return after, part

    async for part in _batches(db, dry_run, work):
        if not dry_run:
            for pid, _, what in part.dropped:
                log.info("reminder dropped, its moment passed: %s (#%s)", what, pid)
        report.extend(part)
    return report


async def _write_batch(
    tx: Tx,
    now: datetime,
    planned: list[tuple[Candidate, tuple[Item, ...], tuple[Item, ...]]],
    report: Report,
) -> None:
    """Keys and outbox rows of a batch, in the caller's transaction (the one that read the
    batch: submitted periods and today's pushes are as current as the keys).

    Expired items get a 'dropped' key; each push gets one outbox row for the items whose
    'queued' key was new, with those keys pointing at it.
    """
    keys = [
        (who.person_id, item.kind, item.period, item.stage, status)
        for who, items, expired in planned
        for status, group in (("dropped", expired), ("queued", items))
        for item in group
    ]
    if not keys:
        return
    fresh = await store.insert_keys(tx, keys, local_day(now), now)
    links: list[tuple[int | None, int]] = []
    for who, items, expired in planned:
        pid = who.person_id
        for item in expired:
            if (pid, item.kind, item.period, item.stage) in fresh:
                report.dropped.append((pid, who.name, describe(item)))
        new = [
            (fresh[key], item)
            for item in items
            if (key := (pid, item.kind, item.period, item.stage)) in fresh
        ]
        if not new:
            continue
        sent = [item for _, item in new]
        outbox_id = await outbox.enqueue(
            tx,
            pid,
            PUSH_KEY,
            now,
            context={"name": who.name.split()[0], "items": [item_context(i) for i in sent]},
            buttons=push_buttons(sent),
            dedupe_key=f"reminder:{new[0][0]}",
        )
        links += [(outbox_id, key_id) for key_id, _ in new]
        report.sent.append((pid, who.name, [describe(i) for i in sent]))
    await store.link_keys(tx, links)


def item_context(item: Item) -> dict[str, Any]:
    """What the item's template needs: its own key and context."""
    return {"key": item.message_key, "kind": item.kind, "stage": item.stage, **item.ctx}


def push_buttons(items: Iterable[Item]) -> ButtonRows:
    """A button to open the declaration per period; hour buttons for a check-in."""
    rows: list[tuple[Button, ...]] = []
    for item in items:
        if item.kind == rules.DECLARATION:
            rows.append(
                (
                    Button(
                        f"decl:start:{item.period}",
                        "buttons/rem_decl_start",
                        ctx={"period": item.period},
                    ),
                )
            )
        elif item.kind == rules.HOURS:
            rows.append(
                tuple(Button(f"hours:{item.period}:{n}", text=str(n)) for n in rules.HOURS_CHOICES)
            )
            rows.append((Button(f"hours:{item.period}:other", "buttons/rem_hours_other"),))
    return tuple(rows)


async def escalate_overdue(
    db: Database,
    policy: Policy,
    now: datetime,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    sink: Sink | None = None,
) -> Report:
    """On due + `escalate_days_after_due`: a queue item for the klantmanager, once per period."""
    calendar = rules.Calendar(policy, now)
    watch = calendar.watch_overdue()
    report = Report(sink=sink)
    if calendar.quiet or watch.empty:
        return report
    periods: Memo[list[str]] = Memo()

    def overdue(who: Candidate) -> list[str]:
        found = periods.get((who.start_date, who.submitted))
        if found is None:
            found = periods.remember(
                (who.start_date, who.submitted), calendar.overdue(who.facts(0))
            )
        return found

    async def work(after: int, tx: Tx) -> tuple[int, Report]:
        after, batch = await load_batch(
            tx, calendar, watch, after, batch_size, reachable_only=False
        )
        part = Report()
        due = [
            (who, period, f"overdue:{who.person_id}:{period}")
            for who in batch
            for period in overdue(who)
        ]
        known = await store.known_queue_keys(tx, [key for _, _, key in due]) if dry_run else set()
        for who, period, key in due:
            pid = who.person_id
            if dry_run:
                if key not in known:
                    part.queue_items.append((pid, who.name, f"overdue {period}"))
            elif await queue.open_item(
                tx, now, pid, queue.OVERDUE, period=period, dedupe_key=key, policy=policy
            ):
                part.queue_items.append((pid, who.name, f"overdue {period}"))
        return after, part

    async for part in _batches(db, dry_run, work):
        report.extend(part)
    return report


async def trajectory_milestones(
    db: Database,
    policy: Policy,
    now: datetime,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    sink: Sink | None = None,
) -> Report:
    """Check-ins and end warnings to participants; end warnings to the klantmanager too."""
    report = await sweep(db, policy, now, (rules.TRAJECTORY,), dry_run, batch_size, sink)
    calendar = rules.Calendar(policy, now)
    if calendar.quiet:
        return report
    watch = calendar.watch_ending()
    warnings: Memo[list[Item]] = Memo()

    def ending(who: Candidate) -> list[Item]:
        found = warnings.get((who.start_date, who.end_date))
        if found is None:
            found = warnings.remember(
                (who.start_date, who.end_date), calendar.ending(who.facts(0))
            )
        return found

    async def work(after: int, tx: Tx) -> tuple[int, Report]:
        after, batch = await load_batch(
            tx, calendar, watch, after, batch_size, reachable_only=False
        )
        part = Report()
        due = [
            (who, item, f"trajectory-end:{who.person_id}:{item.period}:{item.stage}")
            for who in batch
            for item in ending(who)
        ]
        known = await store.known_queue_keys(tx, [key for _, _, key in due]) if dry_run else set()
        for who, item, key in due:
            pid = who.person_id
            what = f"trajectory ends {item.ctx['end']} ({item.stage})"
            if dry_run:
                if key not in known:
                    part.queue_items.append((pid, who.name, what))
            elif await queue.open_item(
                tx,
                now,
                pid,
                queue.TRAJECTORY_ENDING,
                dedupe_key=key,
                policy=policy,
                details={"end": item.ctx["end"], "days": item.ctx["days"]},
            ):
                part.queue_items.append((pid, who.name, what))
        return after, part

    async for part in _batches(db, dry_run, work):
        report.extend(part)
    return report
