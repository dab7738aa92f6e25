"""The klantmanager's weekly digest: gather each caseload's figures and queue the chat parts.

Entry point for the scheduler (the Monday job):

    async def weekly_digests(db: Database, policy: Policy, now: datetime) -> int

It enqueues each klantmanager's chat digest (split to fit Telegram's 4,096 characters) into the
outbox, exactly once per klantmanager and ISO week (dedupe_key f"digest:{km_id}:{iso_week}"), and
returns how many klantmanagers got one. A re-run in the same week does nothing. A klantmanager
with an e-mail address also gets the digest by mail when mail is configured (`bot.services.mail`):
one outbox row on the e-mail channel with the HTML page and the text, under its own exactly-once
key (`mail.digest_key`), so a second run mails nothing either.

`build_digest` gathers the figures for one klantmanager (own caseload plus delegated caseloads).
The rules (what is late, a big change, ...) are in `bot.domain.digest`; the rendering (chat
parts, the A4 page) in `messages.digest`.

Speed (issue 6, P4): `weekly_digests` works through the klantmanagers in batches of
`BATCH_KLANTMANAGERS`. Per batch, one short read (a few set-based queries in the database thread)
loads every caseload of the batch as participants' facts, the digests are computed and rendered
on the event loop (which yields between klantmanagers, so other chats keep getting answers), and
one short write stores all their chat parts in one statement. The database is never held while
computing or rendering the digests.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from itertools import chain
from operator import itemgetter
from typing import Any

from bot.clock import utc_iso
from bot.domain.circumstances import ReportedChange
from bot.domain.digest import (
    CORRECTION_WAIT,
    Calendar,
    Facts,
    Waiting,
    Window,
    assemble,
    window_for,
)
from bot.domain.localtime import local_day
from bot.domain.models import Person, Role
from bot.domain.policy import Policy
from bot.services import access, mail, outcomes
from bot.services.queue import AFGEHANDELD, CORRECTIE_GEVRAAGD
from bot.storage import caseload, circumstances, digests
from bot.storage.digests import Push
from bot.storage.outbox import EMAIL
from bot.storage.unit import Database, Tx

__all__ = [
    "BATCH_KLANTMANAGERS",
    "ChatParts",
    "Window",
    "build_digest",
    "weekly_digests",
    "window_for",
]

# Renders one digest as chat parts in a locale. The Monday run stores rendered parts (a digest
# is read in the language of that week), so its caller hands in the renderer of messages/ —
# services themselves never render.
ChatParts = Callable[[dict[str, Any], str], list[str]]
# Renders one digest for a mail in a locale: {"html": the page, "text": the plain text}.
MailParts = Callable[[dict[str, Any], str], dict[str, str]]

BATCH_KLANTMANAGERS = 25  # per database round trip: ~1,250 participants, tens of ms of SQLite


async def build_digest(
    tx: Tx, policy: Policy, klantmanager: Person, window: Window
) -> dict[str, Any]:
    """Everything the digest shows for this klantmanager's caseloads (as a template context).

    The one-klantmanager path (`ptobot digest`): it reads through the access checks and the full
    participant facts; `weekly_digests` reaches the same figures with set-based batch queries.
    """
    viewer = Person(klantmanager.id, klantmanager.name, Role.KLANTMANAGER, klantmanager.locale)
    visible = await access.visible_participants(tx, viewer, window.as_of)
    facts = [
        f
        for f in await caseload.load_facts(tx, policy, [p[0] for p in visible])
        if f.status == "active"
    ]
    ids = [f.id for f in facts]
    before = utc_iso(window.as_of - CORRECTION_WAIT)
    waiting = await caseload.waiting_corrections(tx, ids, CORRECTIE_GEVRAAGD, before)
    open_count = await caseload.open_items(tx, ids, AFGEHANDELD)
    reported = await circumstances.open_reported(tx, ids, AFGEHANDELD)
    calendar = Calendar.of(policy, window.as_of)
    figures = assemble(
        policy, klantmanager, window, calendar, facts, waiting, open_count, reported
    )
    figures["outcome_years"] = await outcomes.year_summaries(  # issue 17
        tx, policy, [p[0] for p in visible], outcomes.digest_years(calendar.day)
    )
    return figures


def _key(klantmanager_id: int, week: str) -> str:
    return f"digest:{klantmanager_id}:{week}"


@dataclass
class _Batch:
    """One batch of klantmanagers (by id) and the facts of all the caseloads they work on."""

    last_id: int | None = None  # the highest klantmanager id looked at; None when none were left
    todo: list[Person] = field(default_factory=list)  # those without this week's digest yet
    sent: set[str] = field(default_factory=set)  # their digest keys queued before (chat, mail)
    owners: dict[int, list[int]] = field(default_factory=dict)  # whose caseloads each works on
    facts: list[Facts] = field(default_factory=list)  # every participant of those, by name
    waiting: list[Waiting] = field(default_factory=list)  # corrections, oldest first
    open_count: dict[int, int] = field(default_factory=dict)
    outcome_data: outcomes.YearData | None = None  # outcomes per year, every status (issue 17)
    reported: list[ReportedChange] = field(default_factory=list)  # changes still open
    _by_owner: dict[int, list[tuple[int, Facts]]] = field(default_factory=dict)

    def sort_facts(self) -> None:
        """The active participants' Facts by owner (outside the database)."""
        self._by_owner = {}
        for index, f in enumerate(self.facts):
            if f.status == "active" and f.klantmanager_id is not None:
                self._by_owner.setdefault(f.klantmanager_id, []).append((index, f))

    def caseload(self, klantmanager_id: int) -> tuple[list[Facts], list[Waiting]]:
        """One klantmanager's active participants (by name) and corrections (oldest first)."""
        owners = self.owners[klantmanager_id]
        found = [self._by_owner.get(owner, []) for owner in owners]
        if len(found) > 1:
            found = [sorted(chain.from_iterable(found), key=itemgetter(0))]
        facts = [f for _, f in found[0]]
        if not self.waiting:
            return facts, []
        ids = {f.id for f in facts}
        return facts, [w for w in self.waiting if w.participant_id in ids]


