"""Which chat a person is reached on: when they last wrote there, the channel they chose, and
what a channel reported about a sent message (WhatsApp's status webhooks)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import parse_utc, utc_iso
from bot.storage.unit import Tx


async def touch(tx: Tx, identity_id: int, now: datetime) -> None:
    """The person wrote on this chat just now."""
    await tx.execute(
        "UPDATE channel_identities SET last_inbound_at = ? WHERE id = ?",
        (utc_iso(now), identity_id),
    )


async def last_inbound(tx: Tx, channel: str, address: str) -> datetime | None:
    """When the person on this chat last wrote, None when never (or unknown chat)."""
    row = await tx.one(
        "SELECT last_inbound_at FROM channel_identities WHERE channel = ? AND address = ?",
        (channel, address),
    )
    if row is None or row["last_inbound_at"] is None:
        return None
    return parse_utc(row["last_inbound_at"])


async def set_preferred(tx: Tx, person_id: int, channel: str | None) -> None:
    """The chat channel pushes go to (None: the one the person used last)."""
    await tx.execute("UPDATE people SET chat_channel = ? WHERE id = ?", (channel, person_id))


async def preferred(tx: Tx, person_id: int) -> str | None:
    """The chat channel the person chose, or None."""
    row = await tx.one("SELECT chat_channel FROM people WHERE id = ?", (person_id,))
    return None if row is None else row["chat_channel"]


async def channels_of(tx: Tx, person_id: int) -> list[str]:
    """The chat channels this person is bound on, by name."""
    rows = await tx.all(
        "SELECT channel FROM channel_identities WHERE person_id = ? ORDER BY channel",
        (person_id,),
    )
    return [str(r["channel"]) for r in rows]


@dataclass(frozen=True)
class StatusTarget:
    """The outbox row a channel's message id belongs to, and where it went."""

    outbox_id: int
    person_id: int
    message_key: str


async def record_status(tx: Tx, message_id: str, status: str, at: datetime) -> StatusTarget | None:
    """Record a delivery status on the outbox row that became `message_id`; None when no row
    did (a direct reply: those are not in the outbox). A later `read` never goes back."""
    row = await tx.one(
        "SELECT id, person_id, message_key, delivery_status FROM outbox "
        "WHERE channel_message_id = ?",
        (message_id,),
    )
    if row is None:
        return None
    order = ("sent", "delivered", "read")
    current = row["delivery_status"]
    if not (current in order and status in order and order.index(status) < order.index(current)):
        await tx.execute(
            "UPDATE outbox SET delivery_status = ?, delivery_status_at = ? WHERE id = ?",
            (status, utc_iso(at), row["id"]),
        )
    return StatusTarget(int(row["id"]), int(row["person_id"]), str(row["message_key"]))


FOLLOW_UP_DAYS = 30


async def add_follow_up(tx: Tx, message_id: str, now: datetime) -> None:
    """The push that became `message_id` went as a template: send it in full when the person
    writes next (forgets unanswered ones older than `FOLLOW_UP_DAYS`)."""
    await tx.execute(
        "DELETE FROM template_follow_ups WHERE created_at < ?",
        (utc_iso(now - timedelta(days=FOLLOW_UP_DAYS)),),
    )
    await tx.execute(
        "INSERT INTO template_follow_ups (message_id, created_at) VALUES (?, ?) "
        "ON CONFLICT DO NOTHING",
        (message_id, utc_iso(now)),
    )


async def take_follow_ups(tx: Tx, channel: str, address: str) -> list[int]:
    """The outbox rows sent as templates to this chat and not followed up yet, oldest first;
    they are taken (each once)."""
    rows = await tx.all(
        "SELECT o.id, f.message_id FROM template_follow_ups f "
        "JOIN outbox o ON o.channel_message_id = f.message_id "
        "JOIN channel_identities ci ON ci.person_id = o.person_id "
        "WHERE ci.channel = ? AND ci.address = ? ORDER BY o.id",
        (channel, address),
    )
    for row in rows:
        await tx.execute(
            "DELETE FROM template_follow_ups WHERE message_id = ?", (row["message_id"],)
        )
    return [int(r["id"]) for r in rows]
