"""Monthly declarations: drafts, proof files, submit exactly once, corrections and the overview."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bot.clock import parse_utc, utc_iso
from bot.domain import declaration as rules
from bot.domain.errors import AccessDenied, DomainError
from bot.domain.models import Participant
from bot.domain.norms import norm_for_period, share_of_norm
from bot.domain.periods import (
    due_date,
    next_period,
    parse_period,
    period_of,
    periods_between,
    previous_period,
)
from bot.domain.policy import Policy
from bot.services import queue
from bot.storage import audit_log, declarations, participants
from bot.storage.unit import Row, Tx

# Proof files: what we accept, recognised by their first bytes rather than by the sender's word.
PROOF_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}
MAX_PROOFS_PER_DRAFT = 20
OVERVIEW_MONTHS = 6


@dataclass
class Draft:
    """A declaration being filled in; `data` is plain JSON (see `answers`)."""

    participant_id: int
    period: str
    nonce: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None

    @property
    def mode(self) -> str:
        """'new', or 'correction' of an earlier version."""
        return str(self.data.get("mode", "new"))

    def answers(self, proof_count: int) -> rules.Answers:
        """The draft as domain answers."""
        return rules.Answers(
            period=self.period,
            worked=bool(self.data.get("worked")),
            revenue_cents=int(self.data.get("revenue_cents") or 0),
            costs={k: int(v) for k, v in (self.data.get("costs") or {}).items()},
            weeks={k: Decimal(str(v)) for k, v in (self.data.get("weeks") or {}).items()},
            note=self.data.get("note"),
            proof_count=proof_count,
            no_proof=bool(self.data.get("no_proof")),
        )


@dataclass(frozen=True)
class Receipt:
    """What the participant is told after Verstuur."""

    reference: str
    period: str
    version: int
    submitted_at: str
    already: bool = False  # this tap found the declaration already sent


# ---------------------------------------------------------------- participants and periods


async def participant_of(tx: Tx, person_id: int) -> Participant:
    """The participant record of the person asking; AccessDenied for anyone else."""
    found = await participants.participant(tx, person_id)
    if found is None:
        raise AccessDenied()
    return found


def closed_periods(participant: Participant, today: date) -> list[str]:
    """Months from the start month up to last month: the ones a declaration is due for."""
    first = period_of(participant.start_date)
    last = previous_period(period_of(today))
    return periods_between(first, last) if first <= last else []


async def sent_periods(tx: Tx, participant_id: int) -> set[str]:
    """Periods with at least one declaration."""
    rows = await tx.all(
        "SELECT DISTINCT period FROM declarations WHERE participant_id = ?", (participant_id,)
    )
    return {r["period"] for r in rows}


async def open_periods(tx: Tx, participant: Participant, today: date) -> list[str]:
    """Closed months without a declaration, oldest first."""
    sent = await sent_periods(tx, participant.person_id)
    return [p for p in closed_periods(participant, today) if p not in sent]


async def period_status(tx: Tx, participant: Participant, period: str, today: date) -> str:
    """'open', 'sent', 'not_yet' (month not over), 'before_start' or 'invalid'."""
    try:
        parse_period(period)
    except ValueError:
        return "invalid"
    if period >= period_of(today):
        return "not_yet"
    if period < period_of(participant.start_date):
        return "before_start"
    return "sent" if await latest(tx, participant.person_id, period) else "open"


async def latest(tx: Tx, participant_id: int, period: str) -> Row | None:
    """The latest version of a month's declaration."""
    return await tx.one(
        "SELECT * FROM declarations WHERE participant_id = ? AND period = ? "
        "ORDER BY version DESC LIMIT 1",
        (participant_id, period),
    )


async def recent_sent(tx: Tx, participant_id: int, limit: int = 3) -> list[str]:
    """The most recent months that were sent, newest first (to offer a correction)."""
    rows = await tx.all(
        "SELECT DISTINCT period FROM declarations WHERE participant_id = ? "
        "ORDER BY period DESC LIMIT ?",
        (participant_id, limit),
    )
    return [r["period"] for r in rows]


