"""Demo people and some history, so a newcomer can try every role in the terminal."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.models import Household, Role
from bot.storage import repo
from bot.storage.db import Database, Tx

CONSOLE = "console"
KLANTMANAGER = "Kim Klantmanager"
COACH = "Cas Coach"
ADMIN = "Ad Beheer"
PARTICIPANTS = (
    ("Ayla Voorbeeld", Household.ALLEENSTAANDE, 200),
    ("Bram Voorbeeld", Household.GEHUWDEN, 340),
    ("Noor Voorbeeld", Household.ALLEENSTAANDE_OUDER, 30),
)


async def is_demo(db: Database) -> bool:
    """True when this database holds the demo people."""
    async with db.read() as tx:
        return await repo.meta_get(tx, "demo") == "1"


async def seed_if_empty(db: Database, now: datetime) -> bool:
    """Fill an empty database with the demo people; False when it already had people."""
    async with db.transaction() as tx:
        if await tx.scalar("SELECT COUNT(*) FROM people"):
            return False
        await seed(tx, now)
        return True


async def seed(tx: Tx, now: datetime) -> None:
    """Create the demo caseload, each person reachable in the terminal."""
    km = await repo.insert_person(tx, KLANTMANAGER, Role.KLANTMANAGER, now)
    coach = await repo.insert_person(tx, COACH, Role.COACH, now)
    admin = await repo.insert_person(tx, ADMIN, Role.ADMIN, now)
    people = [km, coach, admin]
    for name, household, days_ago in PARTICIPANTS:
        pid = await repo.insert_person(tx, name, Role.PARTICIPANT, now)
        start = (now - timedelta(days=days_ago)).date()
        await repo.insert_participant(tx, pid, km, coach, start, household)
        people.append(pid)
    for pid in people:
        await repo.bind_identity(tx, CONSOLE, f"person-{pid}", pid, now)
    await repo.meta_set(tx, "demo", "1")
    await seed_history(tx, now)


async def seed_history(tx: Tx, now: datetime) -> None:
    """Earlier declarations of the demo participants (filled in with the declaration feature)."""
