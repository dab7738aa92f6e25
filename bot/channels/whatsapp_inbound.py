"""What WhatsApp posts to the webhook, read: the signature, messages as Inbounds, statuses."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.contract import FileIn, Inbound, Kind, command_parts

CHANNEL = "whatsapp"
SIGNATURE_HEADER = "X-Hub-Signature-256"


def signature_valid(app_secret: str | None, body: bytes, header: str | None) -> bool:
    """Whether `header` is 'sha256=' + the HMAC-SHA256 of the raw body with the app secret
    (compared in constant time); False without a secret or a header."""
    if not app_secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


def stored_id(wamid: str) -> str:
    """A WhatsApp message id as we store it (processed updates, the outbox): hashed, since a
    wamid is base64 that can spell out the phone number."""
    return "wa:" + hashlib.sha256(wamid.encode()).hexdigest()[:40]


def sign(app_secret: str, body: bytes) -> str:
    """The header value WhatsApp sends with `body` (for tests and the fake Graph API)."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Received:
    """One message: the Inbound, and the media id of a photo or document to fetch."""

    inbound: Inbound
    media_id: str | None = None


@dataclass(frozen=True)
class Status:
    """A delivery report on a message we sent."""

    message_id: str  # as stored (`stored_id`)
    status: str  # sent | delivered | read | failed
    address: str
    at: datetime | None
    error_code: int | None = None


def _text_inbound(address: str, message_id: str, text: str) -> Inbound:
    if text.startswith("/"):
        command, args = command_parts(text)
        return Inbound(CHANNEL, address, Kind.COMMAND, message_id, text, command, args)
    return Inbound(CHANNEL, address, Kind.TEXT, message_id, text=text)


def to_received(message: dict[str, Any]) -> Received | None:
    """One entry of `messages` as an Inbound (None when it has no sender or id)."""
    address, wamid = str(message.get("from") or ""), str(message.get("id") or "")
    if not address.isdigit() or not wamid:
        return None
    message_id = stored_id(wamid)
    kind = message.get("type")
    if kind == "text":
        return Received(_text_inbound(address, message_id, str(message["text"].get("body", ""))))
    if kind == "interactive":
        inter = message.get("interactive") or {}
        chosen = inter.get("button_reply") or inter.get("list_reply") or {}
        data = str(chosen.get("id") or "")
        return Received(Inbound(CHANNEL, address, Kind.BUTTON, message_id, button=data))
    if kind == "button":  # a quick reply on a template: its text, as if typed
        text = str((message.get("button") or {}).get("text") or "")
        return Received(_text_inbound(address, message_id, text))
    if kind in ("image", "document"):
        media = message.get(kind) or {}
        file = FileIn(
            "photo" if kind == "image" else "document",
            str(media.get("mime_type") or "application/octet-stream").split(";")[0].strip(),
            0,
            None,
            media.get("filename") if kind == "document" else None,
        )
        caption = str(media.get("caption") or "")
        inbound = Inbound(CHANNEL, address, Kind.FILE, message_id, text=caption, file=file)
        return Received(inbound, str(media.get("id") or "") or None)
    # stickers, locations, contacts, reactions, audio, video, unknown: a short answer
    return Received(Inbound(CHANNEL, address, Kind.UNSUPPORTED, message_id))


def _at(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def read_payload(payload: Any) -> tuple[list[Received], list[Status]]:
    """The messages and statuses of a webhook body, in the order they came."""
    messages: list[Received] = []
    statuses: list[Status] = []
    if not isinstance(payload, dict):
        return messages, statuses
    for entry in payload.get("entry") or []:
        for change in (entry or {}).get("changes") or []:
            value = (change or {}).get("value") or {}
            for message in value.get("messages") or []:
                if isinstance(message, dict):
                    received = to_received(message)
                    if received is not None:
                        messages.append(received)
            for status in value.get("statuses") or []:
                if not isinstance(status, dict) or not status.get("id"):
                    continue
                errors = status.get("errors") or [{}]
                code = errors[0].get("code") if isinstance(errors[0], dict) else None
                statuses.append(
                    Status(
                        stored_id(str(status["id"])),
                        str(status.get("status") or ""),
                        str(status.get("recipient_id") or ""),
                        _at(status.get("timestamp")),
                        code if isinstance(code, int) else None,
                    )
                )
    return messages, statuses
