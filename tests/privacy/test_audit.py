"""Every view of a participant's data by a klantmanager or coach, and every push, is audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import App
from bot.channels.base import Outgoing
from bot.contract import Kind
from bot.outbox import drain_once
from bot.storage import outbox
from tests.privacy.test_access_matrix import NOW, PEOPLE, ROUTER, _inbound, world

BRAM = PEOPLE["bram"][0]


async def _audited(app: App, actor: int | None, subject: int) -> list[str]:
    async with app.services.db.read() as tx:
        rows = await tx.all(
            "SELECT action FROM audit_log WHERE subject_id = ? AND actor_id IS ? ORDER BY id",
            (subject, actor),
        )
    return [r["action"] for r in rows]


VIEWS = [
    ("karel", Kind.BUTTON, "queue:open:7302"),
    ("karel", Kind.BUTTON, "queue:proof:7302"),
    ("karel", Kind.COMMAND, "/deelnemer Bram Geheimhouder"),
    ("cor", Kind.COMMAND, "/deelnemer Bram Geheimhouder"),
]


@pytest.mark.parametrize(("viewer", "kind", "what"), VIEWS)
async def test_a_view_by_a_klantmanager_or_coach_is_audited(
    tmp_path: Path, viewer: str, kind: Kind, what: str
) -> None:
    if "queue" not in ROUTER.callbacks:
        pytest.skip("the queue feature is not registered")
    async with world(tmp_path) as app:
        inbound = (
            _inbound(viewer, kind, line=what)
            if kind == Kind.COMMAND
            else _inbound(viewer, kind, data=what)
        )
        out = await app.dispatcher.handle(inbound, now=NOW)
        assert "common/not_allowed" not in [r.key for r in out.replies]
        assert await _audited(app, PEOPLE[viewer][0], BRAM), f"{viewer} {what} left no trace"


class _Recorder:
    """A transport that accepts every message."""

    name = "telegram"

    def __init__(self) -> None:
        self.sent: list[tuple[str, Outgoing]] = []

    async def deliver(self, address: str, message: Outgoing) -> None:
        """Keep the message."""
        self.sent.append((address, message))


async def test_a_delivered_push_is_audited(tmp_path: Path) -> None:
    async with world(tmp_path) as app:
        async with app.services.db.transaction() as tx:
            await outbox.enqueue(tx, BRAM, "common/fallback", NOW, dedupe_key="probe-push")
        transport = _Recorder()
        delivered = await drain_once(app.services.db, transport, NOW, 3)
        assert delivered == 1
        async with app.services.db.read() as tx:
            rows = await tx.all(
                "SELECT action FROM audit_log WHERE subject_id = ? AND action LIKE '%push%'",
                (BRAM,),
            )
        assert rows, "the push left no trace in the audit log"


async def test_the_export_is_audited(tmp_path: Path) -> None:
    async with world(tmp_path) as app:
        await app.dispatcher.handle(_inbound("bram", Kind.COMMAND, line="/mijngegevens"), now=NOW)
        assert "data.exported" in await _audited(app, BRAM, BRAM)
