"""WhatsApp through the Business Cloud API: the webhook's messages go to the dispatcher in order
per person, replies and pushes go out as Cloud API messages, templates outside the 24-hour window.

The webhook itself is `bot.channels.whatsapp_webhook` (served by the web server); it checks the
signature and hands the body to `WhatsAppChannel.accept`, which answers at once and processes
in the background. Every message id is handled once (the dispatcher's processed-updates record).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.app import App
from bot.channels.base import DeliveryError, Outgoing, RetryLater, render_reply
from bot.channels.ratelimit import RateLimiter
from bot.channels.whatsapp_api import (
    UNDELIVERABLE,
    WINDOW_CLOSED,
    GraphClient,
    MediaError,
    WindowClosed,
)
from bot.channels.whatsapp_inbound import CHANNEL, Received, Status, read_payload, stored_id
from bot.channels.whatsapp_render import payloads, template_message
from bot.contract import Inbound, Kind, Reply
from bot.domain.proof import is_accepted
from bot.domain.push_templates import window_open
from bot.services.reachability import mark_unreachable
from bot.storage import chat_channels, outbox, people

log = logging.getLogger(__name__)
REPLY_ATTEMPTS = 3
# Cloud API throughput is 80 messages a second per number; one message every 6 seconds to the
# same person is its pair rate (pushes only: direct replies answer the person at once).
PER_SECOND = 80
PER_PERSON_INTERVAL = 6.0


class WhatsAppChannel:
    """Runs the conversations on WhatsApp and delivers outbox rows there."""

    name = CHANNEL

    def __init__(self, app: App, client: GraphClient | None = None) -> None:
        settings = app.services.settings
        if not settings.whatsapp_token or not settings.whatsapp_phone_number_id:
            raise ValueError("WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID are needed")
        self.app = app
        self.settings = settings
        self.client = client or GraphClient(
            settings.whatsapp_api_url, settings.whatsapp_phone_number_id, settings.whatsapp_token
        )
        self.limiter = RateLimiter(per_second=PER_SECOND, per_chat_interval=PER_PERSON_INTERVAL)
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    # Receiving ---------------------------------------------------------------------------

    def accept(self, payload: Any) -> int:
        """Start processing a verified webhook body; returns how many events it holds.

        Tasks start in arrival order and take their person's lock without awaiting first, so
        one person's messages run strictly in order while different people run side by side."""
        messages, statuses = read_payload(payload)
        for received in messages:
            self._spawn(received.inbound.address, self._on_message(received))
        for status in statuses:
            self._spawn(f"status:{status.address}", self._on_status(status))
        return len(messages) + len(statuses)

    def _spawn(self, key: str, coroutine: Any) -> None:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1

        async def run() -> None:
            try:
                async with lock:
                    await coroutine
            except Exception:
                log.exception("error handling a WhatsApp webhook event")
            finally:
                self._users[key] -= 1
                if self._users[key] == 0:
                    del self._users[key]
                    del self._locks[key]

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for the events being processed (at a stop)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _on_message(self, received: Received) -> None:
        inbound = await self._as_start(received.inbound)
        if received.media_id is not None and inbound.file is not None:
            inbound = await self._fetch_file(inbound, received.media_id)
        outcome = await self.app.dispatcher.handle(inbound)
        if not outcome.duplicate:
            await self._follow_up(inbound.address)
        for reply in outcome.replies:
            await self._safe_send(inbound.address, render_reply(reply, outcome.locale))

    async def _follow_up(self, address: str) -> None:
        """The person wrote: pushes that reached them only as a template now come in full,
        with their buttons (the window is open)."""
        async with self.app.services.db.transaction() as tx:
            rows = await chat_channels.take_follow_ups(tx, CHANNEL, address)
            stored = [await outbox.reply_of(tx, row) for row in rows]
        for found in stored:
            if found is not None:
                await self._safe_send(address, render_reply(*found))

    async def _as_start(self, inbound: Inbound) -> Inbound:
        """A number not bound yet whose text is a single word: read as `/start <word>` (the
        wa.me link types `/start <code>`, but a person may type just the code)."""
        words = inbound.text.split()
        if inbound.kind != Kind.TEXT or len(words) != 1 or len(words[0]) < 16:
            return inbound
        async with self.app.services.db.read() as tx:
            if await people.identity_by_address(tx, CHANNEL, inbound.address) is not None:
                return inbound
        return replace(inbound, kind=Kind.COMMAND, command="start", args=words[0])

    async def _fetch_file(self, inbound: Inbound, media_id: str) -> Inbound:
        """Download a photo or document with the token; type and size checked as on Telegram
        (a file we can't or won't fetch arrives without data, and the flow says so)."""
        file = inbound.file
        if file is None or not is_accepted(file.mime):
            return inbound
        limit = self.settings.proof_max_bytes
        try:
            mime, data = await self.client.download(media_id, limit)
        except MediaError as exc:
            log.warning("could not fetch a WhatsApp media file: %s", exc)
            return replace(inbound, file=replace(file, size=limit + 1))
        if mime and not is_accepted(mime):
            return replace(inbound, file=replace(file, mime=mime))
        return replace(
            inbound, file=replace(file, mime=mime or file.mime, data=data, size=len(data))
        )

    async def _on_status(self, status: Status) -> None:
        """Record a delivery report on its outbox row; undeliverable marks the chat unreachable,
        and a push WhatsApp refused afterwards for the closed window goes again as its template."""
        now = self.app.services.clock.now()
        failed = status.error_code if status.status == "failed" else None
        stored = None
        async with self.app.services.db.transaction() as tx:
            target = await chat_channels.record_status(
                tx, status.message_id, status.status, status.at or now
            )
            if failed == WINDOW_CLOSED and target is not None:
                stored = await outbox.reply_of(tx, target.outbox_id)
            if failed == UNDELIVERABLE:
                identity = await people.identity_by_address(tx, CHANNEL, status.address)
                if identity is not None:
                    await mark_unreachable(tx, now, identity.person_id, identity.id, CHANNEL)
                log.warning(
                    "a WhatsApp number could not be reached (outbox row %s)",
                    target.outbox_id if target else "-",
                )
        if target is not None and failed == WINDOW_CLOSED:
            await self._resend_as_template(status.address, target.outbox_id, stored)

    async def _resend_as_template(
        self, address: str, outbox_id: int, stored: tuple[Reply, str] | None
    ) -> None:
        if (
            stored is None
            or self.app.services.policy.whatsapp_templates.get(stored[0].key) is None
        ):
            log.warning(
                "outbox row %s: the window closed and no template is registered", outbox_id
            )
            return
        try:
            sent = await self._send_template(address, render_reply(*stored))
        except DeliveryError as exc:
            log.warning("outbox row %s: its template could not be sent: %s", outbox_id, exc)
            return
        if sent is not None:
            async with self.app.services.db.transaction() as tx:
                await outbox.set_message_id(tx, outbox_id, sent)
        log.info("outbox row %s: the window had closed, sent again as its template", outbox_id)

    # Sending -----------------------------------------------------------------------------

    async def _safe_send(self, address: str, message: Outgoing) -> None:
        """A direct reply (the person just wrote: the window is open); waits out a 429."""
        for attempt in range(REPLY_ATTEMPTS):
            self.limiter.note(address)
            try:
                await self._send(address, message)
            except RetryLater as exc:
                if attempt + 1 < REPLY_ATTEMPTS:
                    await asyncio.sleep(min(exc.retry_after, 30.0))
                    continue
                log.warning("a WhatsApp reply dropped after %s rate-limit waits", REPLY_ATTEMPTS)
            except DeliveryError as exc:
                log.warning("could not reply on WhatsApp: %s", exc)
            return

    async def _send(self, address: str, message: Outgoing) -> str | None:
        """Send the message as one or more Cloud API messages; the id of the last (as stored)."""
        sent = None
        for payload in payloads(message, message.locale or "nl"):
            sent = await self.client.send(address, payload)
        if message.document:
            path = Path(message.document)
            media_id = await self.client.upload(path, _mime(path))
            document = {"id": media_id, "filename": path.name}
            sent = await self.client.send(address, {"type": "document", "document": document})
        return None if sent is None else stored_id(sent)

    async def deliver(self, address: str, message: Outgoing) -> str | None:
        """Send one outbox row: free within 24 hours of the person's last message, else (or when
        WhatsApp says the window closed, 131047) as the push's approved template."""
        template = self.app.services.policy.whatsapp_templates.get(message.key)
        now = self.app.services.clock.now()
        async with self.app.services.db.read() as tx:
            last = await chat_channels.last_inbound(tx, CHANNEL, address)
        if template is not None and not window_open(last, now):
            return await self._send_template(address, message)
        try:
            return await self._send(address, message)
        except WindowClosed:
            if template is None:
                raise
            log.info("the 24-hour window closed: sending the %s push as a template", message.key)
            return await self._send_template(address, message)

    async def _send_template(self, address: str, message: Outgoing) -> str | None:
        template = self.app.services.policy.whatsapp_templates.get(message.key)
        locale = message.locale or "nl"
        name = template.name(locale) if template is not None else None
        if template is None or name is None:
            raise DeliveryError(f"no WhatsApp template for {message.key}")
        payload = template_message(
            name, template.language(locale), template.values(message.context)
        )
        sent = await self.client.send(address, payload)
        if sent is None:
            return None
        async with self.app.services.db.transaction() as tx:
            await chat_channels.add_follow_up(tx, stored_id(sent), self.app.services.clock.now())
        return stored_id(sent)

    async def close(self) -> None:
        """Finish the events in flight and close the connections."""
        await self.drain()
        await self.client.close()


def _mime(path: Path) -> str:
    return {
        ".pdf": "application/pdf",
        ".csv": "text/plain",  # WhatsApp takes plain text, PDF and office files as documents
        ".json": "text/plain",
        ".jpg": "image/jpeg",
        ".png": "image/png",
    }.get(path.suffix.lower(), "application/octet-stream")
