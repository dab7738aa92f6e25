"""The outbox: pushes written in the same unit of work as their cause, sent later.

Writing (`enqueue`) happens in the cause's unit of work; the sender (`bot/outbox.py`) reads what
is due (`due_by_chat`), claims a row with a lease (`claim`), and records the outcome with the
functions below. Every outcome update is conditional on the claimant (`claimed_by`), and
`claim` only takes an unsent, unparked row whose lease ran out, so a row is sent exactly once.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import parse_utc, utc_iso
from bot.contract import ButtonRows, Reply, rows_from_data, rows_to_data
from bot.storage.unit import Row, Tx

ERROR_LIMIT = 500  # characters of a delivery error kept in `last_error`
EMAIL = "email"  # the `channel` of a row mailed to the person's address (NULL: their chat)


@dataclass(frozen=True)
class Pending:
    """An outbox row ready to send, with where it goes."""

    id: int
    person_id: int
    locale: str
    address: str
    identity_id: int
    reply: Reply
    attempts: int
    message_key: str = ""


async def enqueue(
    tx: Tx,
    person_id: int,
    message_key: str,
    now: datetime,
    *,
    context: Mapping[str, Any] | None = None,
    buttons: ButtonRows = (),
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
    attachment: str | None = None,
    channel: str | None = None,
) -> int | None:
    """Write a push to the outbox; None when `dedupe_key` was queued before (exactly once).

    `channel` None goes to the person's chat; `EMAIL` to their e-mail address."""
    return await tx.insert(
        "INSERT INTO outbox (person_id, dedupe_key, message_key, context, buttons, "
        "attachment, created_at, not_before, channel) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        (
            person_id,
            dedupe_key,
            message_key,
            json.dumps(dict(context or {}), default=str),
            json.dumps(rows_to_data(buttons)),
            attachment,
            utc_iso(now),
            utc_iso(not_before or now),
            channel,
        ),
    )


def _reply(row: Row) -> Reply:
    """The Reply stored in an outbox row."""
    buttons = rows_from_data(json.loads(row["buttons"]))
    context: dict[str, Any] = json.loads(row["context"])
    return Reply(row["message_key"], context, buttons, row["attachment"])


def _pending(row: Row) -> Pending:
    return Pending(
        row["id"],
        row["person_id"],
        row["locale"],
        row["address"],
        row["identity_id"],
        _reply(row),
        row["attempts"],
        row["message_key"],
    )


async def due_by_chat(tx: Tx, channel: str, now: datetime, limit: int) -> list[list[Pending]]:
    """Per chat on `channel`, the rows that may go out now, oldest first.

    A chat stops at a row that is held (it failed before and waits for its retry) or that is
    claimed by another sender; a row merely scheduled for later (`not_before`) does not block.
    Blocked chats, sent and parked rows are left out. One query for all chats. For the channel
    `EMAIL` these are the mail rows, by the person's address (identity id 0); the chat
    channels never see a mail row.
    """
    if channel == EMAIL:
        rows = await tx.all(
            "SELECT o.id, o.person_id, o.message_key, o.context, o.buttons, o.attachment, "
            "o.attempts, o.not_before, o.claimed_until, o.held, p.locale, p.email AS address, "
            "0 AS identity_id FROM outbox o JOIN people p ON p.id = o.person_id "
            "WHERE o.channel = ? AND o.sent_at IS NULL AND o.parked_at IS NULL "
            "AND p.email IS NOT NULL ORDER BY o.id LIMIT ?",
            (EMAIL, limit),
        )
    else:
        rows = await tx.all(
            "SELECT o.id, o.person_id, o.message_key, o.context, o.buttons, o.attachment, "
            "o.attempts, o.not_before, o.claimed_until, o.held, p.locale, ci.address, "
            "ci.id AS identity_id FROM outbox o "
            "JOIN people p ON p.id = o.person_id "
            "JOIN channel_identities ci ON ci.person_id = o.person_id AND ci.channel = ? "
            "WHERE o.sent_at IS NULL AND o.parked_at IS NULL AND ci.blocked = 0 "
            "AND o.channel IS NULL "
            # A person with chats on several channels gets pushes on one: the channel they
            # chose (/kanaal), else the chat they wrote on last; not `ci` when another
            # unblocked chat of theirs is that one.
            "AND NOT EXISTS (SELECT 1 FROM channel_identities oc "
            "WHERE oc.person_id = o.person_id AND oc.id <> ci.id AND oc.blocked = 0 "
            "AND CASE WHEN p.chat_channel IS NOT NULL AND EXISTS (SELECT 1 FROM "
            "channel_identities pc WHERE pc.person_id = o.person_id "
            "AND pc.channel = p.chat_channel AND pc.blocked = 0) "
            "THEN oc.channel = p.chat_channel "
            "ELSE (COALESCE(oc.last_inbound_at, oc.created_at), oc.id) "
            "> (COALESCE(ci.last_inbound_at, ci.created_at), ci.id) END) "
            "ORDER BY o.id LIMIT ?",
            (channel, limit),
        )
    chats: OrderedDict[int, list[Pending]] = OrderedDict()
    stopped: set[int] = set()
    for r in rows:
        person = r["person_id"]
        if person in stopped:
            continue
        claimed = r["claimed_until"] is not None and parse_utc(r["claimed_until"]) > now
        not_yet = parse_utc(r["not_before"]) > now
        if claimed or (not_yet and r["held"]):
            stopped.add(person)
            continue
        if not_yet:
            continue
        chats.setdefault(person, []).append(_pending(r))
    return list(chats.values())


