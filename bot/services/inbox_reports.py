"""The inbox's reports: this week's digest and the month's CSV export, for klantmanagers (their
own caseloads and delegated ones) and administrators (every caseload). Both are audited with the
participants' ids, like `ptobot digest` and `ptobot export`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain.errors import AccessDenied
from bot.domain.models import Person, Role
from bot.domain.policy import Policy
from bot.services import access, digest, exports
from bot.services.inbox import require_reviewer
from bot.storage import audit_log, people
from bot.storage.unit import Tx


async def klantmanagers(tx: Tx) -> list[Person]:
    """Every klantmanager, by name (an administrator picks one for the weekly overview)."""
    return [
        Person(e.id, e.name, e.role, e.locale)
        for e in await people.directory(tx)
        if e.role == Role.KLANTMANAGER
    ]


async def week_digest(
    tx: Tx,
    policy: Policy,
    viewer: Person,
    now: datetime,
    klantmanager_id: int | None = None,
    week: str | None = None,
) -> dict[str, Any]:
    """The weekly digest (the chat digest's figures) of the viewer, or of the klantmanager an
    administrator chose; AccessDenied for anyone else."""
    require_reviewer(viewer)
    owner = viewer
    if viewer.role == Role.ADMIN:
        found = await people.person_by_id(tx, klantmanager_id) if klantmanager_id else None
        if found is None or found.role != Role.KLANTMANAGER:
            raise AccessDenied()
        owner = found
    elif klantmanager_id not in (None, viewer.id):
        raise AccessDenied()
    window = digest.window_for(policy, now, week)
    figures = await digest.build_digest(tx, policy, owner, window)
    seen = await access.visible_participants(tx, owner, window.as_of)
    await audit_log.record(
        tx,
        now,
        viewer.id,
        "web.digest",
        None,
        participants=sorted(pid for pid, _, _ in seen),
        klantmanager_id=owner.id,
        week=window.week,
    )
    return figures


async def export(
    tx: Tx, policy: Policy, viewer: Person, now: datetime, period: str
) -> list[dict[str, str]]:
    """The month's CSV rows (docs/export.md) of the caseloads the viewer works on (audited)."""
    require_reviewer(viewer)
    rows = await exports.export_rows(tx, policy, period)
    if viewer.role != Role.ADMIN:
        allowed = {
            str(pid)
            for pid, _, view in await access.visible_participants(tx, viewer, now)
            if view == access.View.AMOUNTS
        }
        rows = [row for row in rows if row["participant_id"] in allowed]
    await audit_log.record(
        tx,
        now,
        viewer.id,
        "web.export",
        None,
        participants=sorted(int(row["participant_id"]) for row in rows),
        period=period,
        rows=len(rows),
    )
    return rows
