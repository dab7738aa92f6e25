"""Builders for tests: invented people, invites and inbound events."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from itertools import count

from bot.app import App
from bot.contract import FileIn, Inbound, Kind
from bot.domain.models import Household, Role
from bot.services import onboarding
from bot.storage.sqlite.db import Database
from tests.pg_cluster import POSTGRES_INTEGRITY

_updates = count(1)

# A constraint the database refused (unique, foreign key, check), on either backend.
INTEGRITY_ERRORS: tuple[type[Exception], ...] = (sqlite3.IntegrityError, POSTGRES_INTEGRITY)


def command(address: str, text: str, channel: str = "telegram") -> Inbound:
    """A typed command like '/start abc'."""
    head, _, args = text.partition(" ")
    return Inbound(
        channel,
        address,
        Kind.COMMAND,
        str(next(_updates)),
        text=text,
        command=head[1:].lower(),
        args=args.strip(),
    )


def text(address: str, body: str, channel: str = "telegram") -> Inbound:
    """A typed message."""
    return Inbound(channel, address, Kind.TEXT, str(next(_updates)), text=body)


def button(address: str, data: str, channel: str = "telegram") -> Inbound:
    """A pressed inline button."""
    return Inbound(channel, address, Kind.BUTTON, str(next(_updates)), button=data)


def photo(address: str, data: bytes, channel: str = "telegram") -> Inbound:
    """A photo."""
    return Inbound(
        channel,
        address,
        Kind.FILE,
        str(next(_updates)),
        file=FileIn("photo", "image/jpeg", len(data), data),
    )


def other(address: str, kind: Kind, channel: str = "telegram") -> Inbound:
    """A sticker, voice note (UNSUPPORTED) or an edited message (EDITED)."""
    return Inbound(channel, address, kind, str(next(_updates)))


async def invite(app: App, name: str, role: Role, now: datetime, **kwargs: object) -> str:
    """Create an invite and return its code."""
    async with app.services.db.transaction() as tx:
        made = await onboarding.create_invite(tx, now, role=role, name=name, ttl_days=14, **kwargs)  # type: ignore[arg-type]
    return made.code


async def caseload(app: App, now: datetime) -> dict[str, str]:
    """A klantmanager, a coach and two participants, each bound to a chat; returns name → chat."""
    chats = {
        "Kim Klantmanager": "9001",
        "Cas Coach": "9002",
        "Ayla Voorbeeld": "9003",
        "Bram Voorbeeld": "9004",
    }
    await bind(app, "Kim Klantmanager", Role.KLANTMANAGER, chats["Kim Klantmanager"], now)
    await bind(app, "Cas Coach", Role.COACH, chats["Cas Coach"], now)
    for name in ("Ayla Voorbeeld", "Bram Voorbeeld"):
        await bind(
            app,
            name,
            Role.PARTICIPANT,
            chats[name],
            now,
            klantmanager="Kim Klantmanager",
            coach="Cas Coach",
            start_date=date(2026, 6, 1),
            household=Household.ALLEENSTAANDE,
        )
    return chats


async def bind(
    app: App, name: str, role: Role, chat: str, now: datetime, **kwargs: object
) -> None:
    """Invite someone and redeem the code from `chat`."""
    code = await invite(app, name, role, now, **kwargs)
    outcome = await app.dispatcher.handle(command(chat, f"/start {code}"), now=now)
    assert outcome.replies[0].key == "onboarding/welcome"


def sqlite_db(app: App) -> Database:
    """The app's database as the SQLite implementation (for tests of SQLite's own behaviour)."""
    db = app.services.db
    assert isinstance(db, Database)
    return db
