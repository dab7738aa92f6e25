"""A participant on WhatsApp in an e2e test: post signed webhooks as WhatsApp would, read what
the bot sent through the fake Graph API, press the buttons and list rows it offered."""

from __future__ import annotations

import socket
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tests.e2e.fakegraphapi import (
    APP_SECRET,
    PHONE_NUMBER_ID,
    TOKEN,
    VERIFY_TOKEN,
    FakeGraphApi,
    post_webhook,
    webhook_body,
)
from tests.e2e.harness import BotProcess

WAIT = 15.0


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def whatsapp_env(graph: FakeGraphApi, port: int) -> dict[str, str]:
    """The settings that run the bot's WhatsApp channel against the fake Graph API."""
    return {
        "WHATSAPP_TOKEN": TOKEN,
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "WHATSAPP_API_URL": graph.base_url,
        "WHATSAPP_PHONE_NUMBER": "+31 20 123 4567",
        "PTO_WEB_LISTEN": "127.0.0.1",
        "PTO_WEB_PORT": str(port),
    }


def invite_participant(
    bot: BotProcess, name: str, klantmanager: str, start: date
) -> dict[str, Any]:
    """`ptobot invite` for a participant of `klantmanager` starting on `start`, as JSON."""
    return bot.invite(
        "--role", "participant", "--name", name, "--klantmanager", klantmanager,
        "--start-date", start.isoformat(),
    )  # fmt: skip


def wait_for_webhook(port: int, timeout: float = 20.0) -> None:
    """Wait until the bot answers Meta's verification challenge."""
    url = (
        f"http://127.0.0.1:{port}/whatsapp/webhook?hub.mode=subscribe"
        f"&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1158201444"
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.read() == b"1158201444":
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("the WhatsApp webhook did not come up")


def text_of(message: dict[str, Any]) -> str:
    """The text a person reads in a sent message (body, interactive body, template name)."""
    kind = str(message["type"])
    if kind == "text":
        return str(message["text"]["body"])
    if kind == "interactive":
        return str(message["interactive"]["body"]["text"])
    if kind == "template":
        name: str = message["template"]["name"]
        return f"template:{name}"
    return kind


def choices_of(message: dict[str, Any]) -> list[str]:
    """The ids of the reply buttons or list rows a message offers."""
    if message["type"] != "interactive":
        return []
    action = message["interactive"]["action"]
    if "buttons" in action:
        return [b["reply"]["id"] for b in action["buttons"]]
    return [r["id"] for s in action["sections"] for r in s["rows"]]


@dataclass
class WaChat:
    """One WhatsApp number talking to the bot."""

    graph: FakeGraphApi
    port: int
    wa_id: str
    seen: int = 0
    counter: int = 0
    bodies: list[bytes] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/whatsapp/webhook"

    def mark(self) -> None:
        """Only messages after this point count for the next `expect`."""
        self.seen = len(self.graph.messages_to(self.wa_id))

    def post(self, message: dict[str, Any], secret: str | None = APP_SECRET) -> bytes:
        """Post one message as WhatsApp would (signed); returns the body."""
        self.counter += 1
        body = webhook_body(self.wa_id, [{"id": f"wamid.IN{self.wa_id}{self.counter}", **message}])
        if secret == APP_SECRET:  # Meta saw the person write: their 24-hour window opens
            self.graph.closed_windows.discard(self.wa_id)
        status = post_webhook(self.url, body, secret)
        assert status == (200 if secret == APP_SECRET else 403), status
        self.bodies.append(body)
        return body

    def expect(self, *needles: str, timeout: float = WAIT) -> dict[str, Any]:
        """Wait for a new message containing every needle; returns it (and moves on)."""

        def match() -> tuple[int, dict[str, Any]] | None:
            messages = self.graph.messages_to(self.wa_id)
            for index in range(self.seen, len(messages)):
                if all(n in text_of(messages[index]) for n in needles):
                    return index, messages[index]
            return None

        try:
            index, message = self.graph.wait_for(match, timeout)
        except TimeoutError:
            texts = [text_of(m) for m in self.graph.messages_to(self.wa_id)[self.seen :]]
            raise AssertionError(f"no message with {needles!r}; new: {texts}") from None
        self.seen = index + 1
        return dict(message)

    def say(self, text: str, *needles: str) -> dict[str, Any]:
        """Type `text`; wait for the answer containing `needles`."""
        self.mark()
        self.post({"type": "text", "text": {"body": text}})
        return self.expect(*needles)

    def choice(self, prefix: str) -> str:
        """The id of the newest offered button or row that starts with `prefix`."""
        for message in reversed(self.graph.messages_to(self.wa_id)):
            for data in choices_of(message):
                if data.startswith(prefix):
                    return data
        raise AssertionError(f"no choice {prefix!r} offered")

    def press(self, prefix: str, *needles: str) -> dict[str, Any]:
        """Tap the newest offered button (or list row) whose id starts with `prefix`."""
        data = self.choice(prefix)
        self.mark()
        kind = "button_reply"
        self.post(
            {
                "type": "interactive",
                "interactive": {"type": kind, kind: {"id": data, "title": "x"}},
            }
        )
        return self.expect(*needles)

    def photo(self, media_id: str, data: bytes, *needles: str) -> dict[str, Any]:
        """Send a photo (served by the fake Graph API under `media_id`)."""
        self.graph.add_media(media_id, "image/jpeg", data)
        self.mark()
        image = {"id": media_id, "mime_type": "image/jpeg", "sha256": "0" * 64}
        self.post({"type": "image", "image": image})
        return self.expect(*needles)

    def expect_any(self, *alternatives: str, timeout: float = WAIT) -> dict[str, Any]:
        """Wait for a new message containing one of the alternatives."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = self.graph.messages_to(self.wa_id)[self.seen :]
            for needle in alternatives:
                if any(needle in text_of(m) for m in messages):
                    return self.expect(needle, timeout=0.5)
            time.sleep(0.05)
        raise AssertionError(f"none of {alternatives!r}")
