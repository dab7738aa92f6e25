"""Set-based reads of caseloads: participants' figures, open corrections, exports and dossiers.

The digest, `/deelnemer` and the operator's export read here. Every read of many participants is
a fixed number of queries, whatever their count; rows come back as frozen objects (`Facts`,
`Waiting`, `ExportLine`, ...). A month's "latest version" is its highest version, found per set
with a correlated subquery (`bot.storage.declarations.latest` is the one-participant form).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.domain.answers import Declaration
from bot.domain.digest import Facts, Month, Waiting
from bot.domain.models import Household
from bot.domain.norms import norm_for_period
from bot.domain.periods import add_months
from bot.domain.policy import Policy
from bot.storage.declarations import COLUMNS, declaration_from_row
from bot.storage.unit import Row, Tx

_PARTICIPANT_COLUMNS = (
    "pa.person_id, pa.klantmanager_id, pa.coach_id, pa.start_date, pa.household, pa.status, "
    "pe.name, pa.end_date"
)
_DECLARATION_COLUMNS = (
    "d.participant_id, d.period, d.version, d.reference, d.worked, d.revenue_cents, "
    "d.costs_cents, d.hours, d.flags, d.submitted_at, "
    "(SELECT COUNT(*) FROM proofs pr WHERE pr.declaration_id = d.id)"
)
_LATEST_VERSION = (
    "d.version = (SELECT MAX(x.version) FROM declarations x "
    "WHERE x.participant_id = d.participant_id AND x.period = d.period)"
)
_WAITING_COLUMNS = "q.participant_id, q.period, q.updated_at, p.name"


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


async def load_facts(tx: Tx, policy: Policy, participant_ids: list[int]) -> list[Facts]:
    """Facts for these participants, by name (every month's latest version, all weeks)."""
    if not participant_ids:
        return []
    marks = _marks(participant_ids)
    participants = await tx.all(
        f"SELECT {_PARTICIPANT_COLUMNS} FROM participants pa "  # noqa: S608
        f"JOIN people pe ON pe.id = pa.person_id WHERE pa.person_id IN ({marks}) "
        "ORDER BY pe.name",
        participant_ids,
    )
    declarations = await tx.all(
        f"SELECT {_DECLARATION_COLUMNS} FROM declarations d "  # noqa: S608
        f"WHERE d.participant_id IN ({marks}) AND {_LATEST_VERSION} "
        "ORDER BY d.participant_id, d.period",
        participant_ids,
    )
    hours = await tx.all(
        "SELECT participant_id, week, hours FROM weekly_hours "  # noqa: S608
        f"WHERE participant_id IN ({marks}) ORDER BY participant_id, week",
        participant_ids,
    )
    return _facts(policy, participants, declarations, hours)


async def caseload_facts(
    tx: Tx, policy: Policy, klantmanager_ids: list[int], since_period: str, since_week: str
) -> list[Facts]:
    """Facts for every participant of these klantmanagers' caseloads (by name), in three queries.

    Only what an overview of recent weeks needs: the latest version of each month from
    `since_period` on (plus each participant's newest month, however old), and the weekly hours
    from `since_week` on ('YYYY-Www' compares as text).
    """
    if not klantmanager_ids:
        return []
    marks = _marks(klantmanager_ids)
    participants = await tx.all(
        f"SELECT {_PARTICIPANT_COLUMNS} FROM participants pa "  # noqa: S608
        f"JOIN people pe ON pe.id = pa.person_id WHERE pa.klantmanager_id IN ({marks}) "
        "ORDER BY pe.name",
        klantmanager_ids,
    )
    declarations = await tx.all(
        f"SELECT {_DECLARATION_COLUMNS} FROM participants pa "  # noqa: S608
        "JOIN declarations d ON d.participant_id = pa.person_id "
        f"WHERE pa.klantmanager_id IN ({marks}) AND {_LATEST_VERSION} AND (d.period >= ? "
        "OR d.period = (SELECT MAX(y.period) FROM declarations y "
        "WHERE y.participant_id = d.participant_id)) ORDER BY d.participant_id, d.period",
        [*klantmanager_ids, since_period],
    )
    hours = await tx.all(
        "SELECT h.participant_id, h.week, h.hours FROM participants pa "  # noqa: S608
        "JOIN weekly_hours h ON h.participant_id = pa.person_id "
        f"WHERE pa.klantmanager_id IN ({marks}) AND h.week >= ? "
        "ORDER BY h.participant_id, h.week",
        [*klantmanager_ids, since_week],
    )
    return _facts(policy, participants, declarations, hours)


def _facts(
    policy: Policy, participants: list[Row], declarations: list[Row], hours_rows: list[Row]
) -> list[Facts]:
    """The participants' Facts, in the order of their rows (one pass over each list)."""
    norms: dict[tuple[str, str], int | None] = {}
    households = {r[0]: r[4] for r in participants}
    months_of: dict[int, dict[str, Month]] = {}
    for pid, period, *values, flags, submitted_at, files in declarations:
        household = households.get(pid)
        if household is None:
            continue
        version, reference, worked, revenue, costs, hours = values
        norm_key = (household, period)
        if norm_key not in norms:
            norms[norm_key] = norm_for_period(policy, Household(household), period)
        month = Month(
            period,
            int(version),
            reference,
            bool(worked),
            int(revenue),
            int(costs),
            float(hours),
            [] if flags == "[]" or not flags else json.loads(flags),
            submitted_at,
            norms[norm_key],
            int(files or 0),  # the files stored with this version, as the card counts
        )
        if pid in months_of:
            months_of[pid][period] = month
        else:
            months_of[pid] = {period: month}
    weeks_of: dict[int, dict[str, float]] = {}
    for pid, week, hours in hours_rows:
        if pid in weeks_of:
            weeks_of[pid][week] = float(hours)
        else:
            weeks_of[pid] = {week: float(hours)}
    starts: dict[str, tuple[date, date]] = {}
    result = []
    for pid, klantmanager_id, coach_id, start_text, household, status, name, moved in participants:
        if start_text not in starts:
            start = date.fromisoformat(start_text)
            starts[start_text] = (start, add_months(start, policy.trajectory_months))
        start, end = starts[start_text]
        if moved:  # an extension moved the end (issue 17)
            end = date.fromisoformat(moved)
        result.append(
            Facts(
                int(pid),
                name,
                Household(household),
                start,
                status,
                klantmanager_id,
                coach_id,
                end,
                months_of.get(pid, {}),
                weeks_of.get(pid, {}),
            )
        )
    return result


def _waiting(rows: list[Row]) -> list[Waiting]:
    return [
        Waiting(int(r["participant_id"]), r["name"], r["period"], r["updated_at"]) for r in rows
    ]


async def waiting_corrections(
    tx: Tx, participant_ids: list[int], state: str, updated_before: str
) -> list[Waiting]:
    """These participants' items in `state`, unchanged since `updated_before`, oldest first."""
    if not participant_ids:
        return []
    rows = await tx.all(
        f"SELECT {_WAITING_COLUMNS} FROM queue_items q "  # noqa: S608
        f"JOIN people p ON p.id = q.participant_id WHERE q.participant_id IN "
        f"({_marks(participant_ids)}) AND q.state = ? AND q.updated_at <= ? "
        "ORDER BY q.updated_at, q.id",
        [*participant_ids, state, updated_before],
    )
    return _waiting(rows)


async def caseload_waiting(
    tx: Tx, klantmanager_ids: list[int], state: str, updated_before: str
) -> list[Waiting]:
    """`waiting_corrections` for every participant of these klantmanagers' caseloads."""
    if not klantmanager_ids:
        return []
    rows = await tx.all(
        f"SELECT {_WAITING_COLUMNS} "  # noqa: S608
        "FROM participants pa JOIN queue_items q ON q.participant_id = pa.person_id "
        "JOIN people p ON p.id = q.participant_id WHERE pa.klantmanager_id IN "
        f"({_marks(klantmanager_ids)}) AND q.state = ? AND q.updated_at <= ? "
        "ORDER BY q.updated_at, q.id",
        [*klantmanager_ids, state, updated_before],
    )
    return _waiting(rows)


async def open_items(tx: Tx, participant_ids: list[int], closed: str) -> dict[int, int]:
    """How many queue items of each of these participants are not in the `closed` state."""
    if not participant_ids:
        return {}
    rows = await tx.all(
        "SELECT participant_id, COUNT(*) AS n FROM queue_items WHERE participant_id IN "  # noqa: S608
        f"({_marks(participant_ids)}) AND state != ? GROUP BY participant_id",
        [*participant_ids, closed],
    )
    return {int(r["participant_id"]): int(r["n"]) for r in rows}


async def caseload_open_items(tx: Tx, klantmanager_ids: list[int], closed: str) -> dict[int, int]:
    """`open_items` for every participant of these klantmanagers' caseloads."""
    if not klantmanager_ids:
        return {}
    rows = await tx.all(
        "SELECT q.participant_id, COUNT(*) AS n FROM participants pa "  # noqa: S608
        "JOIN queue_items q ON q.participant_id = pa.person_id "
        f"WHERE pa.klantmanager_id IN ({_marks(klantmanager_ids)}) AND q.state != ? "
        "GROUP BY q.participant_id",
        [*klantmanager_ids, closed],
    )
    return {int(r["participant_id"]): int(r["n"]) for r in rows}


async def versions_per_period(tx: Tx, participant_id: int) -> dict[str, int]:
    """How many versions each month of a participant has."""
    rows = await tx.all(
        "SELECT period, COUNT(*) AS n FROM declarations WHERE participant_id = ? GROUP BY period",
        (participant_id,),
    )
    return {r["period"]: int(r["n"]) for r in rows}


@dataclass(frozen=True, slots=True)
class ExportLine:
    """The latest version of one month's declaration, with what the export shows beside it."""

    declaration: Declaration
    submitted_at: str  # as stored
    participant: str
    household: Household
    klantmanager: str | None
    versions: int
    proof_files: int  # files stored with this version


async def export_lines(tx: Tx, period: str) -> list[ExportLine]:
    """The latest version of every declaration of `period`, by reference."""
    columns = ", ".join(f"d.{c.strip()}" for c in COLUMNS.split(","))
    rows = await tx.all(
        f"SELECT {columns}, pe.name AS participant_name, pa.household, "  # noqa: S608
        "km.name AS km_name, "
        "(SELECT COUNT(*) FROM declarations v WHERE v.participant_id = d.participant_id "
        "AND v.period = d.period) AS versions, "
        "(SELECT COUNT(*) FROM proofs pr WHERE pr.declaration_id = d.id) AS files "
        "FROM declarations d JOIN people pe ON pe.id = d.participant_id "
        "JOIN participants pa ON pa.person_id = d.participant_id "
        "LEFT JOIN people km ON km.id = pa.klantmanager_id "
        f"WHERE d.period = ? AND {_LATEST_VERSION} ORDER BY d.reference",
        (period,),
    )
    return [
        ExportLine(
            declaration_from_row(r),
            r["submitted_at"],
            r["participant_name"],
            Household(r["household"]),
            r["km_name"],
            int(r["versions"]),
            int(r["files"] or 0),
        )
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One state change of a participant's queue item."""

    at: str
    item_id: int
    kind: str
    period: str | None
    from_state: str | None
    to_state: str
    actor: str | None
    note: str | None


async def queue_history(tx: Tx, participant_id: int) -> list[HistoryEntry]:
    """Every state change of the participant's queue items, oldest first."""
    rows = await tx.all(
        "SELECT h.at, h.item_id, q.kind, q.period, h.from_state, h.to_state, "
        "a.name AS actor, h.note FROM queue_history h "
        "JOIN queue_items q ON q.id = h.item_id LEFT JOIN people a ON a.id = h.actor_id "
        "WHERE q.participant_id = ? ORDER BY h.at, h.id",
        (participant_id,),
    )
    return [
        HistoryEntry(
            r["at"],
            int(r["item_id"]),
            r["kind"],
            r["period"],
            r["from_state"],
            r["to_state"],
            r["actor"],
            r["note"],
        )
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class ProofFile:
    """One stored proof file of a participant."""

    period: str
    original_name: str | None
    path: str
    mime: str
    size: int
    reference: str | None  # of the declaration it belongs to
    created_at: str


async def proof_files(tx: Tx, participant_id: int) -> list[ProofFile]:
    """The participant's proof files, by month and arrival."""
    rows = await tx.all(
        "SELECT pr.period, pr.original_name, pr.path, pr.mime, pr.size, d.reference, "
        "pr.created_at FROM proofs pr LEFT JOIN declarations d "
        "ON d.id = pr.declaration_id WHERE pr.participant_id = ? ORDER BY pr.period, pr.id",
        (participant_id,),
    )
    return [
        ProofFile(
            r["period"],
            r["original_name"],
            r["path"],
            r["mime"],
            int(r["size"]),
            r["reference"],
            r["created_at"],
        )
        for r in rows
    ]
