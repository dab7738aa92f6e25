"""Demo people and some history, so a newcomer can try every role in the terminal."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from bot import demo_proofs
from bot.domain import declaration as rules
from bot.domain.answers import Draft
from bot.domain.localtime import local_day
from bot.domain.models import Household, Participant, Role
from bot.domain.norms import norm_for_period
from bot.domain.policy import Policy, load_policy
from bot.domain.timeliness import due_date
from bot.domain.weeks import week_slots
from bot.services import declarations, proofs, queue
from bot.storage import meta, participants, people
from bot.storage import proofs as proof_files
from bot.storage.unit import Database, Tx

CONSOLE = "console"
DEMO_PROOF_MAX_BYTES = 1_048_576  # the seeded files are a few hundred bytes
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
        return await meta.meta_get(tx, "demo") == "1"


async def seed_if_empty(db: Database, now: datetime, proof_dir: Path | None = None) -> bool:
    """Fill an empty database with the demo people; False when it already had people."""
    async with db.transaction() as tx:
        if await people.has_people(tx):
            return False
        await seed(tx, now, proof_dir)
        return True


async def seed(tx: Tx, now: datetime, proof_dir: Path | None = None) -> None:
    """Create the demo caseload, each person reachable in the terminal.

    With `proof_dir`, every seeded declaration carries the proof files it counts (stored by the
    chat's own proof service); without it, the seeded declarations claim none.
    """
    km = await people.insert_person(tx, KLANTMANAGER, Role.KLANTMANAGER, now)
    coach = await people.insert_person(tx, COACH, Role.COACH, now)
    admin = await people.insert_person(tx, ADMIN, Role.ADMIN, now)
    everyone = [km, coach, admin]
    for name, household, days_ago in PARTICIPANTS:
        pid = await people.insert_person(tx, name, Role.PARTICIPANT, now)
        start = (now - timedelta(days=days_ago)).date()
        await participants.insert_participant(tx, pid, km, coach, start, household)
        everyone.append(pid)
    for pid in everyone:
        await people.bind_identity(tx, CONSOLE, f"person-{pid}", pid, now)
    await meta.meta_set(tx, "demo", "1")
    await seed_history(tx, now, proof_dir)


async def seed_history(tx: Tx, now: datetime, proof_dir: Path | None = None) -> None:
    """Earlier declarations: Ayla sent every month but the last, Bram missed one, Noor is new."""
    policy = load_policy()
    today = local_day(now)
    plans = {"Ayla Voorbeeld": 1, "Bram Voorbeeld": 2}  # how many recent months stay open
    for name, open_months in plans.items():
        person = await people.person_by_name(tx, name)
        participant = await participants.participant(tx, person.id) if person else None
        if participant is None:
            continue
        months = declarations.closed_periods(participant, today)
        to_send = months[:-open_months] if open_months else months
        latest = None
        for i, period in enumerate(to_send):
            late = name.startswith("Bram") and i == len(to_send) - 2
            latest = await _seed_month(
                tx, policy, participant, period, i, late=late, proof_dir=proof_dir
            )
        if latest is not None:  # the klantmanager has the newest declaration in the queue
            decl_id, period, sent = latest
            await queue.open_item(
                tx,
                sent,
                participant.person_id,
                queue.SUBMITTED,
                declaration_id=decl_id,
                period=period,
                dedupe_key=f"declaration:{decl_id}",
                policy=policy,
            )


async def _seed_proofs(
    tx: Tx, sent: datetime, participant: Participant, period: str, proof_dir: Path | None
) -> int:
    """Store a receipt photo and an invoice for the month, as a draft's files; how many."""
    if proof_dir is None:
        return 0
    draft = Draft(participant.person_id, period, nonce="demo", step="demo")
    files = (
        (demo_proofs.jpeg(f"Demo bonnetje {period}"), f"bonnetje-{period}.jpg"),
        (demo_proofs.pdf(f"Demo factuur {period}"), f"factuur-{period}.pdf"),
    )
    root = await asyncio.to_thread(proof_dir.resolve)  # *Bewijs* finds them from any folder
    count = 0
    for data, name in files:
        count, _ = await proofs.add_proof(
            tx, sent, root, DEMO_PROOF_MAX_BYTES, draft, data, len(data), name
        )
    return count


async def _seed_month(
    tx: Tx,
    policy: Policy,
    participant: Participant,
    period: str,
    i: int,
    *,
    late: bool,
    proof_dir: Path | None = None,
) -> tuple[int, str, datetime]:
    due = due_date(policy, period)
    sent = datetime.combine(due + timedelta(days=4 if late else -3), time(9), tzinfo=UTC)
    proof_count = await _seed_proofs(tx, sent, participant, period, proof_dir)
    slots = week_slots(period)
    answers = rules.Answers(
        period=period,
        worked=True,
        revenue_cents=35_000 + (i * 17_900) % 60_000,
        costs={"inkoop": 4_500 + (i * 1_250) % 9_000, "telefoon": 2_500},
        weeks={s.key: Decimal(6 + (i + n) * 3 % 11) for n, s in enumerate(slots)},
        proof_count=proof_count,
    )
    figures = rules.figures(
        policy,
        answers,
        norm_cents=norm_for_period(policy, participant.household, period),
        earlier_costs={},
        known_hours={},
        year_hours_before=Decimal(0),
        start_date=participant.start_date,
    )
    decl_id, _ = await declarations.store_declaration(
        tx, sent, participant, answers, figures, 1, None
    )
    await proof_files.link(tx, participant.person_id, period, decl_id)
    await declarations.write_weeks(tx, sent, participant.person_id, answers)
    return decl_id, period, sent
