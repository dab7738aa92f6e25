"""A local SMTP server for the mail tests: aiosmtpd on 127.0.0.1, a free port, the real wire.

It runs in the test's own event loop (`loop.create_server`), so a mail sent by the code under
test is received before `send` returns. `mode` says how it answers: "accept", "reject" (550 to
the recipient), "later" (451 to the message) or "hang" (never answers the message: a timeout).
"""

from __future__ import annotations

import asyncio
import email
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session


class Sink:
    """What the server received, and how it answers next."""

    def __init__(self) -> None:
        self.mode = "accept"
        self.received: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self.attempts = 0  # DATA commands seen (answered or not)
        self.port = 0
        self._release = asyncio.Event()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.mode == "reject":
            self.attempts += 1
            return f"550 5.1.1 <{address}>: Recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.attempts += 1
        if self.mode == "later":
            return "451 4.3.0 Try again later"
        if self.mode == "hang":
            await self._release.wait()
            return "421 4.4.2 Gone"
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        message = email.message_from_bytes(raw, policy=default)
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK: queued"

    def release(self) -> None:
        """Let a hanging answer go (at the end of a test)."""
        self._release.set()


@asynccontextmanager
async def smtp_sink() -> AsyncIterator[Sink]:
    """Serve a Sink on 127.0.0.1 on a free port for the duration of the block."""
    sink = Sink()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(sink, hostname="sink.test", decode_data=False, enable_SMTPUTF8=True),
        "127.0.0.1",
        0,
    )
    sink.port = server.sockets[0].getsockname()[1]
    try:
        yield sink
    finally:
        sink.release()
        server.close()
        await server.wait_closed()