# ---------------------------------------------------------------- drafts


async def load_draft(tx: Tx, participant_id: int) -> Draft | None:
    """The participant's draft, if any."""
    row = await tx.one(
        "SELECT * FROM declaration_drafts WHERE participant_id = ?", (participant_id,)
    )
    if row is None:
        return None
    return Draft(
        row["participant_id"],
        row["period"],
        row["nonce"],
        row["step"],
        json.loads(row["data"]),
        parse_utc(row["updated_at"]),
    )


async def save_draft(tx: Tx, now: datetime, draft: Draft) -> None:
    """Store the draft (it survives /stop, pauses and restarts)."""
    await tx.execute(
        "UPDATE declaration_drafts SET step = ?, data = ?, updated_at = ? "
        "WHERE participant_id = ? AND nonce = ?",
        (
            draft.step,
            json.dumps(draft.data, separators=(",", ":")),
            utc_iso(now),
            draft.participant_id,
            draft.nonce,
        ),
    )


async def start_draft(
    tx: Tx, now: datetime, participant: Participant, period: str, *, correction_of: int | None
) -> Draft:
    """Begin a fresh draft for `period`, replacing any earlier one (and its loose proofs)."""
    await discard_draft(tx, participant.person_id)
    data: dict[str, Any] = {"mode": "new", "costs": {}, "weeks": {}}
    step = "worked"
    if correction_of is not None:
        base = await latest(tx, participant.person_id, period)
        if base is None:
            raise DomainError("declaration/nothing_to_correct")
        stored = json.loads(base["data"])
        data = {
            "mode": "correction",
            "base_version": base["version"],
            "worked": bool(base["worked"]),
            "revenue_cents": base["revenue_cents"],
            "costs": {c["category"]: c["amount_cents"] for c in stored.get("costs", [])},
            "weeks": {w["week"]: w["hours"] for w in stored.get("weeks", [])},
            "note": stored.get("note"),
            "no_proof": bool(stored.get("no_proof")),
            "earlier_proofs": int(stored.get("proof_count") or 0),
        }
        step = "reason"
    draft = Draft(participant.person_id, period, secrets.token_hex(4), step, data)
    await tx.execute(
        "INSERT INTO declaration_drafts (participant_id, period, nonce, step, data, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            draft.participant_id,
            period,
            draft.nonce,
            step,
            json.dumps(data),
            utc_iso(now),
            utc_iso(now),
        ),
    )
    return draft


async def discard_draft(tx: Tx, participant_id: int) -> None:
    """Throw a draft away, with the proof files it had not yet linked."""
    await tx.execute(
        "DELETE FROM proofs WHERE participant_id = ? AND declaration_id IS NULL", (participant_id,)
    )
    await tx.execute("DELETE FROM declaration_drafts WHERE participant_id = ?", (participant_id,))


async def purge_drafts(tx: Tx, now: datetime, retention_days: int) -> int:
    """Remove drafts untouched for `retention_days` (and their loose proofs); returns how many."""
    cutoff = utc_iso(now - timedelta(days=retention_days))
    rows = await tx.all(
        "SELECT participant_id FROM declaration_drafts WHERE updated_at < ?", (cutoff,)
    )
    for row in rows:
        await discard_draft(tx, row["participant_id"])
        await tx.execute(
            "DELETE FROM conversation_state WHERE person_id = ? AND flow = 'declaration'",
            (row["participant_id"],),
        )
    return len(rows)


# ---------------------------------------------------------------- hours


async def known_hours(tx: Tx, participant_id: int) -> dict[str, Decimal]:
    """Weekly hours from check-ins and earlier declarations."""
    rows = await tx.all(
        "SELECT week, hours FROM weekly_hours WHERE participant_id = ?", (participant_id,)
    )
    return {r["week"]: Decimal(str(r["hours"])) for r in rows}


