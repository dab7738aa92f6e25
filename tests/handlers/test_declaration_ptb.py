"""A whole declaration through the real python-telegram-bot Application (offline transport)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.clock import FixedClock
from bot.domain.models import Household, Role
from bot.storage import participants, people
from tests.channels.offline import OfflineRequest, telegram_channel
from tests.channels.updates import button_update, message_update, photo_update

CHAT = 7001
JPEG = b"\xff\xd8\xff\xe0" + b"kassabon markt" * 20


@pytest.fixture
async def telegram(
    app: App, clock: FixedClock
) -> AsyncIterator[tuple[TelegramChannel, OfflineRequest]]:
    """Ayla, linked to chat 7001, and the Telegram channel on an offline transport."""
    now = clock.now()
    async with app.services.db.transaction() as tx:
        km = await people.insert_person(tx, "Kim Klantmanager", Role.KLANTMANAGER, now)
        pid = await people.insert_person(tx, "Ayla Voorbeeld", Role.PARTICIPANT, now)
        await participants.insert_participant(
            tx, pid, km, None, date(2026, 11, 1), Household.ALLEENSTAANDE
        )
        await people.bind_identity(tx, "telegram", str(CHAT), pid, now)
    request = OfflineRequest()
    channel = telegram_channel(app, request)
    async with channel.application:
        yield channel, request


class Phone:
    """Ayla's phone: sends updates and reads what the bot sent back."""

    def __init__(self, channel: TelegramChannel, request: OfflineRequest) -> None:
        self.channel = channel
        self.request = request

    async def feed(self, data: dict[str, Any]) -> None:
        app = self.channel.application
        await app.process_update(Update.de_json(data, app.bot))

    async def say(self, text: str) -> None:
        await self.feed(message_update(CHAT, text))

    async def tap(self, data: str) -> None:
        assert data in self.buttons(), f"{data} not on screen: {self.buttons()}"
        await self.feed(button_update(CHAT, data))

    def last_text(self) -> str:
        return str(self.request.sent()[-1]["text"])

    def buttons(self) -> list[str]:
        for params in reversed(self.request.sent()):
            raw = params.get("reply_markup")
            if raw:
                markup = json.loads(raw) if isinstance(raw, str) else raw
                return [b["callback_data"] for row in markup["inline_keyboard"] for b in row]
        return []


async def test_declaring_november_on_telegram(
    app: App, telegram: tuple[TelegramChannel, OfflineRequest]
) -> None:
    phone = Phone(*telegram)
    await phone.say("/opgave")
    assert "november 2026" in phone.last_text()
    await phone.tap("decl:worked:yes")
    await phone.say("€ 1.250,50")
    await phone.tap("decl:cost:inkoop")
    await phone.say("84,-")
    await phone.tap("decl:costs:done")
    for _ in range(6):  # the ISO weeks 44–49 that overlap November
        assert "Week" in phone.last_text()
        await phone.say("10,5")
    assert "bonnetje" in phone.last_text().lower() or "bewijs" in phone.last_text().lower()
    telegram[1].files["photo-1"] = JPEG
    await phone.feed(photo_update(CHAT, "photo-1", len(JPEG)))
    assert ("getFile", {"file_id": "photo-1"}) in telegram[1].calls
    await phone.tap("decl:proof:done")
    await phone.tap(next(b for b in phone.buttons() if b.startswith("decl:note:skip")))
    review = phone.last_text()
    assert "Controleer je opgave" in review
    assert "€\xa01.250,50" in review
    assert "indicatie, geen besluit" in review.lower()

    await phone.tap("decl:edit:revenue")
    await phone.say("1.300")
    assert "€\xa01.300,00" in phone.last_text()
    assert telegram[1].sent("editMessageReplyMarkup"), "old buttons removed once new ones came"

    send = next(b for b in phone.buttons() if b.startswith("decl:send:"))
    await phone.tap(send)
    receipt = phone.last_text()
    assert "PTO-2026-11-0001" in receipt

    async with app.services.db.read() as tx:
        rows = await tx.all("SELECT revenue_cents, costs_cents, hours FROM declarations")
        proofs = await tx.all("SELECT path, sha256 FROM proofs")
        items = await tx.all("SELECT kind FROM queue_items")
        audit = await tx.scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'declaration.submitted'"
        )
    assert [tuple(r) for r in rows] == [(130_000, 8_400, 63.0)]
    assert Path(proofs[0]["path"]).read_bytes() == JPEG  # noqa: ASYNC240
    assert [r["kind"] for r in items] == ["declaration_submitted"]
    assert audit == 1
