"""Participants: a person with PTO permission, their klantmanager, coach and household."""

from __future__ import annotations

from datetime import date

from bot.domain.models import Household, Participant, ParticipantStatus
from bot.storage.unit import Row, Tx


def participant_from_row(row: Row) -> Participant:
    """A `participants` row joined with the name."""
    return Participant(
        person_id=row["person_id"],
        name=row["name"],
        klantmanager_id=row["klantmanager_id"],
        coach_id=row["coach_id"],
        start_date=date.fromisoformat(row["start_date"]),
        household=Household(row["household"]),
        status=ParticipantStatus(row["status"]),
    )


async def participant(tx: Tx, person_id: int) -> Participant | None:
    """One participant."""
    row = await tx.one(
        "SELECT p.*, pe.name FROM participants p JOIN people pe ON pe.id = p.person_id "
        "WHERE p.person_id = ?",
        (person_id,),
    )
    return participant_from_row(row) if row else None


async def insert_participant(
    tx: Tx,
    person_id: int,
    klantmanager_id: int | None,
    coach_id: int | None,
    start_date: date,
    household: Household,
) -> None:
    """Attach participant details to a person."""
    await tx.execute(
        "INSERT INTO participants (person_id, klantmanager_id, coach_id, start_date, household) "
        "VALUES (?, ?, ?, ?, ?)",
        (person_id, klantmanager_id, coach_id, start_date.isoformat(), household.value),
    )


async def update_participant(
    tx: Tx,
    person_id: int,
    klantmanager_id: int | None,
    coach_id: int | None,
    start_date: date | None,
) -> None:
    """Change a participant's klantmanager, coach or start date; None keeps the current one."""
    await tx.execute(
        "UPDATE participants SET klantmanager_id = COALESCE(?, klantmanager_id), "
        "coach_id = COALESCE(?, coach_id), start_date = COALESCE(?, start_date) "
        "WHERE person_id = ?",
        (klantmanager_id, coach_id, start_date.isoformat() if start_date else None, person_id),
    )
