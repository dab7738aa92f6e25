"""Builders for queue, digest and export tests: people, declarations in the shared shape, a fake
transport that records what the outbox sender delivers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.app import App
from bot.channels.base import NotEditable, Outgoing
from bot.channels.ratelimit import RateLimiter
from bot.clock import utc_iso
from bot.domain.models import Household, Person, Role
from bot.outbox import drain_once
from bot.services import queue
from bot.storage import participants, people
from bot.storage import queue as queue_items
from bot.storage.unit import Tx

KIM, KARIN, CAS = "Kim Klantmanager", "Karin Klantmanager", "Cas Coach"
AYLA, BRAM, DIRK = "Ayla Voorbeeld", "Bram Voorbeeld", "Dirk Anders"


@dataclass
class RecordingTransport:
    """Stands in for Telegram: records (chat, message) instead of sending, and edits of sent
    messages (chat, message id, message) apart; `editable` False makes every edit fail."""

    name: str = "telegram"
    sent: list[tuple[str, Outgoing]] = field(default_factory=list)
    edits: list[tuple[str, str, Outgoing]] = field(default_factory=list)
    editable: bool = True

    async def deliver(self, address: str, message: Outgoing) -> str:
        """Record the delivery; its message id is its number."""
        self.sent.append((address, message))
        return str(len(self.sent))

    async def edit(self, address: str, message_id: str, message: Outgoing) -> None:
        """Record the edit of message `message_id`."""
        if not self.editable:
            raise NotEditable("message to edit not found")
        self.edits.append((address, message_id, message))

    def edited(self, chat: str) -> list[Outgoing]:
        """The edits made in one chat."""
        return [m for a, _, m in self.edits if a == chat]

    def to(self, chat: str) -> list[Outgoing]:
        """What reached one chat."""
        return [m for a, m in self.sent if a == chat]


class _NoWait:
    def __init__(self) -> None:
        self.t = 0.0

    def monotonic(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += seconds


async def drain(app: App, transport: RecordingTransport, now: datetime) -> int:
    """Deliver everything due, with a rate limiter on a fake monotonic clock (no real waiting)."""
    fake = _NoWait()
    limiter = RateLimiter(monotonic=fake.monotonic, sleep=fake.sleep)
    return await drain_once(app.services.db, transport, now, 8, limiter=limiter)


async def person(
    tx: Tx,
    now: datetime,
    name: str,
    role: Role,
    chat: str | None = None,
    *,
    klantmanager: int | None = None,
    coach: int | None = None,
    start: date = date(2026, 6, 1),
    household: Household = Household.ALLEENSTAANDE,
    locale: str = "nl",
) -> int:
    """Insert a person (and participant details for participants), bound to `chat` if given."""
    pid = await people.insert_person(tx, name, role, now, locale)
    if role == Role.PARTICIPANT:
        await participants.insert_participant(tx, pid, klantmanager, coach, start, household)
    if chat is not None:
        await people.bind_identity(tx, "telegram", chat, pid, now)
    return pid


CHATS = {KIM: "7001", KARIN: "7002", CAS: "7003", AYLA: "7004", BRAM: "7005", DIRK: "7006"}


async def caseloads(app: App, now: datetime) -> dict[str, int]:
    """Kim (Ayla, Bram), Karin (Dirk), coach Cas (Ayla, Dirk); all bound to chats. Name → id."""
    async with app.services.db.transaction() as tx:
        ids = {
            KIM: await person(tx, now, KIM, Role.KLANTMANAGER, CHATS[KIM]),
            KARIN: await person(tx, now, KARIN, Role.KLANTMANAGER, CHATS[KARIN]),
            CAS: await person(tx, now, CAS, Role.COACH, CHATS[CAS]),
        }
        ids[AYLA] = await person(
            tx, now, AYLA, Role.PARTICIPANT, CHATS[AYLA], klantmanager=ids[KIM], coach=ids[CAS]
        )
        ids[BRAM] = await person(
            tx, now, BRAM, Role.PARTICIPANT, CHATS[BRAM], klantmanager=ids[KIM]
        )
        ids[DIRK] = await person(
            tx, now, DIRK, Role.PARTICIPANT, CHATS[DIRK], klantmanager=ids[KARIN], coach=ids[CAS]
        )
    return ids


async def declaration(
    tx: Tx,
    now: datetime,
    participant_id: int,
    period: str,
    *,
    version: int = 1,
    revenue: int = 125_050,
    costs: int = 20_000,
    hours: float = 40.0,
    flags: list[dict[str, Any]] | None = None,
    reason: str | None = None,
    submitted: datetime | None = None,
) -> int:
    """Insert a declaration row in the shape the brief fixes; returns its id."""
    seq = int(await tx.scalar("SELECT COUNT(*) FROM declarations") or 0) + 1
    data = {
        "costs": [{"category": "overig", "amount_cents": costs}] if costs else [],
        "weeks": [],
        "note": None,
        "proof_count": 0,
        "no_proof": False,
    }
    new_id = await tx.insert(
        "INSERT INTO declarations (participant_id, period, version, reference, worked, "
        "revenue_cents, costs_cents, hours, data, flags, reason, submitted_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            participant_id,
            period,
            version,
            f"PTO-{period}-{seq:04d}",
            int(revenue > 0 or hours > 0),
            revenue,
            costs,
            hours,
            json.dumps(data),
            json.dumps(flags or []),
            reason,
            utc_iso(submitted or now),
        ),
    )
    if new_id is None:
        raise RuntimeError("declaration not inserted")
    return new_id


async def submit(
    app: App, now: datetime, participant_id: int, period: str, **kwargs: Any
) -> tuple[int, int | None]:
    """Insert a declaration and open its queue item, as the declaration service does."""
    async with app.services.db.transaction() as tx:
        version = int(
            await tx.scalar(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM declarations "
                "WHERE participant_id = ? AND period = ?",
                (participant_id, period),
            )
        )
        decl_id = await declaration(tx, now, participant_id, period, version=version, **kwargs)
        item_id = await queue.open_item(
            tx,
            now,
            participant_id,
            queue.CORRECTED if version > 1 else queue.SUBMITTED,
            declaration_id=decl_id,
            period=period,
            dedupe_key=f"declaration:{decl_id}",
            policy=app.services.policy,
        )
    return decl_id, item_id


async def proof(
    app: App, now: datetime, participant_id: int, period: str, decl_id: int, name: str
) -> Path:
    """Store a small proof file linked to a declaration."""
    folder = app.services.settings.proof_dir / str(participant_id) / period
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"%PDF-1.4 invented")
    async with app.services.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO proofs (participant_id, period, declaration_id, sha256, path, mime, "
            "size, original_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                participant_id,
                period,
                decl_id,
                name,
                str(path),
                "application/pdf",
                17,
                name,
                utc_iso(now),
            ),
        )
    return path


async def item(app: App, item_id: int | None) -> dict[str, Any]:
    """A queue item row as a dict, its state as read (a superseded item: 'vervangen')."""
    if item_id is None:
        raise LookupError(item_id)
    async with app.services.db.read() as tx:
        row = await tx.one("SELECT * FROM queue_items WHERE id = ?", (item_id,))
        shown = await queue_items.by_id(tx, item_id)
    if row is None or shown is None:
        raise LookupError(item_id)
    return {**dict(zip(row.keys(), tuple(row), strict=True)), "state": shown.state}


async def who(app: App, name: str) -> Person:
    """A person by name."""
    async with app.services.db.read() as tx:
        found = await people.person_by_name(tx, name)
    if found is None:
        raise LookupError(name)
    return found
