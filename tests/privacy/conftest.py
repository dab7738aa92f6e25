"""Fixtures for the privacy, security and robustness tests: two caseloads of invented people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from itertools import count

import pytest

from bot.app import App
from bot.clock import FixedClock
from bot.contract import FileIn, Inbound, Kind
from bot.domain.models import Household, Role
from bot.storage import participants, people

CHANNEL = "telegram"
_updates = count(1_000_000)


@dataclass(frozen=True)
class Someone:
    """A person bound to a chat."""

    id: int
    name: str
    role: Role
    address: str


@dataclass(frozen=True)
class Folks:
    """Two klantmanagers, two coaches, an admin and a participant in each caseload."""

    km: Someone
    other_km: Someone
    coach: Someone
    other_coach: Someone
    admin: Someone
    ayla: Someone  # Kim's and Cas's participant
    bram: Someone  # Karel's and Cor's participant

    def everyone(self) -> list[Someone]:
        """Each person once."""
        return [
            self.km,
            self.other_km,
            self.coach,
            self.other_coach,
            self.admin,
            self.ayla,
            self.bram,
        ]


async def seed_folks(app: App, now: datetime) -> Folks:
    """Create the people straight in the database, each bound to its own Telegram chat."""
    made: dict[str, Someone] = {}
    async with app.services.db.transaction() as tx:
        for n, (key, name, role) in enumerate(
            [
                ("km", "Kim Klantmanager", Role.KLANTMANAGER),
                ("other_km", "Karel Klantmanager", Role.KLANTMANAGER),
                ("coach", "Cas Coach", Role.COACH),
                ("other_coach", "Cor Coach", Role.COACH),
                ("admin", "Ad Beheer", Role.ADMIN),
                ("ayla", "Ayla Voorbeeld", Role.PARTICIPANT),
                ("bram", "Bram Voorbeeld", Role.PARTICIPANT),
            ],
            start=1,
        ):
            person_id = await people.insert_person(tx, name, role, now)
            address = str(5000 + n)
            await people.bind_identity(tx, CHANNEL, address, person_id, now)
            made[key] = Someone(person_id, name, role, address)
        for who, km, coach in (("ayla", "km", "coach"), ("bram", "other_km", "other_coach")):
            await participants.insert_participant(
                tx,
                made[who].id,
                made[km].id,
                made[coach].id,
                date(2026, 6, 1),
                Household.ALLEENSTAANDE,
            )
    return Folks(**made)


@pytest.fixture
async def folks(app: App, clock: FixedClock) -> Folks:
    """The two caseloads in the test's database."""
    return await seed_folks(app, clock.now())


def text(address: str, body: str) -> Inbound:
    """A typed message."""
    return Inbound(CHANNEL, address, Kind.TEXT, str(next(_updates)), text=body)


def command(address: str, line: str) -> Inbound:
    """A typed command line like '/start abc'."""
    head, _, args = line.partition(" ")
    return Inbound(
        CHANNEL,
        address,
        Kind.COMMAND,
        str(next(_updates)),
        text=line,
        command=head[1:].split("@", 1)[0].lower(),
        args=args.strip(),
    )


def button(address: str, data: str) -> Inbound:
    """A pressed button."""
    return Inbound(CHANNEL, address, Kind.BUTTON, str(next(_updates)), button=data)


def file(address: str, data: bytes | None, mime: str, name: str | None = None) -> Inbound:
    """A document or photo; `data` None as the channel leaves it for a too large file."""
    kind = "photo" if mime == "image/jpeg" and name is None else "document"
    size = len(data) if data is not None else 50 * 1024 * 1024
    return Inbound(
        CHANNEL, address, Kind.FILE, str(next(_updates)), file=FileIn(kind, mime, size, data, name)
    )
