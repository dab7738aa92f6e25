"""Recording how a trajectory ended (issue 17), and the outcomes per year next to the KPI.

Access as every klantmanager action: the participant must be in the viewer's caseload (own or
delegated) or the viewer an admin (`access.require_amounts`). Every recording is audited and
stored as a new row; the latest counts, so a correction is simply a newer recording. An
extension also moves the trajectory's end, so the end warnings follow the new date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.domain import outcomes as rules
from bot.domain.errors import AccessDenied
from bot.domain.localtime import local_day
from bot.domain.models import Person, Role
from bot.domain.outcomes import MonthFigure, Outcome
from bot.domain.periods import add_months
from bot.domain.policy import Policy
from bot.domain.queue import TRAJECTORY_ENDING
from bot.services import access
from bot.storage import audit_log, participants
from bot.storage import outcomes as store
from bot.storage.unit import Tx

RECORDED = "outcome.recorded"


@dataclass(frozen=True)
class Recorded:
    """What a recording did: for whom, which outcome, and whether it corrected an earlier one."""

    participant_id: int
    name: str
    code: str
    on: date
    new_end: date | None
    corrected: bool
    already: bool = False  # the same choice was the latest already (a double tap): not stored


@dataclass(frozen=True)
class Standing:
    """A participant's trajectory as the outcome form shows it: its end and recorded outcomes."""

    participant_id: int
    name: str
    end: date
    history: tuple[Outcome, ...]  # newest first; the first one counts

    def context(self) -> dict[str, Any]:
        """Plain template data."""
        return {
            "participant_id": self.participant_id,
            "name": self.name,
            "end": self.end.isoformat(),
            "history": [outcome_data(o) for o in self.history],
        }


def outcome_data(o: Outcome) -> dict[str, Any]:
    """One recording as plain data (names are looked up by the renderer from the code)."""
    return {
        "id": o.id,
        "code": o.code,
        "on": o.on.isoformat(),
        "new_end": o.new_end.isoformat() if o.new_end else None,
        "note": o.note,
        "recorded_at": o.recorded_at.isoformat(),
    }


def _require_klantmanager(viewer: Person) -> None:
    if viewer.role not in (Role.KLANTMANAGER, Role.ADMIN):
        raise AccessDenied()


async def trajectory_end(tx: Tx, policy: Policy, participant_id: int) -> date:
    """The trajectory's last day: moved by an extension, else start + `trajectory.months`."""
    found = await participants.participant(tx, participant_id)
    if found is None:
        raise AccessDenied()
    moved = await store.end_dates(tx, [participant_id])
    return moved.get(participant_id) or add_months(found.start_date, policy.trajectory_months)


async def standing(
    tx: Tx, now: datetime, viewer: Person, policy: Policy, participant_id: int
) -> Standing:
    """The participant's end and outcome history, if `viewer` may record one."""
    _require_klantmanager(viewer)
    await access.require_amounts(tx, viewer, participant_id, now)
    found = await participants.participant(tx, participant_id)
    if found is None:
        raise AccessDenied()
    end = await trajectory_end(tx, policy, participant_id)
    history = await store.history(tx, participant_id)
    return Standing(participant_id, found.name, end, tuple(history))


async def participant_of_item(tx: Tx, now: datetime, viewer: Person, item_id: int) -> int:
    """The participant of a "traject loopt af" item `viewer` works on; AccessDenied otherwise."""
    item = await access.require_item(tx, viewer, item_id, now)
    if item.kind != TRAJECTORY_ENDING:
        raise AccessDenied()
    return item.participant_id


async def record(
    tx: Tx,
    now: datetime,
    viewer: Person,
    policy: Policy,
    participant_id: int,
    code: str,
    new_end: date | None = None,
    note: str | None = None,
) -> Recorded:
    """Record (or correct) how the participant's trajectory ended; audited.

    DomainError when the code is unknown, an extension lacks a later end date, or *anders*
    lacks its note.
    """
    _require_klantmanager(viewer)
    await access.require_amounts(tx, viewer, participant_id, now)
    kind = rules.kind_of(policy, code)
    today = local_day(now)
    end = await trajectory_end(tx, policy, participant_id)
    kept_end, kept_note = rules.checked(kind, today, end, new_end, note)
    on = rules.effective_day(today, end)
    before = await store.history(tx, participant_id)
    latest = before[0] if before else None
    if latest and (latest.code, latest.new_end, latest.note) == (code, kept_end, kept_note):
        found = await participants.participant(tx, participant_id)
        name = found.name if found else ""
        return Recorded(participant_id, name, code, latest.on, kept_end, False, already=True)
    outcome_id = await store.add(tx, now, participant_id, code, on, kept_end, kept_note, viewer.id)
    if kept_end is not None:
        await store.set_end_date(tx, participant_id, kept_end)
    await audit_log.record(
        tx,
        now,
        viewer.id,
        RECORDED,
        participant_id,
        outcome_id=outcome_id,
        code=code,
        on=on.isoformat(),
        new_end=kept_end.isoformat() if kept_end else None,
        corrects=before[0].id if before else None,
    )
    found = await participants.participant(tx, participant_id)
    name = found.name if found else ""
    return Recorded(participant_id, name, code, on, kept_end, bool(before))


@dataclass(frozen=True)
class YearData:
    """What the outcomes per year are made of, for a set of participants read at once."""

    years: tuple[int, ...]
    records: dict[int, Outcome]  # the latest recording per participant
    months: tuple[MonthFigure, ...]
    by_participant: dict[int, list[MonthFigure]] = field(default_factory=dict)  # months, indexed


async def load_years(tx: Tx, participant_ids: list[int], years: list[int]) -> YearData:
    """The latest outcomes and the declared months of `years` of these participants."""
    if not years or not participant_ids:
        return YearData(tuple(years), {}, ())
    records = rules.latest(await store.latest_of(tx, participant_ids))
    months = await store.year_months(
        tx, participant_ids, f"{min(years):04d}-01", f"{max(years):04d}-12"
    )
    by_participant: dict[int, list[MonthFigure]] = {}
    for month in months:
        by_participant.setdefault(month.participant_id, []).append(month)
    return YearData(tuple(years), records, tuple(months), by_participant)


def summaries(
    policy: Policy, data: YearData, only: set[int] | None = None
) -> list[dict[str, Any]]:
    """Per year: the latest outcomes per code and the year's KPI (of the `only` participants)."""
    if only is None:
        records, months = data.records, list(data.months)
    else:  # one klantmanager of a batch: look their participants up, don't scan the batch
        records = {k: data.records[k] for k in only if k in data.records}
        months = [m for k in only for m in data.by_participant.get(k, ())]
    return [rules.year_summary(policy, year, records, months) for year in data.years]


async def year_summaries(
    tx: Tx, policy: Policy, participant_ids: list[int], years: list[int]
) -> list[dict[str, Any]]:
    """Per year (in the order given): the latest outcomes per code and the year's KPI."""
    return summaries(policy, await load_years(tx, participant_ids, years))


def digest_years(day: date) -> list[int]:
    """The years a digest shows outcomes for: this year and the year before."""
    return [day.year, day.year - 1]