def _mail_key(klantmanager: Person, week: str, mails: bool) -> str | None:
    """The digest mail's key when this klantmanager gets one (an address, mail configured)."""
    return mail.digest_key(klantmanager.id, week) if mails and klantmanager.email else None


async def _load_batch(
    tx: Tx,
    policy: Policy,
    window: Window,
    cal: Calendar,
    after_id: int,
    size: int,
    mails: bool = False,
) -> _Batch:
    """The next `size` klantmanagers after `after_id` and their caseloads, set-based."""
    klantmanagers = await digests.klantmanagers_after(tx, after_id, size)
    if not klantmanagers:
        return _Batch()
    batch = _Batch(last_id=klantmanagers[-1].id)
    keys = [_key(p.id, window.week) for p in klantmanagers]
    mail_keys = [_mail_key(p, window.week, mails) for p in klantmanagers]
    batch.sent = sent = await digests.queued(tx, keys + [k for k in mail_keys if k])
    batch.todo = [
        p
        for p, key, mail_key in zip(klantmanagers, keys, mail_keys, strict=True)
        if key not in sent or (mail_key is not None and mail_key not in sent)
    ]
    if not batch.todo:
        return batch
    ids = [p.id for p in batch.todo]
    batch.owners = {i: [i] for i in ids}
    for to_id, from_id in await digests.delegators(tx, ids, local_day(window.as_of)):
        batch.owners[to_id].append(from_id)
    owners = sorted({o for found in batch.owners.values() for o in found})
    batch.facts = await caseload.caseload_facts(
        tx, policy, owners, cal.since_period, cal.since_week
    )
    before = utc_iso(window.as_of - CORRECTION_WAIT)
    batch.waiting = await caseload.caseload_waiting(tx, owners, CORRECTIE_GEVRAAGD, before)
    batch.open_count = await caseload.caseload_open_items(tx, owners, AFGEHANDELD)
    batch.outcome_data = await outcomes.load_years(
        tx, [f.id for f in batch.facts], outcomes.digest_years(cal.day)
    )
    active = [f.id for f in batch.facts if f.status == "active"]
    batch.reported = await circumstances.open_reported(tx, active, AFGEHANDELD)
    return batch


