"""The klantmanager's queue: items, their cards and states, and what a klantmanager does.

States: nieuw → in_behandeling → afgehandeld; correctie_gevraagd waits on the participant and
returns to nieuw when the corrected version arrives (`open_item(kind=CORRECTED)`). Every change
is a compare-and-set on the stored state, so a double tap never does anything twice, and is
written to `queue_history`. Every function that acts for a person checks access first
(bot/services/access.py) and refuses with AccessDenied, whether the item is someone else's or
does not exist.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.clock import utc_iso
from bot.contract import Button, ButtonRows
from bot.domain.errors import DomainError
from bot.domain.models import Household, Person
from bot.domain.norms import norm_for_period, share_of_norm
from bot.domain.policy import Policy
from bot.services import access
from bot.storage import audit_log, outbox, people
from bot.storage.unit import Row, Tx
from messages.flags import flag_lines

# Item kinds (DOMAIN.md §8; issue 4).
SUBMITTED = "declaration_submitted"
CORRECTED = "declaration_corrected"
OVERDUE = "declaration_overdue"
HOURS_OVER_CAP = "hours_over_cap"
UNREACHABLE = "participant_unreachable"
CHANGE_REPORTED = "change_reported"
TRAJECTORY_ENDING = "trajectory_ending"
DELIVERY_FAILED = "delivery_failed"
KINDS = (
    SUBMITTED,
    CORRECTED,
    OVERDUE,
    HOURS_OVER_CAP,
    UNREACHABLE,
    CHANGE_REPORTED,
    TRAJECTORY_ENDING,
    DELIVERY_FAILED,
)

# Item states.
NIEUW = "nieuw"
IN_BEHANDELING = "in_behandeling"
AFGEHANDELD = "afgehandeld"
CORRECTIE_GEVRAAGD = "correctie_gevraagd"
OPEN_STATES = (NIEUW, IN_BEHANDELING, CORRECTIE_GEVRAAGD)
REASON_MAX = 1000
PAGE_SIZE = 5


async def norm_for(tx: Tx, policy: Policy, participant_id: int, period: str) -> int | None:
    """The benefit norm for the participant's household in that month."""
    household = await tx.scalar(
        "SELECT household FROM participants WHERE person_id = ?", (participant_id,)
    )
    if household is None:
        return None
    return norm_for_period(policy, Household(household), period)


async def figures(tx: Tx, policy: Policy, decl: Row) -> dict[str, Any]:
    """A declaration row as the figures a klantmanager reads (amounts included)."""
    data = json.loads(decl["data"] or "{}")
    profit = int(decl["revenue_cents"]) - int(decl["costs_cents"])
    norm = await norm_for(tx, policy, int(decl["participant_id"]), decl["period"])
    proof_files = await tx.scalar(
        "SELECT COUNT(*) FROM proofs WHERE declaration_id = ?", (decl["id"],)
    )
    return {
        "declaration_id": int(decl["id"]),
        "period": decl["period"],
        "reference": decl["reference"],
        "version": int(decl["version"]),
        "worked": bool(decl["worked"]),
        "revenue_cents": int(decl["revenue_cents"]),
        "costs_cents": int(decl["costs_cents"]),
        "profit_cents": profit,
        "norm_cents": norm,
        "share_pct": share_of_norm(profit, norm),
        "hours": float(decl["hours"]),
        "proof_count": int(proof_files or data.get("proof_count") or 0),
        "no_proof": bool(data.get("no_proof", False)),
        "reason": decl["reason"],
        "submitted_at": decl["submitted_at"],
        "flags": json.loads(decl["flags"] or "[]"),
    }


async def latest_declaration(tx: Tx, participant_id: int, period: str) -> Row | None:
    """The latest version of a participant's declaration for a month."""
    return await tx.one(
        "SELECT * FROM declarations WHERE participant_id = ? AND period = ? "
        "ORDER BY version DESC LIMIT 1",
        (participant_id, period),
    )


