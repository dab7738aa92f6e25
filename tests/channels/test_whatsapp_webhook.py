"""The webhook routes over the ASGI transport: Meta's verification challenge, the signature, and
what is answered when the channel is not running."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
from starlette.applications import Starlette

from bot.app import App
from bot.channels.whatsapp_inbound import sign
from bot.channels.whatsapp_webhook import PATH, routes
from tests.e2e.fakegraphapi import webhook_body

SECRET, VERIFY = "app-secret", "verify-me"


class _Channel:
    name = "whatsapp"

    def __init__(self) -> None:
        self.bodies: list[Any] = []

    def accept(self, payload: Any) -> int:
        self.bodies.append(payload)
        return 1


def _client(app: App) -> httpx.AsyncClient:
    settings = replace(
        app.services.settings, whatsapp_app_secret=SECRET, whatsapp_verify_token=VERIFY
    )
    app.services = replace(app.services, settings=settings)
    web = Starlette(routes=routes(app))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://test")


async def test_the_challenge_is_answered_only_with_the_verify_token(app: App) -> None:
    async with _client(app) as client:
        good = await client.get(
            PATH,
            params={"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "42"},
        )
        bad = await client.get(
            PATH,
            params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "42"},
        )
    assert (good.status_code, good.text) == (200, "42")
    assert bad.status_code == 403


async def test_only_signed_bodies_reach_the_channel(app: App) -> None:
    channel = _Channel()
    body = webhook_body(
        "31600000001", [{"id": "wamid.1", "type": "text", "text": {"body": "hoi"}}]
    )
    async with _client(app) as client:
        stopped = await client.post(
            PATH, content=body, headers={"X-Hub-Signature-256": sign(SECRET, body)}
        )
        app.channels.register(channel)  # type: ignore[arg-type]
        unsigned = await client.post(PATH, content=body)
        wrong = await client.post(
            PATH, content=body, headers={"X-Hub-Signature-256": sign("x", body)}
        )
        good = await client.post(
            PATH, content=body, headers={"X-Hub-Signature-256": sign(SECRET, body)}
        )
    assert stopped.status_code == 503  # Meta retries later
    assert (unsigned.status_code, wrong.status_code, good.status_code) == (403, 403, 200)
    assert len(channel.bodies) == 1
