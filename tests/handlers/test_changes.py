"""/wijziging through the dispatcher: a change in circumstances, reported once, with a receipt."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.app import App
from bot.config import Settings
from bot.contract import Inbound, Kind
from bot.domain.models import Role
from bot.services import queue
from bot.services.privacy import purge
from bot.storage import people
from handlers import build_router
from messages.render import render
from tests.conftest import NOW
from tests.handlers.test_declaration_flow import JPEG, Chat, _people, _read, _rows

BSN = "123456782"  # passes the 11-proef; invented


async def _answer(chat: Chat, kind: str, day: str, explanation: str) -> None:
    """Start /wijziging and answer the kind, the day and the explanation."""
    await chat.say("/wijziging")
    await chat.tap(f"chg:kind:{kind}")
    await chat.say(day)
    await chat.say(explanation)


def _send_button(chat: Chat) -> str:
    return next(b for b in chat.buttons() if b.startswith("chg:send:"))


def _exists(path: Path) -> bool:
    return path.exists()


@pytest.fixture
async def chat(app: App) -> Chat:
    await _people(app)
    return Chat(app)


async def _report_abroad(chat: Chat, explanation: str = "3 maanden naar Marokko") -> str:
    """Report a stay abroad up to the review; returns the send button's data."""
    await chat.say("/wijziging")
    assert chat.keys() == ["changes/ask_kind"]
    assert "chg:kind:buitenland" in chat.buttons()
    await chat.tap("chg:kind:buitenland")
    assert chat.keys() == ["changes/ask_date"]
    assert chat.reply("changes/ask_date")["days"] == 28
    await chat.say("1 februari 2027")
    assert chat.keys() == ["changes/ask_explanation"]
    await chat.say(explanation)
    assert chat.keys() == ["changes/ask_document"]
    await chat.tap("chg:doc:none")
    assert chat.keys() == ["changes/review"]
    return _send_button(chat)


async def test_a_change_is_reported_once_with_a_receipt_and_a_card(chat: Chat, app: App) -> None:
    send = await _report_abroad(chat)
    review = chat.reply("changes/review")
    assert (review["kind"], review["on"], review["doc"]) == (
        "Verblijf in het buitenland",
        "2027-02-01",
        None,
    )
    await chat.tap(send)
    assert chat.keys() == ["changes/receipt"]
    receipt = chat.reply("changes/receipt")
    assert receipt["reference"] == "WIJZ-2026-12-0001"
    [change] = await _rows(app, "SELECT * FROM circumstance_changes")
    assert (change["kind"], change["happens_on"], change["explanation"]) == (
        "buitenland",
        "2027-02-01",
        "3 maanden naar Marokko",
    )
    assert not [c for c in change if "adres" in c or "address" in c]  # none asked, none kept
    [item] = await _rows(app, "SELECT * FROM queue_items")
    assert item["kind"] == queue.CHANGE_REPORTED
    assert json.loads(str(item["details"]))["reference"] == "WIJZ-2026-12-0001"
    [card] = await _rows(app, "SELECT * FROM outbox WHERE message_key = 'queue/card'")
    text = render("queue/card", "nl", **json.loads(str(card["context"])))
    assert "Verblijf in het buitenland" in text
    assert "3 maanden naar Marokko" in text
    assert "1 februari 2027" in text
    assert "WIJZ-2026-12-0001" in text
    actions = [b["data"] for row in json.loads(str(card["buttons"])) for b in row]
    assert actions == [f"queue:done:{item['id']}"]
    audit = await _rows(app, "SELECT action FROM audit_log WHERE action = 'change.reported'")
    assert len(audit) == 1


async def test_a_double_tap_and_a_redelivered_update_report_it_once(chat: Chat, app: App) -> None:
    send = await _report_abroad(chat)
    await chat.tap(send, update_id="same")
    again = await chat.tap(send, update_id="same")
    assert again.duplicate
    await chat.tap(send)
    assert chat.keys() == ["changes/already_sent"]
    assert chat.reply("changes/already_sent")["reference"] == "WIJZ-2026-12-0001"
    assert len(await _rows(app, "SELECT * FROM circumstance_changes")) == 1
    assert len(await _rows(app, "SELECT * FROM queue_items")) == 1
    assert len(await _rows(app, "SELECT * FROM outbox WHERE message_key = 'queue/card'")) == 1
    # The next change gets the next number of the month.
    await chat.tap(await _report_abroad(chat, "Twee weken naar familie"))
    assert chat.reply("changes/receipt")["reference"] == "WIJZ-2026-12-0002"


