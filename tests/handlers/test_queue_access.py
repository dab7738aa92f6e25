"""Cross-role attempts are refused without revealing whether anything exists; delegation."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.app import App
from bot.clock import FixedClock
from bot.domain.errors import AccessDenied
from bot.services import access, caseload, queue
from messages import render
from tests import factories as f
from tests import factories_queue as fq
from tests.factories_queue import AYLA, CAS, CHATS, DIRK, KARIN, KIM

FORGED = ("queue:done:abc", "queue:done:-1", "queue:done:99999", "queue:drop:1", "queue:done")


async def _keys(app: App, chat: str, data: str, now: datetime) -> list[str]:
    outcome = await app.dispatcher.handle(f.button(chat, data), now=now)
    return [r.key for r in outcome.replies]


async def test_another_klantmanagers_item_is_refused_like_a_missing_one(
    app: App, clock: FixedClock
) -> None:
    now = clock.now()
    ids = await fq.caseloads(app, now)
    _, item_id = await fq.submit(app, now, ids[AYLA], "2026-11")
    for action in ("done", "fix", "proof", "open"):
        assert await _keys(app, CHATS[KARIN], f"queue:{action}:{item_id}", now) == [
            "common/not_allowed"
        ]
    for data in FORGED:
        assert await _keys(app, CHATS[KIM], data, now) == ["common/not_allowed"]
    assert (await fq.item(app, item_id))["state"] == "nieuw"
    listing = await app.dispatcher.handle(f.command(CHATS[KARIN], "/wachtrij"), now=now)
    assert listing.replies[0].ctx["total"] == 0
    theirs = await app.dispatcher.handle(f.command(CHATS[KARIN], "/deelnemer Ayla"), now=now)
    nobody = await app.dispatcher.handle(f.command(CHATS[KARIN], "/deelnemer Zoë"), now=now)
    assert theirs.replies[0].key == nobody.replies[0].key == "queue/participant_unknown"


async def test_a_participant_pressing_a_klantmanager_button_is_refused(
    app: App, clock: FixedClock
) -> None:
    now = clock.now()
    ids = await fq.caseloads(app, now)
    _, item_id = await fq.submit(app, now, ids[AYLA], "2026-11")
    assert await _keys(app, CHATS[AYLA], f"queue:done:{item_id}", now) == ["common/not_allowed"]
    outcome = await app.dispatcher.handle(f.command(CHATS[AYLA], "/wachtrij"), now=now)
    assert [r.key for r in outcome.replies] == ["common/not_allowed"]
    assert (await fq.item(app, item_id))["state"] == "nieuw"


async def test_a_coach_sees_hours_and_progress_never_amounts(app: App, clock: FixedClock) -> None:
    now = clock.now()
    ids = await fq.caseloads(app, now)
    _, item_id = await fq.submit(app, now, ids[AYLA], "2026-11", hours=42.5)
    outcome = await app.dispatcher.handle(f.command(CHATS[CAS], "/deelnemer Ayla"), now=now)
    reply = outcome.replies[0]
    assert reply.key == "queue/participant_progress"
    text = render(reply.key, "nl", **reply.ctx)
    assert "42,5 uur" in text
    assert "€" not in text
    assert not any("cents" in key for m in reply.ctx["months"] for key in m)
    assert await _keys(app, CHATS[CAS], f"queue:proof:{item_id}", now) == ["common/not_allowed"]
    # The check lives in the service too, not only in the handler.
    coach = await fq.who(app, CAS)
    async with app.services.db.read() as tx:
        with pytest.raises(AccessDenied):
            await caseload.amounts_overview(tx, app.services.policy, coach, now, ids[AYLA], "nl")
        assert item_id is not None
        with pytest.raises(AccessDenied):
            await queue.proof_files(tx, now, coach, item_id, app.services.settings.proof_dir)
    # Not the coach of Bram: nothing at all.
    bram = await app.dispatcher.handle(f.command(CHATS[CAS], "/deelnemer Bram"), now=now)
    assert bram.replies[0].key == "queue/participant_unknown"


async def test_delegation_works_while_it_runs_and_then_stops(app: App, clock: FixedClock) -> None:
    now = clock.now()  # Thursday 3 December 2026
    ids = await fq.caseloads(app, now)
    _, item_id = await fq.submit(app, now, ids[DIRK], "2026-11")
    assert await _keys(app, CHATS[KIM], f"queue:open:{item_id}", now) == ["common/not_allowed"]
    before = fq.RecordingTransport()
    await fq.drain(app, before, now)
    assert len(before.to(CHATS[KARIN])) == 1  # the first card went to Karin herself
    async with app.services.db.transaction() as tx:
        await access.delegate(tx, now, KARIN, KIM, date(2026, 12, 10))
    assert await _keys(app, CHATS[KIM], f"queue:open:{item_id}", now) == ["queue/card"]
    listing = await app.dispatcher.handle(f.command(CHATS[KIM], "/wachtrij"), now=now)
    assert [i["id"] for i in listing.replies[0].ctx["items"]] == [item_id]
    # New cards of Karin's caseload go to Kim while Karin is away.
    _, later_item = await fq.submit(app, now, ids[DIRK], "2026-10")
    transport = fq.RecordingTransport()
    await fq.drain(app, transport, now)
    kim_texts = [m.text for m in transport.to(CHATS[KIM])]
    assert any("Dirk Anders" in t and "caseload van Karin Klantmanager" in t for t in kim_texts)
    assert any("10 december 2026" in t for t in kim_texts)  # told about the delegation
    assert transport.to(CHATS[KARIN]) == []
    # The last day still counts (Amsterdam time); the day after it is over.
    last_evening = datetime(2026, 12, 10, 22, 30, tzinfo=UTC)  # 23:30 in Amsterdam
    assert await _keys(app, CHATS[KIM], f"queue:done:{later_item}", last_evening) == ["queue/done"]
    next_day = datetime(2026, 12, 10, 23, 30, tzinfo=UTC)  # 00:30 on the 11th
    assert await _keys(app, CHATS[KIM], f"queue:done:{item_id}", next_day) == [
        "common/not_allowed"
    ]
    assert (await fq.item(app, item_id))["state"] == "in_behandeling"


async def test_delegation_needs_two_klantmanagers_and_a_future_date(
    app: App, clock: FixedClock
) -> None:
    now = clock.now()
    await fq.caseloads(app, now)
    from bot.domain.errors import DomainError

    async with app.services.db.transaction() as tx:
        for source, target, until, key in (
            (KIM, CAS, date(2026, 12, 20), "queue/cli_not_klantmanager"),
            (KIM, KIM, date(2026, 12, 20), "queue/cli_delegate_self"),
            (KIM, KARIN, date(2026, 12, 2), "queue/cli_delegate_past"),
        ):
            with pytest.raises(DomainError) as caught:
                await access.delegate(tx, now, source, target, until)
            assert caught.value.key == key
