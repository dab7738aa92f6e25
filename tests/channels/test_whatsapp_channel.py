"""The WhatsApp channel in process against the fake Graph API: the 24-hour window decided by the
bot, delivery states, undeliverable numbers, media that can't be fetched, Graph API failures,
and pushes going to the chat a person used last (or chose with /kanaal)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.app import App, open_app
from bot.channels.base import DeliveryError, Outgoing, RetryLater
from bot.channels.whatsapp import WhatsAppChannel
from bot.channels.whatsapp_inbound import read_payload, stored_id
from bot.clock import FixedClock
from bot.config import Settings
from bot.contract import Inbound, Kind
from bot.domain.models import Household, Role
from bot.outbox import Sender
from bot.storage import chat_channels, outbox, participants, people
from tests.conftest import NOW
from tests.e2e.fakegraphapi import (
    APP_SECRET,
    PHONE_NUMBER_ID,
    TOKEN,
    FakeGraphApi,
    status_event,
    webhook_body,
)

PHONE = "31600000042"  # invented


@pytest.fixture
def graph() -> Iterator[FakeGraphApi]:
    with FakeGraphApi().run_in_thread() as fake:
        yield fake


@pytest.fixture
async def wa(
    tmp_path: Path, clock: FixedClock, graph: FakeGraphApi
) -> AsyncIterator[tuple[App, WhatsAppChannel, int]]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'pto.db'}",
        proof_dir=tmp_path / "proof",
        demo=False,
        proof_max_bytes=1000,
        whatsapp_token=TOKEN,
        whatsapp_phone_number_id=PHONE_NUMBER_ID,
        whatsapp_app_secret=APP_SECRET,
        whatsapp_api_url=graph.base_url,
    )
    async with open_app(settings, clock) as app:
        async with app.services.db.transaction() as tx:
            person = await people.insert_person(tx, "Ayla Voorbeeld", Role.PARTICIPANT, NOW)
            km = await people.insert_person(tx, "Kim Klantmanager", Role.KLANTMANAGER, NOW)
            await participants.insert_participant(
                tx, person, km, None, date(2026, 6, 1), Household.ALLEENSTAANDE
            )
            await people.bind_identity(tx, "whatsapp", PHONE, person, NOW)
        channel = WhatsAppChannel(app)
        try:
            yield app, channel, person
        finally:
            await channel.close()


async def _wrote_at(app: App, channel: str, address: str, when: object) -> None:
    async with app.services.db.transaction() as tx:
        identity = await people.identity_by_address(tx, channel, address)
        assert identity is not None
        await chat_channels.touch(tx, identity.id, when)  # type: ignore[arg-type]


def _reminder() -> Outgoing:
    return Outgoing(
        "<b>Hoi Ayla</b>, je opgave staat nog open.",
        [[("Opgave doen", "decl:start:2026-11")]],
        key="reminders/push",
        context={"name": "Ayla", "items": []},
        locale="nl",
    )


async def test_outside_the_window_the_bot_itself_sends_the_template(
    wa: tuple[App, WhatsAppChannel, int], graph: FakeGraphApi
) -> None:
    app, channel, _ = wa
    await _wrote_at(app, "whatsapp", PHONE, NOW - timedelta(hours=25))
    sent = await channel.deliver(PHONE, _reminder())
    [message] = graph.messages_to(PHONE)
    assert message["type"] == "template"
    assert message["template"]["name"] == "pto_herinnering"
    assert sent == stored_id(message["id"])
    assert graph.refused == []


async def test_inside_the_window_the_push_goes_as_it_is(
    wa: tuple[App, WhatsAppChannel, int], graph: FakeGraphApi
) -> None:
    app, channel, _ = wa
    await _wrote_at(app, "whatsapp", PHONE, NOW - timedelta(hours=23))
    await channel.deliver(PHONE, _reminder())
    [message] = graph.messages_to(PHONE)
    assert message["type"] == "interactive"
    assert message["interactive"]["body"]["text"].startswith("*Hoi Ayla*")


async def test_graph_api_failures_become_retries(
    wa: tuple[App, WhatsAppChannel, int], graph: FakeGraphApi
) -> None:
    app, channel, _ = wa
    await _wrote_at(app, "whatsapp", PHONE, NOW)
    graph.fail_next(2, status=503)
    with pytest.raises(DeliveryError):
        await channel.deliver(PHONE, _reminder())
    graph.fail_next(130429, status=429)
    with pytest.raises(RetryLater):
        await channel.deliver(PHONE, _reminder())
    no_template = replace(_reminder(), key="declaration/receipt")
    graph.close_window(PHONE)
    with pytest.raises(DeliveryError):
        await channel.deliver(PHONE, no_template)
    assert graph.messages_to(PHONE) == []


async def test_delivery_states_are_recorded_and_undeliverable_opens_the_card(
    wa: tuple[App, WhatsAppChannel, int], graph: FakeGraphApi, clock: FixedClock
) -> None:
    app, channel, person = wa
    await _wrote_at(app, "whatsapp", PHONE, NOW)
    async with app.services.db.transaction() as tx:
        await outbox.enqueue(
            tx, person, "coach/push", NOW, context={"coach": "Cas", "text": "Hoi"}
        )
    assert await Sender(app.services.db, channel, 3).drain_once(NOW) == 1
    [message] = graph.messages_to(PHONE)

    def status(name: str, code: int | None = None) -> dict[str, object]:
        return status_event(message["id"], name, PHONE, code)

    for name in ("delivered", "read", "delivered"):
        channel.accept(_json(webhook_body(PHONE, statuses=[status(name)])))
        await channel.drain()
    async with app.services.db.read() as tx:
        row = await tx.one("SELECT delivery_status FROM outbox WHERE id = 1")
    assert row is not None
    assert row["delivery_status"] == "read"  # a late "delivered" never goes back
    channel.accept(_json(webhook_body(PHONE, statuses=[status("failed", 131026)])))
    await channel.drain()
    async with app.services.db.read() as tx:
        identity = await people.identity_by_address(tx, "whatsapp", PHONE)
        items = await tx.all("SELECT kind FROM queue_items WHERE participant_id = ?", (person,))
        card = await tx.one("SELECT person_id FROM outbox WHERE message_key = 'queue/card'")
        row = await tx.one("SELECT delivery_status FROM outbox WHERE id = 1")
    assert identity is not None
    assert identity.blocked
    assert [i["kind"] for i in items] == ["participant_unreachable"]
    assert card is not None
    assert card["person_id"] != person  # the card goes to the klantmanager
    assert row is not None
    assert row["delivery_status"] == "failed"


async def test_a_push_refused_later_for_the_closed_window_goes_again_as_its_template(
    wa: tuple[App, WhatsAppChannel, int], graph: FakeGraphApi
) -> None:
    app, channel, person = wa
    await _wrote_at(app, "whatsapp", PHONE, NOW - timedelta(hours=1))
    async with app.services.db.transaction() as tx:
        await outbox.enqueue(
            tx, person, "coach/push", NOW, context={"coach": "Cas", "text": "Hoi"}
        )
    assert await Sender(app.services.db, channel, 3).drain_once(NOW) == 1
    [free] = graph.messages_to(PHONE)
    assert free["type"] == "text"
    failed = status_event(free["id"], "failed", PHONE, 131047)
    channel.accept(_json(webhook_body(PHONE, statuses=[failed])))
    await channel.drain()
    [_, template] = graph.messages_to(PHONE)
    assert template["template"]["name"] == "pto_bericht_coach"
    assert template["template"]["components"][0]["parameters"] == [{"type": "text", "text": "Cas"}]
    async with app.services.db.read() as tx:
        row = await tx.one("SELECT channel_message_id FROM outbox WHERE id = 1")
    assert row is not None
    assert row["channel_message_id"] == stored_id(template["id"])


async def test_media_that_is_too_big_or_gone_arrives_without_data(
    wa: tuple[App, WhatsAppChannel, int], graph: FakeGraphApi
) -> None:
    _, channel, _ = wa
    graph.add_media("big", "image/jpeg", b"\xff\xd8" + b"x" * 2000)
    graph.add_media("ok", "image/jpeg", b"\xff\xd8" + b"x" * 20)
    for media_id, has_data in (("big", False), ("gone", False), ("ok", True)):
        body = webhook_body(
            PHONE,
            [{"id": f"wamid.{media_id}", "type": "image", "image": {"id": media_id,
              "mime_type": "image/jpeg"}}],
        )  # fmt: skip
        [received], _ = read_payload(_json(body))
        fetched = await channel._fetch_file(received.inbound, media_id)
        assert fetched.file is not None
        assert (fetched.file.data is not None) == has_data, media_id


async def test_pushes_go_to_the_chat_used_last_or_the_one_chosen(
    wa: tuple[App, WhatsAppChannel, int],
) -> None:
    app, _, person = wa
    async with app.services.db.transaction() as tx:
        await people.bind_identity(tx, "telegram", "777001", person, NOW)
        await outbox.enqueue(tx, person, "coach/push", NOW, context={"coach": "C", "text": "x"})
    await _wrote_at(app, "telegram", "777001", NOW - timedelta(hours=2))
    await _wrote_at(app, "whatsapp", PHONE, NOW - timedelta(hours=1))

    async def due(name: str) -> int:
        async with app.services.db.read() as tx:
            return sum(len(c) for c in await outbox.due_by_chat(tx, name, NOW, 10))

    assert (await due("whatsapp"), await due("telegram")) == (1, 0)
    inbound = Inbound("telegram", "777001", Kind.COMMAND, "u1", "/kanaal telegram", "kanaal",
                      "telegram")  # fmt: skip
    outcome = await app.dispatcher.handle(inbound, NOW)
    assert [r.key for r in outcome.replies] == ["common/kanaal_set"]
    await _wrote_at(app, "whatsapp", PHONE, NOW)
    assert (await due("whatsapp"), await due("telegram")) == (0, 1)
    unknown = await app.dispatcher.handle(replace(inbound, update_id="u2", args="fax"), NOW)
    assert [r.key for r in unknown.replies] == ["common/kanaal_unknown"]
    await app.dispatcher.handle(replace(inbound, update_id="u3", args="automatisch"), NOW)
    assert (await due("whatsapp"), await due("telegram")) == (0, 1)  # used last, even on a tie
    await _wrote_at(app, "whatsapp", PHONE, NOW + timedelta(minutes=1))
    assert (await due("whatsapp"), await due("telegram")) == (1, 0)


def _json(body: bytes) -> object:
    import json

    return json.loads(body)