async def test_bad_dates_and_explanations_are_asked_again(chat: Chat, app: App) -> None:
    await chat.say("/wijziging")
    await chat.tap("chg:kind:verhuizen")
    for typed in ("binnenkort", "31-02-2027", "1-1-2040"):
        await chat.say(typed)
        assert chat.keys() == ["changes/bad_date"]
    await chat.say("5-1")  # in December: next January
    assert chat.keys() == ["changes/ask_explanation"]
    [change] = await _rows(app, "SELECT happens_on FROM circumstance_changes")
    assert change["happens_on"] == "2027-01-05"
    await chat.say("   ")
    assert chat.keys() == ["changes/explanation_empty"]
    await chat.say("x" * 501)
    assert chat.keys() == ["changes/explanation_long"]
    assert chat.reply("changes/explanation_long")["limit"] == 500
    await chat.say(f"Nieuwe woning, mijn BSN is {BSN}")
    assert chat.keys()[-1] == "changes/ask_document"
    [change] = await _rows(app, "SELECT explanation FROM circumstance_changes")
    assert BSN not in str(change["explanation"])
    assert "*********" in str(change["explanation"])
    await chat.say("iets anders")  # neither a file nor "geen": asked again
    assert chat.keys() == ["changes/ask_document"]
    await chat.tap("chg:kind:nope")
    assert chat.keys() == ["changes/stale_button"]


async def test_a_document_is_checked_and_kept_like_a_receipt_and_shown_on_the_card(
    chat: Chat, app: App, settings: Settings
) -> None:
    await _answer(chat, "vermogen", "vandaag", "Auto gekregen van mijn oom")
    await chat.photo(b"MZ not a picture at all")
    assert chat.keys() == ["declaration/proof_wrong_type"]
    await chat.photo(JPEG)
    assert chat.keys() == ["changes/document_received", "changes/review"]
    assert chat.reply("changes/review")["doc"] is True
    [change] = await _rows(app, "SELECT * FROM circumstance_changes")
    path = Path(str(change["document_path"]))
    assert _read(path) == JPEG
    assert path.is_relative_to(settings.proof_dir)
    assert change["document_mime"] == "image/jpeg"
    await chat.tap(_send_button(chat))
    assert chat.keys() == ["changes/receipt"]
    [card] = await _rows(app, "SELECT * FROM outbox WHERE message_key = 'queue/card'")
    actions = [b["data"] for row in json.loads(str(card["buttons"])) for b in row]
    [item] = await _rows(app, "SELECT id FROM queue_items")
    assert actions == [f"queue:done:{item['id']}", f"queue:proof:{item['id']}"]


async def test_the_klantmanager_sees_the_document_and_closes_the_item(
    chat: Chat, app: App
) -> None:
    await _answer(chat, "kvk", "14-12-2026", "Uitschrijven bij de KvK")
    await chat.photo(JPEG)
    await chat.tap(_send_button(chat))
    [item] = await _rows(app, "SELECT id FROM queue_items")
    async with app.services.db.read() as tx:
        km = await people.person_by_id(tx, 1)
    assert km is not None
    async with app.services.db.transaction() as tx:
        files = await queue.proof_files(
            tx, NOW, km, int(str(item["id"])), app.services.settings.proof_dir
        )
        assert [f.exists for f in files] == [True]
        await queue.mark_done(tx, NOW, km, int(str(item["id"])), app.services.policy)
    [state] = await _rows(app, "SELECT state FROM queue_items")
    assert state["state"] == "afgehandeld"


async def test_restart_throws_the_draft_away_and_other_roles_are_refused(
    chat: Chat, app: App
) -> None:
    await chat.say("/wijziging")
    await chat.tap("chg:kind:inkomen")
    await chat.photo(JPEG)  # a document before the day: kept, and the day asked again
    assert chat.keys() == ["changes/document_received", "changes/ask_date"]
    await chat.say("1-1-2027")
    await chat.photo(JPEG)
    assert chat.keys() == ["changes/document_received", "changes/ask_explanation"]
    [row] = await _rows(app, "SELECT document_path FROM circumstance_changes")
    document = Path(str(row["document_path"]))
    assert _exists(document)
    await chat.tap("chg:restart")
    assert chat.keys() == ["changes/ask_kind"]
    assert await _rows(app, "SELECT * FROM circumstance_changes") == []
    assert not _exists(document)  # its document went too
    await chat.tap("chg:send:1")
    assert chat.keys() == ["changes/no_draft"]
    async with app.services.db.transaction() as tx:
        kim = await tx.one("SELECT id FROM people WHERE role = 'klantmanager'")
        assert kim is not None
        await people.bind_identity(tx, "test", "kim", int(str(kim[0])), NOW)
    refused = await Chat(app).send(
        Inbound("test", "kim", Kind.COMMAND, "kim-1", "/wijziging", "wijziging", "")
    )
    assert [r.key for r in refused.replies] == ["common/not_allowed"]