def _pushes(klantmanager_id: int, key: str, parts: list[str]) -> list[Push]:
    """The chat parts as outbox pushes; the first one carries the digest's dedupe key."""
    return [
        Push(
            klantmanager_id,
            key if number == 0 else f"{key}:{number}",
            "digest/chat_part",
            {"text": part},
        )
        for number, part in enumerate(parts)
    ]


async def _store(tx: Tx, found: list[tuple[str, list[Push]]], now: datetime) -> int:
    """Write the digests not queued yet (checked again inside this transaction); how many chat
    digests (a mail is written beside its chat digest and not counted)."""
    sent = await digests.queued(tx, [key for key, _ in found])
    fresh = [pushes for key, pushes in found if key not in sent]
    await digests.enqueue_many(tx, chain.from_iterable(fresh), now)
    return sum(pushes[0].channel is None for pushes in fresh)


def _mail_push(klantmanager_id: int, key: str, parts: dict[str, str], week: str) -> Push:
    """The digest mail as one outbox push on the e-mail channel."""
    context = {"week": week, "url": mail.link("/weekoverzicht"), **parts}
    return Push(klantmanager_id, key, mail.DIGEST, context, EMAIL)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while one batch is worked on.

    A batch keeps ~50,000 small objects alive (facts, months, dicts) until it ends, and the
    collector would walk them again and again (a tenth to a quarter of the P4 benchmark).
    Nothing here makes reference cycles, so reference counting frees it all; the collector is
    back as it was at the end of the batch, well within a second.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


async def weekly_digests(
    db: Database,
    policy: Policy,
    now: datetime,
    *,
    render: ChatParts,
    render_mail: MailParts | None = None,
    batch_size: int = BATCH_KLANTMANAGERS,
) -> int:
    """Enqueue every klantmanager's digest for now's ISO week, exactly once; returns how many.

    With `render_mail`, and mail configured, a klantmanager with an address gets it by mail too.
    """
    window = window_for(policy, now)
    cal = Calendar.of(policy, window.as_of)
    mailer = render_mail if mail.configured() else None
    sent = 0
    after: int | None = 0
    while after is not None:
        with _collector_paused():
            after, count = await _next_batch(
                db, policy, now, window, cal, after, batch_size, render, mailer
            )
        sent += count
    return sent


async def _next_batch(
    db: Database,
    policy: Policy,
    now: datetime,
    window: Window,
    cal: Calendar,
    after: int,
    size: int,
    render: ChatParts,
    render_mail: MailParts | None = None,
) -> tuple[int | None, int]:
    """Digest the next batch of klantmanagers: (the last id looked at, None when done; sent).

    One read and one write round trip to the database; between klantmanagers the event loop
    serves other chats.
    """
    load = partial(
        _load_batch,
        policy=policy,
        window=window,
        cal=cal,
        after_id=after,
        size=size,
        mails=render_mail is not None,
    )
    batch = await db.run(load)
    if batch.last_id is None:
        return None, 0
    batch.sort_facts()
    found: list[tuple[str, list[Push]]] = []
    for klantmanager in batch.todo:
        facts, waiting = batch.caseload(klantmanager.id)
        if not facts:
            continue
        figures = assemble(
            policy, klantmanager, window, cal, facts, waiting, batch.open_count, batch.reported
        )
        if batch.outcome_data is not None:  # issue 17: outcomes per year next to the KPI
            mine = set(batch.owners[klantmanager.id])
            ids = {f.id for f in batch.facts if f.klantmanager_id in mine}
            figures["outcome_years"] = outcomes.summaries(policy, batch.outcome_data, ids)
        key = _key(klantmanager.id, window.week)
        if key not in batch.sent:
            parts = render(figures, klantmanager.locale)
            found.append((key, _pushes(klantmanager.id, key, parts)))
        mail_key = _mail_key(klantmanager, window.week, render_mail is not None)
        if render_mail is not None and mail_key is not None and mail_key not in batch.sent:
            mail_parts = render_mail(figures, klantmanager.locale)
            push = _mail_push(klantmanager.id, mail_key, mail_parts, window.week)
            found.append((mail_key, [push]))
        await asyncio.sleep(0)  # let other chats in between klantmanagers
    if not found:
        return batch.last_id, 0
    return batch.last_id, await db.run(partial(_store, found=found, now=now))
