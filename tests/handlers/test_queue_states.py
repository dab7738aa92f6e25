"""Issue 11: visible states, versions that supersede, cards per kind, cards edited in place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.app import App
from bot.clock import FixedClock
from bot.domain.models import Role
from bot.services import queue
from messages import render
from tests import factories as f
from tests import factories_queue as fq
from tests.factories_queue import AYLA, CHATS, DIRK, KIM

ADMIN_CHAT = "7100"


def _text(reply: object) -> str:
    return render(reply.key, "nl", **reply.ctx)  # type: ignore[attr-defined]


async def _keys(app: App, chat: str, data: str, now: datetime) -> list[str]:
    outcome = await app.dispatcher.handle(f.button(chat, data), now=now)
    return [r.key for r in outcome.replies]


async def _listing(
    app: App, now: datetime, args: str = "", chat: str = CHATS[KIM]
) -> dict[str, Any]:
    outcome = await app.dispatcher.handle(f.command(chat, f"/wachtrij {args}".strip()), now=now)
    (reply,) = outcome.replies
    return {**reply.ctx, "text": _text(reply), "buttons": reply.buttons}


async def _overdue(app: App, now: datetime, participant: int, period: str) -> int:
    async with app.services.db.transaction() as tx:
        item_id = await queue.open_item(
            tx,
            now,
            participant,
            queue.OVERDUE,
            period=period,
            dedupe_key=f"overdue:{participant}:{period}",
            policy=app.services.policy,
        )
    assert item_id is not None
    return item_id


async def test_a_correction_round_trip_shows_its_states_and_edits_the_cards(
    app: App, clock: FixedClock
) -> None:
    now = clock.now()
    ids = await fq.caseloads(app, now)
    _, first = await fq.submit(app, now, ids[AYLA], "2026-11")
    assert first is not None
    transport = fq.RecordingTransport()
    await fq.drain(app, transport, now)
    (card,) = transport.to(CHATS[KIM])
    assert "Status: <b>nieuw</b>" in card.text
    assert "• Overige kosten: €\xa0200,00" in card.text  # the cost line

    await app.dispatcher.handle(f.button(CHATS[KIM], f"queue:fix:{first}"), now=now)
    reason = "De bon van de telefoon ontbreekt."
    await app.dispatcher.handle(f.text(CHATS[KIM], reason), now=now)
    waiting = await _listing(app, now)
    assert waiting["states"] == {"correctie_gevraagd": 1}
    assert "correctie gevraagd: 1" in waiting["text"]
    await fq.drain(app, transport, now)
    edited = transport.edited(CHATS[KIM])[-1]
    assert "correctie gevraagd" in edited.text
    assert reason in edited.text
    assert "Bijgewerkt" in edited.text
    assert [label for row in edited.buttons for label, _ in row] == ["Afgehandeld"]
    assert len(transport.to(CHATS[KIM])) == 1  # edited in place, not sent again

    later = now + timedelta(hours=2)
    _, second = await fq.submit(app, later, ids[AYLA], "2026-11", revenue=150_000, reason="Bon")
    assert (await fq.item(app, first))["state"] == "vervangen"
    await fq.drain(app, transport, later)
    superseded = transport.edited(CHATS[KIM])[-1]
    assert "vervangen" in superseded.text
    assert f"punt {second}" in superseded.text
    assert superseded.buttons == []
    new_card = transport.to(CHATS[KIM])[-1]
    assert "Omzet: was €\xa01.250,50, nu €\xa01.500,00" in new_card.text
    assert "verbeterde versie waar om gevraagd is" in new_card.text
    listing = await _listing(app, later)
    assert [i["id"] for i in listing["items"] if i["period"] == "2026-11"] == [second]
    assert (listing["total"], listing["closed"]) == (1, 1)

    assert await _keys(app, CHATS[KIM], f"queue:done:{second}", later) == ["queue/done"]
    assert (await _listing(app, later))["total"] == 0
    await fq.drain(app, transport, later)
    done = transport.edited(CHATS[KIM])[-1]
    assert "Status: <b>afgehandeld</b>" in done.text
    assert done.buttons == []
    everything = await _listing(app, later, "alles")
    assert {i["state"] for i in everything["items"]} == {"vervangen", "afgehandeld"}


async def test_a_version_on_own_initiative_supersedes_the_first(
    app: App, clock: FixedClock
) -> None:
    now = clock.now()
    ids = await fq.caseloads(app, now)
    _, first = await fq.submit(app, now, ids[AYLA], "2026-11")
    _, second = await fq.submit(app, now, ids[AYLA], "2026-11", revenue=100_000)
    assert (await fq.item(app, first or 0))["state"] == "vervangen"
    listing = await _listing(app, now)
    assert [i["id"] for i in listing["items"]] == [second]
    assert listing["states"] == {"nieuw": 1}


async def test_an_overdue_card_offers_herinner_nu_and_afgehandeld_only(
    app: App, clock: FixedClock
) -> None:
    now = clock.now()
    ids = await fq.caseloads(app, now)
    item_id = await _overdue(app, now, ids[AYLA], "2026-10")
    transport = fq.RecordingTransport()
    await fq.drain(app, transport, now)
    (card,) = transport.to(CHATS[KIM])
    assert card.buttons == [
        [("Herinner nu", f"queue:remind:{item_id}"), ("Afgehandeld", f"queue:done:{item_id}")]
    ]
    # forged buttons the card never offers are refused and change nothing
    assert await _keys(app, CHATS[KIM], f"queue:fix:{item_id}", now) == ["common/not_allowed"]
    assert await _keys(app, CHATS[KIM], f"queue:proof:{item_id}", now) == ["common/not_allowed"]
    assert (await fq.item(app, item_id))["state"] == "nieuw"


async def test_herinner_nu_reaches_the_participant_once_even_when_pressed_twice(
    app: App, clock: FixedClock
) -> None:
    now = clock.now()
    ids = await fq.caseloads(app, now)
    item_id = await _overdue(app, now, ids[AYLA], "2026-10")
    first = await app.dispatcher.handle(f.button(CHATS[KIM], f"queue:remind:{item_id}"), now=now)
    assert [r.key for r in first.replies] == ["queue/remind_sent"]
    assert first.replies[0].ctx["held"] is False
    again = await _keys(app, CHATS[KIM], f"queue:remind:{item_id}", now)
    assert again == ["queue/remind_already"]
    transport = fq.RecordingTransport()
    await fq.drain(app, transport, now)
    (push,) = transport.to(CHATS[AYLA])
    assert "oktober 2026" in push.text
    assert "Kim Klantmanager" in push.text
    assert [data for row in push.buttons for _, data in row] == ["decl:start:2026-10"]


async def test_herinner_nu_waits_for_the_end_of_quiet_hours_and_says_so(
    app: App, clock: FixedClock
) -> None:
    evening = datetime(2026, 12, 3, 21, 30, tzinfo=UTC)  # 22:30 in Amsterdam
    ids = await fq.caseloads(app, evening)
    item_id = await _overdue(app, evening, ids[AYLA], "2026-10")
    sent = await app.dispatcher.handle(
        f.button(CHATS[KIM], f"queue:remind:{item_id}"), now=evening
    )
    reply = sent.replies[0]
    assert (reply.key, reply.ctx["held"]) == ("queue/remind_sent", True)
    assert reply.ctx["at"].startswith("2026-12-04T07:00")  # 08:00 in Amsterdam
    assert "4 december 2026, 08:00" in _text(reply)
    transport = fq.RecordingTransport()
    await fq.drain(app, transport, evening)
    assert transport.to(CHATS[AYLA]) == []
    await fq.drain(app, transport, datetime(2026, 12, 4, 7, 0, tzinfo=UTC))
    assert len(transport.to(CHATS[AYLA])) == 1


async def test_herinner_nu_keeps_the_daily_cap(app: App, clock: FixedClock) -> None:
    now = clock.now()
    ids = await fq.caseloads(app, now)
    first = await _overdue(app, now, ids[AYLA], "2026-09")
    second = await _overdue(app, now, ids[AYLA], "2026-10")
    assert (
        await app.dispatcher.handle(f.button(CHATS[KIM], f"queue:remind:{first}"), now=now)
    ).replies[0].ctx["held"] is False
    capped = await app.dispatcher.handle(f.button(CHATS[KIM], f"queue:remind:{second}"), now=now)
    assert capped.replies[0].ctx["held"] is True  # one push a day: tomorrow morning
    assert "4 december 2026, 08:00" in _text(capped.replies[0])


async def test_an_administrator_has_a_queue_over_all_caseloads(
    app: App, clock: FixedClock
) -> None:
    now = clock.now()
    ids = await fq.caseloads(app, now)
    async with app.services.db.transaction() as tx:
        await fq.person(tx, now, "Ada Beheer", Role.ADMIN, ADMIN_CHAT)
    _, ayla_item = await fq.submit(app, now, ids[AYLA], "2026-11")
    _, dirk_item = await fq.submit(app, now, ids[DIRK], "2026-11")
    listing = await _listing(app, now, chat=ADMIN_CHAT)
    assert {i["id"] for i in listing["items"]} == {ayla_item, dirk_item}
    assert await _keys(app, ADMIN_CHAT, f"queue:open:{dirk_item}", now) == ["queue/card"]
    kim = await _listing(app, now)
    assert [i["id"] for i in kim["items"]] == [ayla_item]


async def test_a_card_that_cannot_be_edited_is_sent_anew_and_later_edits_follow_it(
    app: App, clock: FixedClock
) -> None:
    now = clock.now()
    ids = await fq.caseloads(app, now)
    _, item_id = await fq.submit(app, now, ids[AYLA], "2026-11")
    transport = fq.RecordingTransport(editable=False)
    await fq.drain(app, transport, now)
    await _keys(app, CHATS[KIM], f"queue:open:{item_id}", now)  # nieuw → in behandeling
    await fq.drain(app, transport, now)
    _first, again = transport.to(CHATS[KIM])
    assert "Bijgewerkt" in again.text
    assert "in behandeling" in again.text
    transport.editable = True
    await _keys(app, CHATS[KIM], f"queue:done:{item_id}", now)
    await fq.drain(app, transport, now)
    ((_, message_id, edit),) = transport.edits
    assert message_id == "2"  # the card sent anew, not the first one
    assert "afgehandeld" in edit.text


async def test_a_correction_that_changes_nothing_is_answered_kindly_and_not_stored(
    app: App,
) -> None:
    from tests.handlers.test_declaration_flow import Chat, _people, _rows

    await _people(app)
    chat = Chat(app)
    await chat.say("/opgave")
    await chat.tap("decl:worked:no")
    await chat.tap(next(b for b in chat.buttons() if b.startswith("decl:send:")))
    await chat.say("/opgave")
    await chat.tap("decl:fix:2026-11")
    await chat.say("Ik dacht dat er iets mis was")
    assert chat.keys() == ["declaration/review"]
    await chat.tap(next(b for b in chat.buttons() if b.startswith("decl:send:")))
    assert chat.keys() == ["queue/correction_unchanged"]
    assert "niets te veranderen" in _text(chat.last.replies[0])  # type: ignore[union-attr]
    rows = await _rows(app, "SELECT version FROM declarations")
    assert [r["version"] for r in rows] == [1]
    # the draft stays: changing an answer and sending again makes it a version
    await chat.tap("decl:edit:worked")
    await chat.tap("decl:worked:yes")
    await chat.say("300")
    await chat.tap("decl:costs:none")
    for _ in range(6):
        await chat.tap("decl:hours:4")
    await chat.tap("decl:proof:none")
    await chat.tap("decl:note:skip")
    await chat.tap(next(b for b in chat.buttons() if b.startswith("decl:send:")))
    assert chat.reply("declaration/receipt")["version"] == 2