async def prefill(tx: Tx, participant_id: int, slot: rules.WeekSlot) -> Decimal | None:
    """What the weekly check-in said about a week that lies wholly inside the month."""
    if not slot.complete:
        return None
    value = await tx.scalar(
        "SELECT hours FROM weekly_hours WHERE participant_id = ? AND week = ?",
        (participant_id, slot.key),
    )
    return None if value is None else Decimal(str(value)).normalize()


async def write_weeks(tx: Tx, now: datetime, participant_id: int, answers: rules.Answers) -> None:
    """Store the declared hours per ISO week (a week shared with the next month adds up)."""
    for slot in rules.week_slots(answers.period):
        hours = answers.weeks.get(slot.key)
        if hours is None:
            continue
        if not slot.complete:
            # The week is shared with the neighbouring month: add that month's part when known.
            neighbour = (
                previous_period(answers.period)
                if slot.first.day == 1
                else next_period(answers.period)
            )
            other = await _declared_week(tx, participant_id, neighbour, slot.key)
            if other is None:
                exists = await tx.scalar(
                    "SELECT 1 FROM weekly_hours WHERE participant_id = ? AND week = ?",
                    (participant_id, slot.key),
                )
                if exists:
                    continue
            hours += other or Decimal(0)
        await tx.execute(
            "INSERT INTO weekly_hours (participant_id, week, hours, source, updated_at) "
            "VALUES (?, ?, ?, 'declaration', ?) ON CONFLICT (participant_id, week) DO UPDATE SET "
            "hours = excluded.hours, source = excluded.source, updated_at = excluded.updated_at",
            (participant_id, slot.key, float(hours), utc_iso(now)),
        )


async def _declared_week(tx: Tx, participant_id: int, period: str, week: str) -> Decimal | None:
    row = await latest(tx, participant_id, period)
    if row is None:
        return None
    for item in json.loads(row["data"]).get("weeks", []):
        if item.get("week") == week:
            return Decimal(str(item["hours"]))
    return None


# ---------------------------------------------------------------- proofs


def sniff(data: bytes) -> str | None:
    """The file type by its first bytes, when it is one we accept."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


async def proof_count(tx: Tx, participant_id: int, period: str) -> int:
    """Proof files sent for the draft of `period` so far."""
    value = await tx.scalar(
        "SELECT COUNT(*) FROM proofs WHERE participant_id = ? AND period = ? "
        "AND declaration_id IS NULL",
        (participant_id, period),
    )
    return int(value or 0)


async def add_proof(
    tx: Tx,
    now: datetime,
    proof_dir: Path,
    max_bytes: int,
    draft: Draft,
    data: bytes | None,
    size: int,
    name: str | None,
) -> tuple[int, bool]:
    """Store a proof file with its SHA-256; returns (files so far, was it new)."""
    if data is None or size > max_bytes or len(data) > max_bytes:
        raise DomainError("declaration/proof_too_big", max_mb=max(1, max_bytes // 1_048_576))
    mime = sniff(data)
    if mime is None:
        raise DomainError("declaration/proof_wrong_type")
    count = await proof_count(tx, draft.participant_id, draft.period)
    digest = hashlib.sha256(data).hexdigest()
    seen = await tx.scalar(
        "SELECT 1 FROM proofs WHERE participant_id = ? AND period = ? AND sha256 = ? "
        "AND declaration_id IS NULL",
        (draft.participant_id, draft.period, digest),
    )
    if seen:
        return count, False
    if count >= MAX_PROOFS_PER_DRAFT:
        raise DomainError("declaration/proof_too_many", limit=MAX_PROOFS_PER_DRAFT)
    folder = proof_dir / str(draft.participant_id) / draft.period
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}{PROOF_TYPES[mime]}"
    if not path.exists():
        path.write_bytes(data)
    await tx.execute(
        "INSERT INTO proofs (participant_id, period, sha256, path, mime, size, original_name, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            draft.participant_id,
            draft.period,
            digest,
            str(path),
            mime,
            len(data),
            (name or "")[:120] or None,
            utc_iso(now),
        ),
    )
    return count + 1, True


# ---------------------------------------------------------------- review and submit


async def _year_context(
    tx: Tx, participant_id: int, period: str
) -> tuple[dict[str, int], Decimal]:
    """This year's costs per category and hours, from the other months' latest versions."""
    year = period[:4]
    rows = await tx.all(
        "SELECT d.* FROM declarations d WHERE d.participant_id = ? AND d.period LIKE ? "
        "AND d.period != ? AND d.version = (SELECT MAX(version) FROM declarations e "
        "WHERE e.participant_id = d.participant_id AND e.period = d.period)",
        (participant_id, f"{year}-%", period),
    )
    costs: dict[str, int] = {}
    hours = Decimal(0)
    for row in rows:
        for line in json.loads(row["data"]).get("costs", []):
            costs[line["category"]] = costs.get(line["category"], 0) + int(line["amount_cents"])
        hours += Decimal(str(row["hours"]))
    return costs, hours


async def compute(
    tx: Tx, policy: Policy, participant: Participant, draft: Draft
) -> tuple[rules.Answers, rules.Figures]:
    """The draft's answers and their figures, counting earlier months."""
    answers = draft.answers(await proof_count(tx, participant.person_id, draft.period))
    earlier_costs, year_hours = await _year_context(tx, participant.person_id, draft.period)
    figures = rules.figures(
        policy,
        answers,
        norm_cents=norm_for_period(policy, participant.household, draft.period),
        earlier_costs=earlier_costs,
        known_hours=await known_hours(tx, participant.person_id),
        year_hours_before=year_hours,
        start_date=participant.start_date,
    )
    return answers, figures


