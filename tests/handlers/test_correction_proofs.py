"""A correction keeps the proof files of the version it corrects: the review, the card and
*Bewijs* count the same files."""

from __future__ import annotations

import json

from bot.app import App
from tests.handlers.test_declaration_flow import JPEG, Chat, _fill_november, _rows, chat

__all__ = ["chat"]  # the fixture, shared with the declaration flow tests


async def test_a_correction_without_new_files_keeps_the_earlier_ones(chat: Chat, app: App) -> None:
    await _fill_november(chat)  # one receipt photo
    await chat.tap(next(b for b in chat.buttons() if b.startswith("decl:send:")))

    await chat.say("/opgave 2026-11")
    await chat.tap("decl:fix:2026-11")
    await chat.say("De omzet was hoger")
    await chat.tap("decl:edit:revenue")
    await chat.say("1.500")
    assert chat.reply("declaration/review")["proof_count"] == 1  # the earlier photo
    await chat.tap(next(b for b in chat.buttons() if b.startswith("decl:send:")))
    assert chat.reply("declaration/receipt")["version"] == 2

    [first, second] = await _rows(app, "SELECT id FROM declarations ORDER BY version")
    files = await _rows(
        app, "SELECT declaration_id, sha256 FROM proofs ORDER BY declaration_id, id"
    )
    assert [f["declaration_id"] for f in files] == [first["id"], second["id"]]
    assert files[0]["sha256"] == files[1]["sha256"]  # the same file, kept with both versions
    cards = await _rows(
        app, "SELECT context FROM outbox WHERE message_key = 'queue/card' ORDER BY id"
    )
    newest = json.loads(str(cards[-1]["context"]))
    assert newest["decl"]["proof_count"] == 1


async def test_a_correction_with_a_new_file_counts_both(chat: Chat, app: App) -> None:
    await _fill_november(chat)
    await chat.tap(next(b for b in chat.buttons() if b.startswith("decl:send:")))

    await chat.say("/opgave 2026-11")
    await chat.tap("decl:fix:2026-11")
    await chat.say("Nog een bon gevonden")
    await chat.tap("decl:edit:proof")
    await chat.photo(JPEG + b"tweede bon")
    await chat.tap("decl:proof:done")
    review = chat.reply("declaration/review")
    assert review["proof_count"] == 2
    await chat.tap(next(b for b in chat.buttons() if b.startswith("decl:send:")))
    [_, second] = await _rows(app, "SELECT id FROM declarations ORDER BY version")
    stored = await _rows(app, "SELECT id FROM proofs WHERE declaration_id = ?", (second["id"],))
    assert len(stored) == 2
