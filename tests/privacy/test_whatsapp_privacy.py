"""A WhatsApp number is personal data: in the person's own /mijngegevens, masked wherever else it
is shown, gone with the person, and message ids (which can spell it) stored only hashed."""

from __future__ import annotations

import json
from pathlib import Path

from bot.app import App
from bot.channels.whatsapp_inbound import read_payload, stored_id
from bot.clock import FixedClock
from bot.contract import Inbound, Kind
from bot.storage import people
from tests.e2e.fakegraphapi import webhook_body
from tests.privacy.conftest import Folks

PHONE = "31600000077"  # invented


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


async def _bind(app: App, folks: Folks, clock: FixedClock) -> None:
    async with app.services.db.transaction() as tx:
        await people.bind_identity(tx, "whatsapp", PHONE, folks.ayla.id, clock.now())


async def test_mijngegevens_on_whatsapp_holds_the_number(
    app: App, folks: Folks, clock: FixedClock
) -> None:
    await _bind(app, folks, clock)
    inbound = Inbound("whatsapp", PHONE, Kind.COMMAND, "wa:1", "/mijngegevens", "mijngegevens")
    outcome = await app.dispatcher.handle(inbound)
    export = outcome.replies[0].document
    assert export is not None
    dumped = json.loads(_read(Path(export)))
    assert json.dumps(dumped).count(PHONE) == 1
    assert "whatsapp" in json.dumps(dumped)


async def test_the_number_is_shown_masked_in_the_people_list(
    app: App, folks: Folks, clock: FixedClock
) -> None:
    from bot.cli.core import _person_data

    await _bind(app, folks, clock)
    async with app.services.db.read() as tx:
        listed = [_person_data(e) for e in await people.directory(tx)]
    ayla = next(p for p in listed if p["id"] == folks.ayla.id)
    assert ayla["whatsapp"] == "+31 ••••••077"
    assert PHONE not in json.dumps(listed)


async def test_the_number_goes_with_the_person(app: App, folks: Folks, clock: FixedClock) -> None:
    async with app.services.db.transaction() as tx:
        stranger = await people.insert_person(tx, "Tess Tijdelijk", folks.ayla.role, clock.now())
        await people.bind_identity(tx, "whatsapp", PHONE, stranger, clock.now())
    async with app.services.db.transaction() as tx:
        await tx.execute("DELETE FROM people WHERE id = ?", (stranger,))  # a municipal decision
    async with app.services.db.read() as tx:
        assert await people.identity_by_address(tx, "whatsapp", PHONE) is None
        left = await tx.all("SELECT address FROM channel_identities")
    assert PHONE not in [r["address"] for r in left]


def test_message_ids_are_stored_hashed() -> None:
    wamid = "wamid.HBgLMzE2MDAwMDAwNzcVAgASGBQzQUJD"  # base64 of the number, as Meta's are
    body = webhook_body(PHONE, [{"id": wamid, "type": "text", "text": {"body": "hoi"}}])
    [received], _ = read_payload(json.loads(body))
    assert received.inbound.update_id == stored_id(wamid)
    assert "MzE2" not in stored_id(wamid)