def review_context(
    policy: Policy, draft: Draft, answers: rules.Answers, figures: rules.Figures
) -> dict[str, Any]:
    """What "Controleer je opgave" shows."""
    slots = rules.week_slots(draft.period)
    return {
        "period": draft.period,
        "correction": draft.mode == "correction",
        "reason": draft.data.get("reason"),
        "worked": answers.worked,
        "revenue_cents": answers.revenue_cents,
        "costs": [
            {"names": dict(c.names), "amount_cents": answers.costs[c.key]}
            for c in policy.costs
            if answers.costs.get(c.key)
        ],
        "costs_cents": answers.costs_cents,
        "weeks": [
            {
                "week": s.week,
                "first": s.first.isoformat(),
                "last": s.last.isoformat(),
                "hours": answers.weeks.get(s.key, Decimal(0)),
            }
            for s in slots
        ],
        "hours": figures.hours,
        "average_hours": figures.average_hours,
        "cap": policy.hour_cap_per_week,
        "year_pace": figures.year_pace,
        "annual_cap": policy.annual_hour_cap,
        "profit_cents": figures.profit_cents,
        "norm_cents": figures.norm_cents,
        "share_pct": figures.share_pct,
        "proof_count": answers.proof_count + int(draft.data.get("earlier_proofs") or 0),
        "no_proof": answers.no_proof,
        "note": answers.note,
        "flags": figures.flags,
    }


