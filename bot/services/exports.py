"""Exports for the benefit administration: a CSV per month and an HTML dossier per participant.

The CSV columns are documented in docs/export.md; keep the two in step. These are operator
tools (the `ptobot` command line), so they read everything without a chat person's access check.
`dossier_context` returns the dossier's data; `messages.dossier.render_dossier` makes the page.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import datetime
from decimal import Decimal
from typing import IO, Any

from bot.clock import utc_iso
from bot.domain.errors import DomainError
from bot.domain.models import Role
from bot.domain.norms import norm_for_period, share_of_norm
from bot.domain.periods import first_day
from bot.domain.policy import Policy
from bot.domain.timeliness import Submission, due_date, latest_is_on_time
from bot.storage import caseload, declarations, participants, people
from bot.storage.unit import Tx

__all__ = [
    "COLUMNS",
    "dossier_context",
    "euros",
    "export_rows",
    "safe_text",
    "write_csv",
]

COLUMNS = (
    "reference",
    "period",
    "version",
    "versions",
    "participant_id",
    "participant",
    "klantmanager",
    "household",
    "submitted_at",
    "due_date",
    "on_time",
    "worked",
    "revenue_eur",
    "costs_eur",
    "profit_eur",
    "hours",
    "norm_eur",
    "share_of_norm_pct",
    "flags",
    "proof_files",
    "no_proof",
    "correction_reason",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def euros(cents: int | None) -> str:
    """Cents as euros with a dot and two decimals ('1250.50'); empty for none."""
    if cents is None:
        return ""
    return f"{Decimal(cents) / 100:.2f}"


def safe_text(text: str | None) -> str:
    """Free text for a spreadsheet cell: a leading =, +, -, @ is quoted so it is not a formula."""
    if not text:
        return ""
    return "'" + text if text.startswith(_FORMULA_START) else text


async def export_rows(tx: Tx, policy: Policy, period: str) -> list[dict[str, str]]:
    """One row per declaration of `period` (its latest version), by reference.

    `on_time` judges that version by bot.domain.timeliness: a correction the klantmanager asked
    for keeps the judgement of the version it corrects.
    """
    first_day(period)  # ValueError for a bad period
    due = due_date(policy, period)
    versions = await declarations.submissions_of_period(tx, period)
    result = []
    for line in await caseload.export_lines(tx, period):
        d = line.declaration
        profit = d.profit_cents
        norm = norm_for_period(policy, line.household, period)
        share = share_of_norm(profit, norm)
        on_time = latest_is_on_time(
            policy, period, versions.get(d.participant_id) or (Submission(d.submitted_at),)
        )
        result.append(
            {
                "reference": d.reference,
                "period": d.period,
                "version": str(d.version),
                "versions": str(line.versions),
                "participant_id": str(d.participant_id),
                "participant": safe_text(line.participant),
                "klantmanager": safe_text(line.klantmanager),
                "household": line.household.value,
                "submitted_at": line.submitted_at,
                "due_date": due.isoformat(),
                "on_time": "1" if on_time else "0",
                "worked": "1" if d.worked else "0",
                "revenue_eur": euros(d.revenue_cents),
                "costs_eur": euros(d.costs_cents),
                "profit_eur": euros(profit),
                "hours": f"{float(d.hours):.1f}",
                "norm_eur": euros(norm),
                "share_of_norm_pct": "" if share is None else str(share),
                "flags": "|".join(str(f.get("code", "")) for f in d.flags),
                "proof_files": str(line.proof_files),
                "no_proof": "1" if d.answers.no_proof else "0",
                "correction_reason": safe_text(d.reason),
            }
        )
    return result


def write_csv(
    rows: list[dict[str, str]], out: IO[str], columns: tuple[str, ...] = COLUMNS
) -> None:
    """Write the rows as CSV (comma, double quotes, header line); `out` opened with newline=''."""
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)


async def dossier_context(
    tx: Tx, policy: Policy, name: str, locale: str, now: datetime
) -> dict[str, Any]:
    """One participant's declarations (every version), queue history and proof list.

    Each version's `proof_files` counts the files stored with it, as its card and *Bewijs* do.

    The data is the same in every language (`messages.dossier` renders the flags), so `locale`
    is not used; it stays for the callers of this round.
    """
    person = await people.person_by_name(tx, name)
    if person is None or person.role != Role.PARTICIPANT:
        raise DomainError("queue/cli_unknown_participant", name=name)
    participant = await participants.participant(tx, person.id)
    if participant is None:
        raise DomainError("queue/cli_unknown_participant", name=name)
    km = (
        await people.person_by_id(tx, participant.klantmanager_id)
        if participant.klantmanager_id
        else None
    )
    versions = await declarations.of_participant(tx, person.id)
    history = await caseload.queue_history(tx, person.id)
    proofs = await caseload.proof_files(tx, person.id)
    files_of = Counter(p.reference for p in proofs if p.reference is not None)
    return {
        "name": person.name,
        "klantmanager": km.name if km else None,
        "household": participant.household.value,
        "start_date": participant.start_date.isoformat(),
        "status": participant.status.value,
        "generated_at": utc_iso(now),
        "declarations": [
            {
                "reference": d.reference,
                "period": d.period,
                "version": d.version,
                "submitted_at": d.submitted_at,
                "worked": d.worked,
                "revenue_cents": d.revenue_cents,
                "costs_cents": d.costs_cents,
                "profit_cents": d.profit_cents,
                "share_pct": share_of_norm(
                    d.profit_cents, norm_for_period(policy, participant.household, d.period)
                ),
                "hours": float(d.hours),
                "reason": d.reason,
                "flags": list(d.flags),
                "proof_files": files_of[d.reference],  # stored with this version
            }
            for d in versions
        ],
        "history": [
            {
                "at": h.at,
                "item_id": h.item_id,
                "kind": h.kind,
                "period": h.period,
                "from_state": h.from_state,
                "to_state": h.to_state,
                "actor": h.actor,
                "note": h.note,
            }
            for h in history
        ],
        "proofs": [
            {
                "period": p.period,
                "name": p.original_name or p.path.rsplit("/", 1)[-1],
                "mime": p.mime,
                "size": p.size,
                "reference": p.reference,
                "created_at": p.created_at,
            }
            for p in proofs
        ],
    }