async def reply_of(tx: Tx, outbox_id: int) -> tuple[Reply, str] | None:
    """The Reply a row holds and its person's language (to send it again another way)."""
    row = await tx.one(
        "SELECT o.message_key, o.context, o.buttons, o.attachment, p.locale FROM outbox o "
        "JOIN people p ON p.id = o.person_id WHERE o.id = ?",
        (outbox_id,),
    )
    return None if row is None else (_reply(row), str(row["locale"]))


async def claim(tx: Tx, outbox_id: int, owner: str, now: datetime, until: datetime) -> bool:
    """Take a lease on an unsent, unparked row until `until`; False when someone else has it.

    PostgreSQL skips a row another sender is claiming right now (`FOR UPDATE SKIP LOCKED`,
    `bot/storage/postgres/outbox.py`); SQLite has one writer at a time, so nobody is."""
    if tx.dialect == "postgresql":
        from bot.storage.postgres.outbox import claim as claim_skipping_locked

        return await claim_skipping_locked(tx, outbox_id, owner, now, until)
    changed = await tx.execute(
        "UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE id = ? "
        "AND sent_at IS NULL AND parked_at IS NULL "
        "AND (claimed_until IS NULL OR claimed_until <= ?)",
        (owner, utc_iso(until), outbox_id, utc_iso(now)),
    )
    return changed > 0


async def mark_sent(tx: Tx, outbox_id: int, owner: str, now: datetime) -> bool:
    """Record a delivery by the claimant; False when the lease was lost (nothing changed)."""
    marked = await tx.execute(
        "UPDATE outbox SET sent_at = ?, claimed_by = NULL, claimed_until = NULL, "
        "held = 0 WHERE id = ? AND claimed_by = ?",
        (utc_iso(now), outbox_id, owner),
    )
    return marked > 0


async def hold(tx: Tx, outbox_id: int, owner: str, retry_at: datetime, error: str) -> None:
    """Give the row back to retry at `retry_at`, holding back the later rows of its chat."""
    await tx.execute(
        "UPDATE outbox SET held = 1, not_before = ?, last_error = ?, claimed_by = NULL, "
        "claimed_until = NULL WHERE id = ? AND claimed_by = ?",
        (utc_iso(retry_at), error[:ERROR_LIMIT], outbox_id, owner),
    )


async def release_blocked(tx: Tx, outbox_id: int, owner: str) -> None:
    """Give the row back unsent because its chat blocked the bot."""
    await tx.execute(
        "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL, last_error = ? "
        "WHERE id = ? AND claimed_by = ?",
        ("blocked", outbox_id, owner),
    )


async def record_failure(
    tx: Tx,
    outbox_id: int,
    owner: str,
    *,
    attempts: int,
    error: str,
    retry_at: datetime,
    parked_at: datetime | None,
) -> None:
    """Count a failed attempt: held until `retry_at`, or parked (given up) at `parked_at`."""
    await tx.execute(
        "UPDATE outbox SET attempts = ?, held = ?, last_error = ?, not_before = ?, "
        "parked_at = ?, claimed_by = NULL, claimed_until = NULL "
        "WHERE id = ? AND claimed_by = ?",
        (
            attempts,
            0 if parked_at is not None else 1,
            error[:ERROR_LIMIT],
            utc_iso(retry_at),
            None if parked_at is None else utc_iso(parked_at),
            outbox_id,
            owner,
        ),
    )


# --- Cards edited in place: the channel's message id of a row, and rows that edit it ---------


async def enqueue_edit(
    tx: Tx,
    person_id: int,
    message_key: str,
    now: datetime,
    *,
    edit_of: int,
    context: Mapping[str, Any],
    buttons: ButtonRows,
    dedupe_key: str,
) -> int | None:
    """Write a row that edits the message row `edit_of` became; None when queued before."""
    return await tx.insert(
        "INSERT INTO outbox (person_id, dedupe_key, message_key, context, buttons, "
        "created_at, not_before, edit_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        (
            person_id,
            dedupe_key,
            message_key,
            json.dumps(dict(context), default=str),
            json.dumps(rows_to_data(buttons)),
            utc_iso(now),
            utc_iso(now),
            edit_of,
        ),
    )


