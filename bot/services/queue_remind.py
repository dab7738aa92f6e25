"""*Herinner nu*: the klantmanager reminds a participant of an overdue month, from its card.

The push keeps the participant's rules: never during quiet hours (it waits until they end) and at
most `policy.max_pushes_per_day` a day (past the cap it waits until the next morning). It goes
once per item and day: a reminder key (`queue_remind`, the month, `<item>:<day>`) decides, so a
second press (or a double tap) only says it was sent already. It counts towards the daily cap
like every other reminder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import utc_iso
from bot.contract import Button
from bot.domain.errors import AccessDenied, DomainError
from bot.domain.localtime import local_day, local_moment, quiet_until
from bot.domain.models import Person
from bot.domain.policy import Policy
from bot.domain.queue import IN_BEHANDELING, NIEUW, OPEN_STATES, REMIND, actions
from bot.services import access
from bot.services.queue import _move
from bot.storage import audit_log, outbox, people, reminders
from bot.storage import queue as queue_items
from bot.storage.unit import Tx

KIND = "queue_remind"
PUSH_KEY = "queue/remind_push"


@dataclass(frozen=True)
class Reminded:
    """What became of a press: the participant, the month, when it goes (UTC ISO), whether it
    waits (quiet hours or the daily cap), and whether it had been sent today already."""

    name: str
    period: str
    at: str
    held: bool
    already: bool = False


def send_at(policy: Policy, now: datetime, pushes_today: int) -> datetime:
    """When a reminder asked for now may go: now, after the quiet hours, or the next morning
    once today's cap is reached."""
    if pushes_today >= policy.max_pushes_per_day:
        return local_moment(local_day(now) + timedelta(days=1), policy.quiet_end)
    return quiet_until(policy, now)


async def remind_now(
    tx: Tx, now: datetime, viewer: Person, item_id: int, policy: Policy
) -> Reminded:
    """Push a reminder of the item's month to the participant, once per item and day."""
    item = await access.require_item(tx, viewer, item_id, now)
    if REMIND not in actions(item.kind, OPEN_STATES[0], has_proof=False):
        raise AccessDenied()  # only an overdue month offers it: a forged button
    if item.state not in OPEN_STATES or item.period is None:
        raise DomainError("queue/remind_closed")
    participant = await people.person_by_id(tx, item.participant_id)
    if participant is None:
        raise AccessDenied()
    today = local_day(now)
    pushes_today = await queue_items.pushes_on(tx, item.participant_id, today.isoformat())
    at = send_at(policy, now, pushes_today)
    stage = f"{item.id}:{today.isoformat()}"
    key = (item.participant_id, KIND, item.period, stage, "queued")
    fresh = await reminders.insert_keys(tx, [key], local_day(at), now)
    if not fresh:
        return Reminded(participant.name, item.period, utc_iso(at), at > now, already=True)
    outbox_id = await outbox.enqueue(
        tx,
        item.participant_id,
        PUSH_KEY,
        now,
        context={"period": item.period, "klantmanager": viewer.name},
        buttons=(
            (
                Button(
                    f"decl:start:{item.period}",
                    "buttons/rem_decl_start",
                    ctx={"period": item.period},
                ),
            ),
        ),
        dedupe_key=f"queue-remind:{item.id}:{today.isoformat()}",
        not_before=at,
    )
    await reminders.link_keys(tx, [(outbox_id, key_id) for key_id in fresh.values()])
    await _move(tx, now, item, viewer.id, IN_BEHANDELING, (NIEUW,), "remind", policy)
    await audit_log.record(
        tx, now, viewer.id, "queue.reminded", item.participant_id, item=item.id, at=utc_iso(at)
    )
    return Reminded(participant.name, item.period, utc_iso(at), at > now)