async def submit(
    tx: Tx, now: datetime, policy: Policy, participant: Participant, period: str, nonce: str
) -> Receipt:
    """Store the draft as an immutable declaration, exactly once, with queue item and audit."""
    pid = participant.person_id
    draft = await load_draft(tx, pid)
    if draft is None or draft.nonce != nonce or draft.period != period:
        return await _already_sent(tx, pid, period)
    current = await tx.scalar(
        "SELECT MAX(version) FROM declarations WHERE participant_id = ? AND period = ?",
        (pid, period),
    )
    version = int(current or 0) + 1
    if draft.mode == "new" and version > 1:
        raise DomainError("declaration/already_sent_use_fix", period=period)
    if draft.mode == "correction" and int(draft.data.get("base_version") or 0) != version - 1:
        raise DomainError("declaration/changed_meanwhile", period=period)
    spent = await tx.execute(
        "DELETE FROM declaration_drafts WHERE participant_id = ? AND nonce = ?", (pid, nonce)
    )
    if spent != 1:
        return await _already_sent(tx, pid, period)
    answers, figures = await compute(tx, policy, participant, draft)
    declaration_id, reference = await store_declaration(
        tx, now, participant, answers, figures, version, draft.data.get("reason")
    )
    await tx.execute(
        "UPDATE proofs SET declaration_id = ? WHERE participant_id = ? AND period = ? "
        "AND declaration_id IS NULL",
        (declaration_id, pid, period),
    )
    corrected = version > 1
    await queue.open_item(
        tx,
        now,
        pid,
        queue.CORRECTED if corrected else queue.SUBMITTED,
        declaration_id=declaration_id,
        period=period,
        dedupe_key=f"declaration:{declaration_id}",
        policy=policy,
        details={
            "reference": reference,
            "version": version,
            "reason": draft.data.get("reason"),
            "profit_cents": figures.profit_cents,
            "share_pct": figures.share_pct,
            "hours": float(figures.hours),
            "flags": figures.flags,
        },
    )
    await audit_log.record(
        tx,
        now,
        pid,
        "declaration.corrected" if corrected else "declaration.submitted",
        pid,
        declaration=declaration_id,
        reference=reference,
        period=period,
        version=version,
    )
    return Receipt(reference, period, version, utc_iso(now))


async def _already_sent(tx: Tx, participant_id: int, period: str) -> Receipt:
    row = await latest(tx, participant_id, period)
    if row is None:
        raise DomainError("declaration/no_draft")
    return Receipt(row["reference"], period, row["version"], row["submitted_at"], already=True)


async def next_reference(tx: Tx, period: str) -> str:
    """PTO-2026-11-0042: the period and its next sequence number."""
    await tx.execute(
        "INSERT INTO declaration_sequences (period, last) VALUES (?, 1) "
        "ON CONFLICT (period) DO UPDATE SET last = last + 1",
        (period,),
    )
    number = int(
        await tx.scalar("SELECT last FROM declaration_sequences WHERE period = ?", (period,))
    )
    return f"PTO-{period}-{number:04d}"


async def store_declaration(
    tx: Tx,
    now: datetime,
    participant: Participant,
    answers: rules.Answers,
    figures: rules.Figures,
    version: int,
    reason: str | None,
) -> tuple[int, str]:
    """Insert one immutable declaration row and its weekly hours; returns (id, reference)."""
    reference = await next_reference(tx, answers.period)
    declaration_id = await declarations.insert(
        tx,
        now,
        participant.person_id,
        answers,
        version=version,
        reference=reference,
        flags=figures.flags,
        reason=reason,
    )
    if answers.worked:
        await write_weeks(tx, now, participant.person_id, answers)
    return declaration_id, reference


# ---------------------------------------------------------------- overview


async def overview(
    tx: Tx, policy: Policy, participant: Participant, today: date
) -> dict[str, Any]:
    """The last six closed months and the next deadline, for /overzicht."""
    months = closed_periods(participant, today)[-OVERVIEW_MONTHS:]
    rows: list[dict[str, Any]] = []
    for period in reversed(months):
        row = await latest(tx, participant.person_id, period)
        due = due_date(period, policy.due_day)
        if row is None:
            rows.append({"period": period, "status": "late" if today > due else "open"})
            continue
        profit = row["revenue_cents"] - row["costs_cents"]
        sent_on = parse_utc(row["submitted_at"]).date()
        status = "corrected" if row["version"] > 1 else ("late_sent" if sent_on > due else "sent")
        rows.append(
            {
                "period": period,
                "status": status,
                "profit_cents": profit,
                "share_pct": share_of_norm(
                    profit, norm_for_period(policy, participant.household, period)
                ),
                "hours": Decimal(str(row["hours"])),
                "reference": row["reference"],
            }
        )
    waiting = await open_periods(tx, participant, today)
    next_period_due = waiting[0] if waiting else period_of(today)
    return {
        "months": rows,
        "next_period": next_period_due,
        "next_due": due_date(next_period_due, policy.due_day).isoformat(),
        "open_count": len(waiting),
        "overdue": due_date(next_period_due, policy.due_day) < today,
    }