async def rows_by_key_prefix(tx: Tx, prefix: str) -> list[tuple[int, int]]:
    """The (id, person id) of the rows whose dedupe key starts with `prefix` and that edit
    nothing themselves (a card as first sent), oldest first."""
    rows = await tx.all(
        "SELECT id, person_id FROM outbox WHERE substr(dedupe_key, 1, ?) = ? "
        "AND edit_of IS NULL ORDER BY id",
        (len(prefix), prefix),
    )
    return [(int(r["id"]), int(r["person_id"])) for r in rows]


async def edit_target(tx: Tx, outbox_id: int) -> tuple[int, str | None] | None:
    """For a row that edits: (the row it edits, that row's channel message id); else None."""
    row = await tx.one(
        "SELECT o.edit_of, t.channel_message_id FROM outbox o "
        "LEFT JOIN outbox t ON t.id = o.edit_of WHERE o.id = ? AND o.edit_of IS NOT NULL",
        (outbox_id,),
    )
    if row is None:
        return None
    return int(row["edit_of"]), row["channel_message_id"]


async def set_message_id(tx: Tx, outbox_id: int, message_id: str) -> None:
    """Remember the channel's id of the message a row became (an edit of it targets this)."""
    await tx.execute(
        "UPDATE outbox SET channel_message_id = ? WHERE id = ?", (message_id, outbox_id)
    )


async def forget_context(tx: Tx, outbox_id: int) -> None:
    """Drop what a row said (a mail once delivered or parked), keeping its send record."""
    await tx.execute("UPDATE outbox SET context = '{}' WHERE id = ?", (outbox_id,))


# --- Retention: the copies a purge takes away -------------------------------------------------

# The dedupe keys that name the queue item a row is about (`queue-card:<item>:<recipient>`,
# `queue-fix:<item>:<history>`, an urgent mail `mail-item:<item>:<recipient>`).
_ITEM_KEYS = ("queue-card:", "queue-fix:", "mail-item:")
_HAS_PAYLOAD = "(context != '{}' OR buttons != '[]' OR attachment IS NOT NULL)"
_UNSENT = "(sent_at IS NULL AND parked_at IS NULL)"
PURGED = "purged"  # `last_error` of a row withheld because what it was about was purged


@dataclass(frozen=True)
class Copy:
    """An outbox row that still carries a payload: its id, whether it went out, its item."""

    id: int
    unsent: bool
    old: bool  # queued before the cutoff
    item_id: int | None


def _item_of(dedupe_key: str | None) -> int | None:
    for prefix in _ITEM_KEYS:
        if dedupe_key and dedupe_key.startswith(prefix):
            head = dedupe_key[len(prefix) :].split(":", 1)[0]
            return int(head) if head.isdigit() else None
    return None


async def copies(tx: Tx, before: datetime, reminder_ids: Sequence[int] = ()) -> list[Copy]:
    """Rows with a payload that a purge may have to take: those about a queue item, those
    queued before `before`, and the rows `reminder_ids`; the caller decides which go."""
    marks = ", ".join("?" for _ in reminder_ids) or "NULL"
    rows = await tx.all(
        f"SELECT id, dedupe_key, {_UNSENT} AS unsent, created_at < ? AS old "  # noqa: S608
        "FROM outbox "
        f"WHERE ({_HAS_PAYLOAD} OR {_UNSENT}) AND (dedupe_key LIKE 'queue-card:%' "
        "OR dedupe_key LIKE 'queue-fix:%' OR dedupe_key LIKE 'mail-item:%' "
        f"OR created_at < ? OR id IN ({marks})) ORDER BY id",
        (utc_iso(before), utc_iso(before), *reminder_ids),
    )
    return [
        Copy(int(r["id"]), bool(r["unsent"]), bool(r["old"]), _item_of(r["dedupe_key"]))
        for r in rows
    ]


async def scrub(tx: Tx, outbox_ids: Sequence[int], now: datetime) -> None:
    """Take the payload of these rows, keeping what a send log needs (id, person, message key,
    times, status); a row not sent yet is parked as `purged`, so it is never sent."""
    await tx.executemany(
        "UPDATE outbox SET context = '{}', buttons = '[]', attachment = NULL, "  # noqa: S608
        f"last_error = CASE WHEN {_UNSENT} THEN ? ELSE NULL END, "
        f"parked_at = CASE WHEN {_UNSENT} THEN ? ELSE parked_at END, "
        "claimed_by = NULL, claimed_until = NULL, held = 0 WHERE id = ?",
        [(PURGED, utc_iso(now), i) for i in outbox_ids],
    )
