"""The mail sender: the outbox sender (`bot/outbox.py`) for rows on the e-mail channel.

The same claim, lease, exactly-once marking, backoff and audit as every push (it is a `Sender`);
what differs is kept here:
- a row becomes a mail of three parts rendered in the recipient's language from its message
  key: `<key>_subject`, `<key>` (the plain text; rendered like a chat message, then as text) and
  `<key>_html` (the HTML alternative);
- a mail the server refuses for good (a 5xx to the recipient or the message, `Rejected`) is
  parked at once; any other failure (a timeout, no connection, a 4xx) is retried with backoff and
  parked after `max_attempts`; parking is audited (`mail.parked`) and logged, and opens no queue
  item (the recipient is the klantmanager, who would only be mailed about it again);
- a mail row keeps what it says only while it waits: once delivered or parked its context (the
  digest's figures, a participant's name, a login link) is dropped; the row stays as the send
  log (who got which mail, when, or why not).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from bot.channels.base import Outgoing, html_to_text
from bot.channels.email import Mail, Rejected, SmtpTransport
from bot.channels.ratelimit import RateLimiter
from bot.config import Settings
from bot.outbox import DELIVERED, Sender, default_backoff
from bot.storage import audit_log, outbox
from bot.storage.outbox import EMAIL, Pending
from bot.storage.unit import Database, Tx
from messages import render

log = logging.getLogger(__name__)
PER_SECOND = 5  # mails per second at most: a relay's limits are usually far below a chat's


def render_mail(key: str, locale: str, context: dict[str, object]) -> Mail:
    """The mail of an outbox row: subject, plain text and HTML in `locale`."""
    subject = " ".join(html_to_text(render(f"{key}_subject", locale, **context)).split())
    text = html_to_text(render(key, locale, **context))
    html = render(f"{key}_html", locale, **context, subject=subject)
    return Mail(subject, text + "\n", html + "\n")


class MailSender(Sender):
    """Drains the e-mail rows of the outbox through an SMTP transport."""

    def __init__(
        self,
        db: Database,
        transport: SmtpTransport,
        max_attempts: int,
        backoff: Callable[[int], float] = default_backoff,
    ) -> None:
        limiter = RateLimiter(per_second=PER_SECOND, per_chat_interval=0.0)
        super().__init__(db, transport, max_attempts, limiter, backoff)
        self.smtp = transport
        self._rejected: set[int] = set()

    async def send_one(self, item: Pending, now: datetime) -> str:
        outcome = await super().send_one(item, now)
        if outcome == DELIVERED:
            async with self.db.transaction() as tx:
                await outbox.forget_context(tx, item.id)
        return outcome

    async def _deliver_or_edit(
        self, item: Pending, message: Outgoing, target: tuple[int, str | None] | None
    ) -> tuple[int, str | None]:
        mail = render_mail(item.reply.key, item.locale, dict(item.reply.ctx))
        try:
            await self.smtp.send(item.address, mail)
        except Rejected:
            self._rejected.add(item.id)
            raise
        return item.id, None

    def _gives_up(self, item: Pending, attempts: int) -> bool:
        if item.id in self._rejected:
            self._rejected.discard(item.id)
            return True
        return super()._gives_up(item, attempts)

    async def _parked(self, tx: Tx, item: Pending, now: datetime, attempts: int) -> None:
        """Audited and logged; no queue item (it would only be mailed to the same person)."""
        await audit_log.record(
            tx,
            now,
            None,
            "mail.parked",
            item.person_id,
            outbox=item.id,
            message=item.message_key,
            attempts=attempts,
        )
        await outbox.forget_context(tx, item.id)


def mail_sender(db: Database, settings: Settings) -> MailSender | None:
    """The mail sender of the settings; None when `SMTP_HOST` is not set."""
    transport = SmtpTransport.from_settings(settings)
    if transport is None:
        return None
    return MailSender(db, transport, settings.outbox_max_attempts)


async def run_forever(
    sender: MailSender,
    clock_now: Callable[[], datetime],
    stop: asyncio.Event,
    interval: float = 5.0,
) -> None:
    """Drain the mail rows until `stop` is set; an SMTP outage never stops the bot."""
    while not stop.is_set():
        try:
            sent = await sender.drain_once(clock_now())
        except Exception:
            log.exception("mail sweep failed; trying again")
            sent = 0
        if sent:
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)


@contextlib.asynccontextmanager
async def mailing(
    db: Database, settings: Settings, clock_now: Callable[[], datetime]
) -> AsyncIterator[None]:
    """Run the mail sender in the background while the block runs (nothing without SMTP)."""
    sender = mail_sender(db, settings)
    if sender is None:
        yield
        return
    stop = asyncio.Event()
    task = asyncio.create_task(run_forever(sender, clock_now, stop))
    try:
        yield
    finally:
        stop.set()
        await task  # a mail being sent is finished and recorded


__all__ = ["EMAIL", "MailSender", "mail_sender", "mailing", "render_mail", "run_forever"]