@pytest.mark.parametrize(
    "note",
    [
        "Ik ga samenwonen in januari.",
        "Volgende maand 3 maanden naar Marokko.",
        "Ik ga trouwen!",
        "We gaan verhuizen",
        "Ik heb een erfenis gekregen",
        "auto gekocht voor de klussen",
        "Ik denk erover te stoppen met mijn bedrijf",
    ],
)
async def test_a_note_about_a_change_gets_one_gentle_pointer(
    chat: Chat, app: App, note: str
) -> None:
    await chat.say("/opgave")
    await chat.say("nee")
    await chat.tap("decl:edit:note")
    await chat.say(note)
    assert chat.keys()[-1] == "declaration/review"
    send = next(b for b in chat.buttons() if b.startswith("decl:send:"))
    await chat.tap(send)
    assert chat.keys() == ["declaration/receipt", "changes/hint"]
    await chat.tap(send)
    assert chat.keys() == ["declaration/already_sent"]  # once: not again on a second tap


async def test_a_plain_note_gets_no_pointer(chat: Chat) -> None:
    await chat.say("/opgave")
    await chat.say("nee")
    await chat.tap("decl:edit:note")
    await chat.say("Rustige maand, weinig klanten.")
    await chat.tap(next(b for b in chat.buttons() if b.startswith("decl:send:")))
    assert chat.keys() == ["declaration/receipt"]


async def test_mijngegevens_and_the_purge_include_the_changes(
    chat: Chat, app: App, settings: Settings
) -> None:
    await _answer(chat, "bedrijf", "1-3-2027", "Ik stop met de webshop")
    await chat.photo(JPEG)
    await chat.tap(_send_button(chat))
    await chat.say("/mijngegevens")
    export = chat.reply("privacy/export_ready")
    assert chat.last is not None
    data = json.loads(_read(Path(str(chat.last.replies[0].document))))
    [change] = data["changes"]
    assert (change["kind"], change["happens_on"], change["reference"]) == (
        "bedrijf",
        "2027-03-01",
        "WIJZ-2026-12-0001",
    )
    assert change["explanation"] == "Ik stop met de webshop"
    assert export["proofs"] == 1  # the document is sent along
    assert "circumstance_changes" not in data.get("other", {})
    [row] = await _rows(app, "SELECT document_path FROM circumstance_changes")
    document = Path(str(row["document_path"]))
    # Within the term nothing goes; past it the change, its document and its copies go.
    report = await purge(app.services.db, app.services.policy, NOW, proof_dir=settings.proof_dir)
    assert report.changes == 0
    assert _exists(document)
    later = NOW.replace(year=NOW.year + 11)
    report = await purge(app.services.db, app.services.policy, later, proof_dir=settings.proof_dir)
    assert report.changes == 1
    assert await _rows(app, "SELECT * FROM circumstance_changes") == []
    assert not _exists(document)
    for item in await _rows(app, "SELECT details FROM queue_items"):
        assert "WIJZ-" not in str(item["details"])
    for row in await _rows(app, "SELECT details FROM audit_log"):
        assert "WIJZ-" not in str(row["details"])
    for row in await _rows(app, "SELECT context FROM outbox"):
        assert "webshop" not in str(row["context"])


async def test_an_unsent_change_goes_after_the_drafts_term(
    chat: Chat, app: App, settings: Settings
) -> None:
    await chat.say("/wijziging")
    await chat.tap("chg:kind:samenwonen")
    await chat.say("1-1-2027")
    later = NOW.replace(year=2027, month=2)
    report = await purge(app.services.db, app.services.policy, later, proof_dir=settings.proof_dir)
    assert report.change_drafts == 1
    assert await _rows(app, "SELECT * FROM circumstance_changes") == []


