"""Exports for the benefit administration: a CSV per month and an HTML dossier per participant.

The CSV columns are documented in docs/export.md; keep the two in step. These are operator
tools (the `ptobot` command line), so they read everything without a chat person's access check.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from decimal import Decimal
from typing import IO, Any

from bot.clock import parse_utc, to_local, utc_iso
from bot.domain.errors import DomainError
from bot.domain.models import Household, Role
from bot.domain.norms import norm_for_period, share_of_norm
from bot.domain.periods import due_date, first_day
from bot.domain.policy import Policy
from bot.storage import participants, people
from bot.storage.unit import Tx
from messages import render
from messages.flags import flag_line

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
    """One row per declaration of `period` (its latest version), by reference."""
    first_day(period)  # ValueError for a bad period
    rows = await tx.all(
        "SELECT d.*, pe.name, pa.household, km.name AS km_name, "
        "(SELECT COUNT(*) FROM declarations v WHERE v.participant_id = d.participant_id "
        "AND v.period = d.period) AS versions, "
        "(SELECT COUNT(*) FROM proofs pr WHERE pr.declaration_id = d.id) AS files "
        "FROM declarations d JOIN people pe ON pe.id = d.participant_id "
        "JOIN participants pa ON pa.person_id = d.participant_id "
        "LEFT JOIN people km ON km.id = pa.klantmanager_id "
        "WHERE d.period = ? AND d.version = (SELECT MAX(x.version) FROM declarations x "
        "WHERE x.participant_id = d.participant_id AND x.period = d.period) "
        "ORDER BY d.reference",
        (period,),
    )
    due = due_date(period, policy.due_day)
    result = []
    for r in rows:
        data = json.loads(r["data"] or "{}")
        profit = int(r["revenue_cents"]) - int(r["costs_cents"])
        norm = norm_for_period(policy, Household(r["household"]), period)
        share = share_of_norm(profit, norm)
        submitted = to_local(parse_utc(r["submitted_at"])).date()
        result.append(
            {
                "reference": r["reference"],
                "period": r["period"],
                "version": str(r["version"]),
                "versions": str(r["versions"]),
                "participant_id": str(r["participant_id"]),
                "participant": safe_text(r["name"]),
                "klantmanager": safe_text(r["km_name"]),
                "household": r["household"],
                "submitted_at": r["submitted_at"],
                "due_date": due.isoformat(),
                "on_time": "1" if submitted <= due else "0",
                "worked": "1" if r["worked"] else "0",
                "revenue_eur": euros(int(r["revenue_cents"])),
                "costs_eur": euros(int(r["costs_cents"])),
                "profit_eur": euros(profit),
                "hours": f"{float(r['hours']):.1f}",
                "norm_eur": euros(norm),
                "share_of_norm_pct": "" if share is None else str(share),
                "flags": "|".join(str(f.get("code", "")) for f in json.loads(r["flags"] or "[]")),
                "proof_files": str(int(r["files"] or data.get("proof_count") or 0)),
                "no_proof": "1" if data.get("no_proof") else "0",
                "correction_reason": safe_text(r["reason"]),
            }
        )
    return result


def write_csv(rows: list[dict[str, str]], out: IO[str]) -> None:
    """Write the rows as CSV (comma, double quotes, header line); `out` opened with newline=''."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)


async def dossier_context(
    tx: Tx, policy: Policy, name: str, locale: str, now: datetime
) -> dict[str, Any]:
    """One participant's declarations (every version), queue history and proof list."""
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
    decls = await tx.all(
        "SELECT * FROM declarations WHERE participant_id = ? ORDER BY period DESC, version DESC",
        (person.id,),
    )
    declarations = []
    for d in decls:
        profit = int(d["revenue_cents"]) - int(d["costs_cents"])
        norm = norm_for_period(policy, participant.household, d["period"])
        declarations.append(
            {
                "reference": d["reference"],
                "period": d["period"],
                "version": int(d["version"]),
                "submitted_at": d["submitted_at"],
                "worked": bool(d["worked"]),
                "revenue_cents": int(d["revenue_cents"]),
                "costs_cents": int(d["costs_cents"]),
                "profit_cents": profit,
                "share_pct": share_of_norm(profit, norm),
                "hours": float(d["hours"]),
                "reason": d["reason"],
                "flag_lines": [flag_line(f, locale) for f in json.loads(d["flags"] or "[]")],
            }
        )
    history = await tx.all(
        "SELECT h.*, q.kind, q.period, a.name AS actor FROM queue_history h "
        "JOIN queue_items q ON q.id = h.item_id LEFT JOIN people a ON a.id = h.actor_id "
        "WHERE q.participant_id = ? ORDER BY h.at, h.id",
        (person.id,),
    )
    proofs = await tx.all(
        "SELECT pr.*, d.reference FROM proofs pr LEFT JOIN declarations d "
        "ON d.id = pr.declaration_id WHERE pr.participant_id = ? ORDER BY pr.period, pr.id",
        (person.id,),
    )
    return {
        "name": person.name,
        "klantmanager": km.name if km else None,
        "household": participant.household.value,
        "start_date": participant.start_date.isoformat(),
        "status": participant.status.value,
        "generated_at": utc_iso(now),
        "declarations": declarations,
        "history": [
            {
                "at": h["at"],
                "item_id": int(h["item_id"]),
                "kind": h["kind"],
                "period": h["period"],
                "from_state": h["from_state"],
                "to_state": h["to_state"],
                "actor": h["actor"],
                "note": h["note"],
            }
            for h in history
        ],
        "proofs": [
            {
                "period": p["period"],
                "name": p["original_name"] or p["path"].rsplit("/", 1)[-1],
                "mime": p["mime"],
                "size": int(p["size"]),
                "reference": p["reference"],
                "created_at": p["created_at"],
            }
            for p in proofs
        ],
    }


def render_dossier(context: dict[str, Any], locale: str) -> str:
    """The dossier as a standalone HTML5 page."""
    return render("digest/dossier", locale, **context) + "\n"
