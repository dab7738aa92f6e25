"""A declaration reaches the klantmanager as a card; done, correction, proof, /wachtrij."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.app import App
from bot.clock import FixedClock
from bot.services import queue
from messages import render
from tests import factories as f
from tests import factories_queue as fq
from tests.factories_queue import AYLA, BRAM, CHATS, KARIN, KIM


def _text(outcome_reply: object, locale: str = "nl") -> str:
    reply = outcome_reply
    return render(reply.key, locale, **reply.ctx)  # type: ignore[attr-defined]


async def test_a_declaration_reaches_its_klantmanager_as_a_card(
    app: App, clock: FixedClock
) -> None:
    now = clock.now()
    ids = await fq.caseloads(app, now)
    _, item_id = await fq.submit(
        app, now, ids[AYLA], "2026-11", flags=[{"code": "no_proof"}, {"code": "made_up"}]
    )
    transport = fq.RecordingTransport()
    assert await fq.drain(app, transport, now) == 1
    (card,) = transport.to(CHATS[KIM])
    assert transport.to(CHATS[KARIN]) == []
    for expected in (
        "Ayla Voorbeeld",
        "november 2026",
        "€\xa01.250,50",  # omzet
        "€\xa0200,00",  # kosten
        "€\xa01.050,50",  # winst
        "75 %",  # 1.050,50 of the 2026 norm 1.401,50
        "indicatie",
        "Uren: 40",
        "Bewijsstukken: 0",
        "Geen bonnetjes",  # the no_proof flag's own template
        "made_up",  # an unknown flag shows as its code
    ):
        assert expected in card.text, expected
    # Issue 11: Bewijs only when there is proof to show (this declaration has none).
    assert [d for _, d in card.buttons[0]] == [
        f"queue:done:{item_id}",
        f"queue:fix:{item_id}",
    ]
    assert [label for label, _ in card.buttons[0]] == ["Afgehandeld", "Vraag correctie"]
    assert "fraude" not in card.text.lower()


async def test_afgehandeld_closes_the_item_once(app: App, clock: FixedClock) -> None:
    now = clock.now()
    ids = await fq.caseloads(app, now)
    _, item_id = await fq.submit(app, now, ids[AYLA], "2026-11")
    first = await app.dispatcher.handle(f.button(CHATS[KIM], f"queue:done:{item_id}"), now=now)
    assert [r.key for r in first.replies] == ["queue/done"]
    assert (await fq.item(app, item_id))["state"] == "afgehandeld"
    again = await app.dispatcher.handle(f.button(CHATS[KIM], f"queue:done:{item_id}"), now=now)
    assert [r.key for r in again.replies] == ["queue/already_done"]
    listing = await app.dispatcher.handle(f.command(CHATS[KIM], "/wachtrij"), now=now)
    assert listing.replies[0].ctx["total"] == 0


async def test_vraag_correctie_reaches_the_participant_and_the_correction_returns_the_item(
    app: App, clock: FixedClock
) -> None:
    now = clock.now()
    ids = await fq.caseloads(app, now)
    _, item_id = await fq.submit(app, now, ids[AYLA], "2026-11")
    transport = fq.RecordingTransport()
    await fq.drain(app, transport, now)

    asked = await app.dispatcher.handle(f.button(CHATS[KIM], f"queue:fix:{item_id}"), now=now)
    assert [r.key for r in asked.replies] == ["queue/ask_reason"]
    assert (await fq.item(app, item_id))["state"] == "in_behandeling"
    reason = "De bon van de telefoonkosten ontbreekt."
    sent = await app.dispatcher.handle(f.text(CHATS[KIM], reason), now=now)
    assert [r.key for r in sent.replies] == ["queue/fix_sent"]
    assert "Ayla Voorbeeld" in _text(sent.replies[0])
    assert (await fq.item(app, item_id))["state"] == "correctie_gevraagd"

    await fq.drain(app, transport, now)
    (request,) = transport.to(CHATS[AYLA])
    assert reason in request.text
    assert "november 2026" in request.text
    assert request.buttons == [[("Opgave verbeteren", "decl:fix:2026-11")]]

    # The participant corrects the month: the declaration service opens a CORRECTED item.
    later = now + timedelta(hours=2)
    _, corrected_id = await fq.submit(
        app, later, ids[AYLA], "2026-11", revenue=150_000, reason="Bon toegevoegd"
    )
    assert corrected_id is not None
    # Issue 11: the answer closes the request; the earlier item is superseded by the new one.
    assert (await fq.item(app, item_id))["state"] == "vervangen"
    assert (await fq.item(app, item_id))["replaced_by"] == corrected_id
    await fq.drain(app, transport, later)
    card = transport.to(CHATS[KIM])[-1]
    assert "Verbeterde opgave" in card.text
    assert "verbeterde versie waar om gevraagd is" in card.text
    assert "versie 2" in card.text
    # Closing the corrected version leaves the superseded request superseded.
    await app.dispatcher.handle(f.button(CHATS[KIM], f"queue:done:{corrected_id}"), now=later)
    assert (await fq.item(app, corrected_id))["state"] == "afgehandeld"
    assert (await fq.item(app, item_id))["state"] == "vervangen"


async def test_an_empty_reason_is_asked_again_and_stop_sends_nothing(
    app: App, clock: FixedClock
) -> None:
    now = clock.now()
    ids = await fq.caseloads(app, now)
    _, item_id = await fq.submit(app, now, ids[AYLA], "2026-11")
    await app.dispatcher.handle(f.button(CHATS[KIM], f"queue:fix:{item_id}"), now=now)
    empty = await app.dispatcher.handle(f.text(CHATS[KIM], "   "), now=now)
    assert [r.key for r in empty.replies] == ["queue/fix_reason_empty"]
    stopped = await app.dispatcher.handle(f.command(CHATS[KIM], "/stop"), now=now)
    assert [r.key for r in stopped.replies] == ["common/stopped"]
    assert (await fq.item(app, item_id))["state"] == "in_behandeling"
    async with app.services.db.read() as tx:
        pushed = await tx.scalar("SELECT COUNT(*) FROM outbox WHERE person_id = ?", (ids[AYLA],))
    assert pushed == 0


async def test_bewijs_sends_the_stored_files(app: App, clock: FixedClock) -> None:
    now = clock.now()
    ids = await fq.caseloads(app, now)
    decl_id, item_id = await fq.submit(app, now, ids[AYLA], "2026-11")
    first = await fq.proof(app, now, ids[AYLA], "2026-11", decl_id, "factuur.pdf")
    second = await fq.proof(app, now, ids[AYLA], "2026-11", decl_id, "bon.pdf")
    outcome = await app.dispatcher.handle(f.button(CHATS[KIM], f"queue:proof:{item_id}"), now=now)
    assert [r.document for r in outcome.replies] == [str(first), str(second)]
    _, other_item = await fq.submit(app, now, ids[BRAM], "2026-11")
    none = await app.dispatcher.handle(f.button(CHATS[KIM], f"queue:proof:{other_item}"), now=now)
    assert [r.key for r in none.replies] == ["queue/no_proof"]


async def test_wachtrij_lists_oldest_first_in_pages_with_counts(
    app: App, clock: FixedClock
) -> None:
    now = clock.now()
    ids = await fq.caseloads(app, now)
    periods = ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    for n, period in enumerate(periods):
        await fq.submit(app, now + timedelta(minutes=n), ids[AYLA], period)
    async with app.services.db.transaction() as tx:
        await queue.open_item(
            tx,
            now + timedelta(hours=1),
            ids[BRAM],
            queue.OVERDUE,
            period="2026-10",
            dedupe_key="overdue:bram",
            policy=app.services.policy,
        )
    page1 = await app.dispatcher.handle(f.command(CHATS[KIM], "/wachtrij"), now=now)
    reply = page1.replies[0]
    assert reply.ctx["counts"] == {"declaration_submitted": 6, "declaration_overdue": 1}
    assert reply.ctx["total"] == 7
    assert [i["period"] for i in reply.ctx["items"]] == periods[:5]
    text = _text(reply)
    assert "Opgave ingediend: 6" in text
    assert "Opgave te laat: 1" in text
    assert reply.buttons[-1][0].data == "queue:page:2"
    page2 = await app.dispatcher.handle(f.button(CHATS[KIM], "queue:page:2"), now=now)
    items = page2.replies[0].ctx["items"]
    assert [(i["name"], i["period"]) for i in items] == [(AYLA, "2026-10"), (BRAM, "2026-10")]
    opened = await app.dispatcher.handle(
        f.button(CHATS[KIM], page2.replies[0].buttons[0][0].data), now=now
    )
    assert opened.replies[0].key == "queue/card"
    assert (await fq.item(app, items[0]["id"]))["state"] == "in_behandeling"


async def test_deelnemer_shows_amounts_and_flags_to_the_klantmanager(
    app: App, clock: FixedClock
) -> None:
    now = clock.now()
    ids = await fq.caseloads(app, now)
    await fq.submit(app, now, ids[AYLA], "2026-10")
    await fq.submit(app, now, ids[AYLA], "2026-11", flags=[{"code": "no_proof"}])
    await fq.submit(app, now, ids[AYLA], "2026-11", revenue=130_000, reason="typfout")
    outcome = await app.dispatcher.handle(f.command(CHATS[KIM], "/deelnemer ayla"), now=now)
    reply = outcome.replies[0]
    assert reply.key == "queue/participant"
    text = _text(reply)
    assert "€\xa01.300,00" in text  # the latest version of november
    assert "versie 2 van 2" in text
    assert "indicatie" in text
    assert [m["period"] for m in reply.ctx["months"]] == ["2026-11", "2026-10"]


async def test_a_queued_card_stores_flags_as_data_and_renders_them_in_the_readers_language(
    app: App, clock: FixedClock
) -> None:
    now = clock.now()
    ids = await fq.caseloads(app, now)
    flags = [{"code": "no_proof"}, {"code": "made_up"}]
    _, item_id = await fq.submit(app, now, ids[AYLA], "2026-11", flags=flags)
    async with app.services.db.read() as tx:
        stored = await tx.scalar(
            "SELECT context FROM outbox WHERE dedupe_key = ?",
            (f"queue-card:{item_id}:{ids[KIM]}",),
        )
    context = json.loads(stored)
    assert context["flags"] == flags
    assert "flag_lines" not in context
    for locale, line in (("nl", "Geen bonnetjes"), ("en", "No receipts")):
        assert line in render("queue/card", locale, **context)


async def test_deelnemer_counts_the_open_items_per_state(app: App, clock: FixedClock) -> None:
    now = clock.now()
    ids = await fq.caseloads(app, now)
    await fq.submit(app, now, ids[AYLA], "2026-10")
    await fq.submit(app, now, ids[AYLA], "2026-11")
    listing = await app.dispatcher.handle(f.command(CHATS[KIM], "/wachtrij"), now=now)
    first = listing.replies[0].buttons[0][0].data  # open one item: it is in behandeling now
    await app.dispatcher.handle(f.button(CHATS[KIM], first), now=now)
    outcome = await app.dispatcher.handle(f.command(CHATS[KIM], "/deelnemer ayla"), now=now)
    reply = outcome.replies[0]
    assert reply.ctx["open_states"] == {"nieuw": 1, "in_behandeling": 1}
    assert "Open punten in de wachtrij: 2 (1 nieuw, 1 in behandeling)." in _text(reply)