async def _history(
    tx: Tx,
    now: datetime,
    item_id: int,
    actor_id: int | None,
    from_state: str | None,
    to_state: str,
    note: str | None = None,
) -> int:
    history_id = await tx.insert(
        "INSERT INTO queue_history (item_id, at, actor_id, from_state, to_state, note) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (item_id, utc_iso(now), actor_id, from_state, to_state, note),
    )
    return int(history_id or 0)


async def _move(
    tx: Tx,
    now: datetime,
    item: Row,
    actor_id: int | None,
    to_state: str,
    allowed_from: Sequence[str],
    note: str | None = None,
) -> int | None:
    """Compare-and-set the item's state; the history row id, or None when it had moved on."""
    if item["state"] not in allowed_from:
        return None
    changed = await tx.execute(
        "UPDATE queue_items SET state = ?, updated_at = ? WHERE id = ? AND state = ?",
        (to_state, utc_iso(now), item["id"], item["state"]),
    )
    if not changed:
        return None
    return await _history(tx, now, int(item["id"]), actor_id, item["state"], to_state, note)


async def open_item(
    tx: Tx,
    now: datetime,
    participant_id: int,
    kind: str,
    *,
    declaration_id: int | None = None,
    period: str | None = None,
    dedupe_key: str | None = None,
    details: Mapping[str, Any] | None = None,
    policy: Policy | None,
) -> int | None:
    """Open a queue item for the participant's klantmanager and push its card.

    Returns the item id, or None when `dedupe_key` was opened before or the participant has no
    klantmanager. Runs inside the caller's transaction, so the item and its push land together.
    With kind CORRECTED, items of the same participant and period waiting in correctie_gevraagd
    return to nieuw. The card goes to the klantmanager, or to the colleagues standing in while a
    delegation runs. `policy` gives the norm for the share of norm (None: the card shows none).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown queue item kind {kind!r}")
    km_id = await tx.scalar(
        "SELECT klantmanager_id FROM participants WHERE person_id = ?", (participant_id,)
    )
    if km_id is None:
        return None
    extra = dict(details or {})
    waiting: list[Row] = []
    if kind == CORRECTED and period is not None:
        waiting = await tx.all(
            "SELECT * FROM queue_items WHERE participant_id = ? AND period = ? AND state = ?",
            (participant_id, period, CORRECTIE_GEVRAAGD),
        )
        if waiting:
            extra["answers"] = [int(w["id"]) for w in waiting]
    item_id = await tx.insert(
        "INSERT OR IGNORE INTO queue_items (klantmanager_id, participant_id, kind, "
        "declaration_id, period, dedupe_key, details, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            km_id,
            participant_id,
            kind,
            declaration_id,
            period,
            dedupe_key,
            json.dumps(extra, default=str),
            utc_iso(now),
            utc_iso(now),
        ),
    )
    if item_id is None:
        return None
    await _history(tx, now, item_id, None, None, NIEUW)
    for item in waiting:
        await _move(tx, now, item, None, NIEUW, (CORRECTIE_GEVRAAGD,), f"corrected:{item_id}")
    recipients = await access.active_delegates(tx, int(km_id), now) or [int(km_id)]
    context = await card_context(tx, item_id, policy)
    for recipient in recipients:
        owner = None if recipient == km_id else await people.person_by_id(tx, int(km_id))
        await outbox.enqueue(
            tx,
            recipient,
            "queue/card",
            now,
            context=context | {"fresh": True, "owner": owner.name if owner else None},
            buttons=card_buttons(item_id),
            dedupe_key=f"queue-card:{item_id}:{recipient}",
        )
    await audit_log.record(tx, now, None, "queue.opened", participant_id, item=item_id, kind=kind)
    return item_id


async def card_context(tx: Tx, item_id: int, policy: Policy | None) -> dict[str, Any]:
    """What the klantmanager's card shows: participant, period, figures, flags, proof files."""
    row = await tx.one(
        "SELECT q.*, p.name FROM queue_items q JOIN people p ON p.id = q.participant_id "
        "WHERE q.id = ?",
        (item_id,),
    )
    if row is None:
        raise LookupError(item_id)
    decl = None
    if row["declaration_id"] is not None:
        decl = await tx.one("SELECT * FROM declarations WHERE id = ?", (row["declaration_id"],))
    elif row["period"] is not None:
        decl = await latest_declaration(tx, int(row["participant_id"]), row["period"])
    shown = await figures(tx, policy, decl) if decl is not None and policy is not None else None
    details = json.loads(row["details"] or "{}")
    return {
        "item_id": item_id,
        "kind": row["kind"],
        "state": row["state"],
        "name": row["name"],
        "period": row["period"],
        "decl": {k: v for k, v in shown.items() if k != "flags"} if shown else None,
        "flag_lines": flag_lines(shown["flags"] if shown else []),
        "answers_request": bool(details.get("answers")),
        "fresh": False,
        "owner": None,
    }


