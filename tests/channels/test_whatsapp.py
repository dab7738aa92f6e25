"""The WhatsApp channel's pure parts: signatures, webhook bodies, rendering, Meta's errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.channels.base import Blocked, DeliveryError, Outgoing, RetryLater
from bot.channels.whatsapp_api import Undeliverable, WindowClosed, translate
from bot.channels.whatsapp_inbound import (
    Received,
    read_payload,
    sign,
    signature_valid,
    stored_id,
)
from bot.channels.whatsapp_render import payloads, template_message, to_markup
from bot.contract import Kind
from bot.domain.invites import whatsapp_link
from bot.domain.phone import mask_phone
from bot.domain.policy import PolicyError, load_policy, parse_policy
from bot.domain.push_templates import window_open
from tests.e2e.fakegraphapi import _check_message, webhook_body

SECRET = "app-secret"


def test_only_the_right_signature_of_the_raw_body_is_accepted() -> None:
    body = b'{"object":"whatsapp_business_account"}'
    assert signature_valid(SECRET, body, sign(SECRET, body))
    assert not signature_valid(SECRET, body + b" ", sign(SECRET, body))
    assert not signature_valid(SECRET, body, sign("other", body))
    assert not signature_valid(SECRET, body, None)
    assert not signature_valid(SECRET, body, sign(SECRET, body).removeprefix("sha256="))
    assert not signature_valid(None, body, sign(SECRET, body))


def _one(message: dict[str, object]) -> Received:
    payload = json.loads(webhook_body("31600000001", [{"id": "wamid.1", **message}]))
    messages, _ = read_payload(payload)
    assert len(messages) == 1
    return messages[0]


def test_messages_become_inbounds() -> None:
    text = _one({"type": "text", "text": {"body": "/start abc"}})
    assert (text.inbound.kind, text.inbound.command, text.inbound.args) == (
        Kind.COMMAND,
        "start",
        "abc",
    )
    pressed = _one(
        {"type": "interactive", "interactive": {"type": "list_reply", "list_reply": {"id": "a:b"}}}
    )
    assert pressed.inbound.kind == Kind.BUTTON
    assert pressed.inbound.button == "a:b"
    photo = _one({"type": "image", "image": {"id": "m1", "mime_type": "image/jpeg"}})
    assert photo.media_id == "m1"
    assert photo.inbound.file is not None
    assert photo.inbound.file.kind == "photo"
    for kind in ("sticker", "location", "contacts", "reaction", "audio"):
        odd = _one({"type": kind, kind: {}})
        assert odd.inbound.kind == Kind.UNSUPPORTED
        assert odd.inbound.update_id == stored_id("wamid.1")


def test_statuses_are_read_with_their_error_code() -> None:
    status = {
        "id": "wamid.9",
        "status": "failed",
        "timestamp": "1700000000",
        "recipient_id": "31600000001",
        "errors": [{"code": 131026, "title": "Message undeliverable"}],
    }
    _, statuses = read_payload(json.loads(webhook_body("31600000001", statuses=[status])))
    assert [(s.message_id, s.status, s.error_code) for s in statuses] == [
        (stored_id("wamid.9"), "failed", 131026)
    ]
    assert read_payload("not a dict") == ([], [])


def test_telegram_html_becomes_whatsapp_markup() -> None:
    assert to_markup("<b>Omzet</b> &amp; <i>kosten</i>") == "*Omzet* & _kosten_"
    assert to_markup("<b>Let op: </b>nu") == "*Let op:* nu"
    assert to_markup('<a href="https://x.nl/a">hier</a>') == "hier (https://x.nl/a)"
    assert to_markup("<code>PTO-1</code>") == "```PTO-1```"


def _to(message: dict[str, object]) -> dict[str, object]:
    return {"messaging_product": "whatsapp", "to": "31600000001", **message}


def test_few_short_choices_are_reply_buttons_more_are_lists_in_pages() -> None:
    two = Outgoing("<b>Gewerkt?</b>", [[("Ja", "d:y"), ("Nee", "d:n")]])
    [message] = payloads(two, "nl")
    assert message["interactive"]["type"] == "button"
    assert message["interactive"]["body"]["text"] == "*Gewerkt?*"
    long_label = Outgoing("Kies", [[("Een heel lange knoptekst van meer", "d:1")]])
    [listed] = payloads(long_label, "nl")
    assert listed["interactive"]["type"] == "list"
    many = Outgoing("Kies", [[(f"Keuze {i}", f"d:{i}")] for i in range(23)])
    pages = payloads(many, "nl")
    assert [len(p["interactive"]["action"]["sections"][0]["rows"]) for p in pages] == [10, 10, 3]
    assert "1 van 3" in pages[0]["interactive"]["body"]["text"]
    for message in [*payloads(two, "nl"), listed, *pages]:
        assert _check_message(_to(message)) is None


def test_long_texts_are_split_within_the_limits() -> None:
    text = "\n".join(f"regel {i} " + "x" * 90 for i in range(100))
    parts = payloads(Outgoing(text, [[("Ja", "y")]]), "en")
    assert len(parts) > 2
    assert all(_check_message(_to(p)) is None for p in parts)
    assert parts[-1]["type"] == "interactive"


def test_meta_errors_become_the_senders() -> None:
    def answer(status: int, code: int, headers: dict[str, str] | None = None) -> httpx.Response:
        return httpx.Response(status, json={"error": {"code": code}}, headers=headers)

    with pytest.raises(WindowClosed):
        translate(answer(400, 131047))
    with pytest.raises(Undeliverable) as blocked:
        translate(answer(400, 131026))
    assert isinstance(blocked.value, Blocked)
    with pytest.raises(RetryLater) as later:
        translate(answer(429, 130429, {"Retry-After": "7"}))
    assert later.value.retry_after == 7.0
    with pytest.raises(DeliveryError):
        translate(answer(503, 2))
    translate(httpx.Response(200, json={}))


def test_templates_come_from_the_policy_per_key_and_language() -> None:
    templates = load_policy().whatsapp_templates
    reminder = templates.get("reminders/push")
    assert reminder is not None
    assert (reminder.name("en"), reminder.language("en")) == ("pto_reminder", "en")
    assert reminder.values({"name": "Ayla", "items": []}) == ["Ayla"]
    assert templates.get("declaration/receipt") is None
    message = template_message("pto_herinnering", "nl", ["Ayla"])
    assert _check_message(_to(message)) is None


def test_a_broken_templates_section_is_refused() -> None:
    import tomllib

    from bot.domain.policy import default_policy_text

    data = tomllib.loads(default_policy_text())
    data["whatsapp_templates"] = {"reminders/push": {"fr": "x"}}
    with pytest.raises(PolicyError, match="unknown language"):
        parse_policy(data)


def test_the_window_is_24_hours_after_the_last_message() -> None:
    now = datetime(2026, 12, 5, 12, tzinfo=UTC)
    assert window_open(now - timedelta(hours=23, minutes=59), now)
    assert not window_open(now - timedelta(hours=24), now)
    assert not window_open(None, now)


def test_phone_numbers_are_masked_and_links_carry_the_code() -> None:
    assert mask_phone("31612345678") == "+31 ••••••678"
    assert "12345" not in mask_phone("31612345678")
    assert whatsapp_link("+31 20 123 4567", "abc_-1") == (
        "https://wa.me/31201234567?text=%2Fstart%20abc_-1"
    )


def test_whatsapp_settings_are_read_and_the_secrets_kept() -> None:
    from bot.config import WHATSAPP_API_URL, ConfigError, load_settings

    env = {
        "WHATSAPP_TOKEN": "tok-1",
        "WHATSAPP_PHONE_NUMBER_ID": "1098",
        "WHATSAPP_APP_SECRET": "app-2",
        "WHATSAPP_VERIFY_TOKEN": "ver-3",
        "WHATSAPP_PHONE_NUMBER": "+31 20 123 4567",
    }
    settings = load_settings(env)
    assert settings.whatsapp_configured
    assert settings.whatsapp_api_url == WHATSAPP_API_URL
    assert settings.whatsapp_phone_number == "31201234567"
    assert {"tok-1", "app-2", "ver-3"} <= set(settings.secrets())
    assert "tok-1" not in repr(settings)
    assert "app-2" not in repr(settings)
    without_secret = {k: v for k, v in env.items() if k != "WHATSAPP_APP_SECRET"}
    with pytest.raises(ConfigError, match="WHATSAPP_APP_SECRET"):
        load_settings(without_secret)
    assert not load_settings({}).whatsapp_configured