def test_the_day_is_read_the_dutch_way() -> None:
    from bot.domain.localtime import parse_local_date

    today = date(2026, 12, 3)
    assert parse_local_date("14-12-2026", today) == date(2026, 12, 14)
    assert parse_local_date("14 december", today) == date(2026, 12, 14)
    assert parse_local_date("3 mrt 2027", today) == date(2027, 3, 3)
    assert parse_local_date("2027-01-05", today) == date(2027, 1, 5)
    assert parse_local_date("morgen", today) == date(2026, 12, 4)
    assert parse_local_date("gisteren", today) == date(2026, 12, 2)
    assert parse_local_date("30-11", today) == date(2026, 11, 30)
    assert parse_local_date("5/1", today) == date(2027, 1, 5)
    for bad in ("", "14-13-2026", "32 december", "volgende week", "1-1-1990"):
        assert parse_local_date(bad, today) is None


async def test_hulp_lists_wijziging_for_participants_only(chat: Chat) -> None:
    await chat.say("/hulp")
    help_text = render("common/help", "nl", **chat.reply("common/help"))
    assert "/wijziging – Een verandering in je situatie doorgeven" in help_text
    router = build_router()
    assert "wijziging" in [c.name for c in router.menu(Role.PARTICIPANT)]
    for role in (Role.KLANTMANAGER, Role.COACH, Role.ADMIN, None):
        assert "wijziging" not in [c.name for c in router.menu(role)]


async def test_every_step_can_be_answered_by_typing(chat: Chat, app: App) -> None:
    """A phone that shows no buttons (WhatsApp's list closed, an old app) can still finish:
    the kind by its number or a word of its name, 'geen document', and 'doorgeven'."""
    await chat.say("/wijziging")
    await chat.say("2")  # the second in the list: Verhuizen
    assert chat.keys() == ["changes/ask_date"]
    await chat.say("/wijziging")
    await chat.say("buitenland")
    assert chat.keys() == ["changes/ask_date"]
    assert chat.reply("changes/ask_date")["kind"] == "Verblijf in het buitenland"
    await chat.say("1 februari 2027")
    await chat.say("Twee weken naar familie")
    await chat.say("Geen document")
    assert chat.keys() == ["changes/review"]
    await chat.say("Doorgeven")
    assert chat.keys() == ["changes/receipt"]
    [change] = await _rows(app, "SELECT kind FROM circumstance_changes")
    assert change["kind"] == "buitenland"


async def test_a_typed_kind_that_fits_none_or_several_is_asked_again(chat: Chat) -> None:
    await chat.say("/wijziging")
    for typed in ("9", "0", "fiets", "of"):  # out of range, unknown, in several names
        await chat.say(typed)
        assert chat.keys() == ["changes/use_buttons", "changes/ask_kind"], typed


async def test_the_same_kind_tapped_again_keeps_what_was_typed(chat: Chat, app: App) -> None:
    """A double tap, or the old list tapped again for the same kind, does not throw away the
    day and the explanation: the question where the participant is comes again."""
    await chat.say("/wijziging")
    await chat.tap("chg:kind:buitenland")
    await chat.tap("chg:kind:buitenland")  # a double tap
    assert chat.keys() == ["changes/ask_date"]
    await chat.say("1 februari 2027")
    await chat.say("Twee weken naar familie")
    assert chat.keys() == ["changes/ask_document"]
    await chat.tap("chg:kind:buitenland")  # the old list, much later
    assert chat.keys() == ["changes/ask_document"]
    [change] = await _rows(app, "SELECT kind, explanation FROM circumstance_changes")
    assert (change["kind"], change["explanation"]) == ("buitenland", "Twee weken naar familie")
    await chat.tap("chg:kind:verhuizen")  # another kind: a new report
    assert chat.keys() == ["changes/ask_date"]
    [change] = await _rows(app, "SELECT kind, explanation FROM circumstance_changes")
    assert (change["kind"], change["explanation"]) == ("verhuizen", None)


async def test_a_second_document_says_it_replaces_the_first(chat: Chat) -> None:
    """One document goes with a change: the participant is told when a new one replaces it."""
    await chat.say("/wijziging")
    await chat.tap("chg:kind:inkomen")
    await chat.say("1-1-2027")
    await chat.say("Een baan van 8 uur per week")
    await chat.photo(JPEG)
    assert chat.reply("changes/document_received")["replaced"] is False
    await chat.photo(JPEG)
    received = chat.reply("changes/document_received")
    assert received["replaced"] is True
    assert "vervangt" in render("changes/document_received", "nl", **received)
    assert chat.keys() == ["changes/document_received", "changes/review"]