def card_buttons(item_id: int) -> ButtonRows:
    """The card's buttons."""
    return (
        (
            Button(f"queue:done:{item_id}", "buttons/queue_done"),
            Button(f"queue:fix:{item_id}", "buttons/queue_fix"),
            Button(f"queue:proof:{item_id}", "buttons/queue_proof"),
        ),
    )


async def open_card(
    tx: Tx, now: datetime, viewer: Person, item_id: int, policy: Policy
) -> dict[str, Any]:
    """Show an item's card to the klantmanager; a new item is now in behandeling."""
    item = await access.require_item(tx, viewer, item_id, now)
    await _viewed(tx, now, viewer, item, what="queue_card")
    return await card_context(tx, item_id, policy)


async def _viewed(tx: Tx, now: datetime, viewer: Person, item: Row, **details: Any) -> None:
    """A klantmanager looked at an item: a new one is now in behandeling, and it is audited."""
    await _move(tx, now, item, viewer.id, IN_BEHANDELING, (NIEUW,))
    await audit_log.record(
        tx,
        now,
        viewer.id,
        "participant.viewed",
        int(item["participant_id"]),
        item=int(item["id"]),
        **details,
    )


async def mark_done(tx: Tx, now: datetime, viewer: Person, item_id: int) -> bool:
    """Close an item; False when it was closed already. Closes the requests it answered too."""
    item = await access.require_item(tx, viewer, item_id, now)
    if await _move(tx, now, item, viewer.id, AFGEHANDELD, OPEN_STATES) is None:
        return False
    for answered in json.loads(item["details"] or "{}").get("answers", []):
        earlier = await tx.one("SELECT * FROM queue_items WHERE id = ?", (int(answered),))
        if earlier is not None:
            await _move(
                tx,
                now,
                earlier,
                viewer.id,
                AFGEHANDELD,
                (NIEUW, IN_BEHANDELING),
                f"with:{item_id}",
            )
    await audit_log.record(
        tx, now, viewer.id, "queue.done", int(item["participant_id"]), item=item_id
    )
    return True


async def start_correction(tx: Tx, now: datetime, viewer: Person, item_id: int) -> str:
    """Check a correction can be asked for this item; returns the participant's name."""
    item = await access.require_item(tx, viewer, item_id, now)
    if item["period"] is None:
        raise DomainError("queue/fix_no_period")
    if item["state"] not in (NIEUW, IN_BEHANDELING):
        raise DomainError("queue/fix_not_now", state=item["state"])
    await _move(tx, now, item, viewer.id, IN_BEHANDELING, (NIEUW,))
    name = await tx.scalar("SELECT name FROM people WHERE id = ?", (item["participant_id"],))
    return str(name)


