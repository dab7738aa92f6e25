"""E-mail as a channel the outbox sender delivers to, over SMTP with aiosmtplib.

A mail is plain text with, when there is one, an HTML alternative (multipart/alternative). What
can pass is retried by the sender (`DeliveryError`): a timeout, no connection, a 4xx answer, a
refused login or sender (settings to fix, not the message). A 5xx answer to the recipient or to
the message itself will not change by trying again: `Rejected`, parked at once. Errors carry the
SMTP code or the error's type, never the server's text (it may name the address).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from bot.channels.base import DeliveryError, Outgoing, html_to_text
from bot.config import Settings
from bot.storage.outbox import EMAIL

log = logging.getLogger(__name__)
TIMEOUT = 30.0  # seconds for the connection and each SMTP answer


class Rejected(DeliveryError):
    """The server refused the recipient or the message for good (5xx): park it."""


@dataclass(frozen=True)
class Mail:
    """A rendered mail: subject, plain text, and an HTML alternative when there is one."""

    subject: str
    text: str
    html: str | None = None


def build_message(sender: str, address: str, mail: Mail) -> EmailMessage:
    """The MIME message: text/plain, with the HTML as multipart/alternative."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = address
    message["Subject"] = " ".join(mail.subject.split())
    message["Date"] = formatdate(localtime=False)
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(mail.text)
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html")
    return message


class SmtpTransport:
    """Sends mails through the SMTP server of the settings (`SMTP_*`)."""

    name = EMAIL

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        timeout: float = TIMEOUT,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpTransport | None:
        """The transport of the settings; None when `SMTP_HOST` is not set."""
        if settings.smtp_host is None or settings.smtp_from is None:
            return None
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_from,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
        )

    async def deliver(self, address: str, message: Outgoing) -> str | None:
        """A chat message as a plain mail (its first line the subject)."""
        text = html_to_text(message.text)
        return await self.send(address, Mail(text.split("\n", 1)[0][:120], text))

    async def send(self, address: str, mail: Mail) -> str | None:
        """Send one mail; returns its Message-ID. Raises `Rejected` or `DeliveryError`."""
        import aiosmtplib  # only once a mail goes out: with its e-mail modules about 3 MiB

        message = build_message(self.sender, address, mail)
        try:
            await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                start_tls=self.starttls,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [refused.code for refused in exc.recipients]
            raise _answer(min(codes) if codes else 0) from None
        except (aiosmtplib.SMTPRecipientRefused, aiosmtplib.SMTPDataError) as exc:
            raise _answer(exc.code) from None
        except aiosmtplib.SMTPResponseException as exc:  # login, sender, greeting: settings
            raise DeliveryError(f"SMTP {exc.code}") from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise DeliveryError(type(exc).__name__) from None
        return str(message["Message-ID"])


def _answer(code: int) -> DeliveryError:
    """A refusal: for good on 5xx, to try again otherwise."""
    return Rejected(f"SMTP {code}") if code >= 500 else DeliveryError(f"SMTP {code}")