async def request_correction(
    tx: Tx, now: datetime, viewer: Person, item_id: int, reason: str
) -> tuple[str, str]:
    """Ask the participant to correct the month; returns (participant name, period).

    The participant gets the reason with a button that opens the correction ("decl:fix:<period>");
    the item waits in correctie_gevraagd until the corrected version arrives.
    """
    reason = " ".join(reason.split())
    if not reason:
        raise DomainError("queue/fix_reason_empty")
    if len(reason) > REASON_MAX:
        raise DomainError("queue/fix_reason_long", limit=REASON_MAX)
    item = await access.require_item(tx, viewer, item_id, now)
    if item["period"] is None:
        raise DomainError("queue/fix_no_period")
    history_id = await _move(
        tx, now, item, viewer.id, CORRECTIE_GEVRAAGD, (NIEUW, IN_BEHANDELING), reason
    )
    if history_id is None:
        raise DomainError("queue/fix_not_now", state=item["state"])
    participant_id, period = int(item["participant_id"]), str(item["period"])
    await outbox.enqueue(
        tx,
        participant_id,
        "queue/correction_requested",
        now,
        context={"period": period, "reason": reason, "klantmanager": viewer.name},
        buttons=((Button(f"decl:fix:{period}", "buttons/queue_correct"),),),
        dedupe_key=f"queue-fix:{item_id}:{history_id}",
    )
    await audit_log.record(
        tx, now, viewer.id, "queue.correction_requested", participant_id, item=item_id
    )
    name = await tx.scalar("SELECT name FROM people WHERE id = ?", (participant_id,))
    return str(name), period


@dataclass(frozen=True)
class ProofFile:
    """A stored proof file of an item's declaration."""

    path: str
    name: str
    exists: bool


async def proof_files(
    tx: Tx, now: datetime, viewer: Person, item_id: int, proof_dir: Path
) -> list[ProofFile]:
    """The proof files of an item's declaration; looking at them puts a new item in behandeling."""
    item = await access.require_item(tx, viewer, item_id, now)
    decl_id = item["declaration_id"]
    if decl_id is None and item["period"] is not None:
        latest = await latest_declaration(tx, int(item["participant_id"]), item["period"])
        decl_id = latest["id"] if latest else None
    rows = (
        await tx.all(
            "SELECT path, original_name FROM proofs WHERE declaration_id = ? ORDER BY id",
            (decl_id,),
        )
        if decl_id is not None
        else []
    )
    await _viewed(tx, now, viewer, item, what="proof", files=len(rows))
    files = []
    for row in rows:
        path = Path(row["path"])
        if not path.is_absolute():
            path = proof_dir / path
        files.append(ProofFile(str(path), row["original_name"] or path.name, path.is_file()))
    return files


@dataclass(frozen=True)
class QueuePage:
    """One page of open items, oldest first, with counts per kind over all open items."""

    items: list[dict[str, Any]]
    counts: dict[str, int]
    total: int
    page: int
    pages: int


async def open_items(tx: Tx, now: datetime, viewer: Person, page: int = 1) -> QueuePage:
    """The open items of the caseloads `viewer` works on now."""
    owners = await access.caseload_owners(tx, viewer.id, now)
    marks = ", ".join("?" for _ in owners)
    where = f"q.klantmanager_id IN ({marks}) AND q.state IN (?, ?, ?)"
    params = [*owners, *OPEN_STATES]
    kinds = await tx.all(
        f"SELECT q.kind, COUNT(*) AS n FROM queue_items q WHERE {where} "  # noqa: S608
        "GROUP BY q.kind ORDER BY q.kind",
        params,
    )
    counts = {r["kind"]: int(r["n"]) for r in kinds}
    total = sum(counts.values())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = await tx.all(
        "SELECT q.id, q.kind, q.state, q.period, q.created_at, p.name FROM queue_items q "  # noqa: S608
        f"JOIN people p ON p.id = q.participant_id WHERE {where} "
        "ORDER BY q.created_at, q.id LIMIT ? OFFSET ?",
        [*params, PAGE_SIZE, (page - 1) * PAGE_SIZE],
    )
    items = [dict(zip(r.keys(), tuple(r), strict=True)) for r in rows]
    return QueuePage(items, counts, total, page, pages)
