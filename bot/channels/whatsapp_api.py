"""The WhatsApp Business Cloud API over HTTP: sending messages, fetching media.

Our own small httpx client rather than `pywa`: httpx is already a dependency, we need only four
calls (send, media URL, download, upload), and the outbox needs Meta's error codes one by one
(131047 the 24-hour window, 131026 undeliverable, 429 and 5xx to wait and retry) translated into
the sender's exceptions, which a framework would wrap in its own. Errors never quote a phone
number or the token.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import httpx

from bot.channels.base import Blocked, DeliveryError, RetryLater

log = logging.getLogger(__name__)
WINDOW_CLOSED = 131047  # "re-engagement message": more than 24 hours since the person wrote
UNDELIVERABLE = 131026  # not on WhatsApp, an old app, or the person blocked the number
TIMEOUT = httpx.Timeout(20.0, connect=10.0)
DEFAULT_RETRY_AFTER = 30.0  # seconds, when a 429 says no Retry-After


class WindowClosed(DeliveryError):
    """A free message outside the 24-hour window: send the approved template instead."""


class Undeliverable(Blocked):
    """The number can't get WhatsApp messages: the identity is unreachable."""


class MediaError(Exception):
    """A media file could not be fetched (gone, too big, refused, the network)."""


def _error_code(response: httpx.Response) -> tuple[int | None, str]:
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        return None, f"HTTP {response.status_code}"
    code = error.get("code")
    title = str(error.get("type") or error.get("error_subcode") or "")
    return (code if isinstance(code, int) else None), f"HTTP {response.status_code} {title}"


def translate(response: httpx.Response) -> None:
    """Raise the sender's exception for an error answer (nothing for a 2xx)."""
    if response.is_success:
        return
    code, reason = _error_code(response)
    if code == WINDOW_CLOSED:
        raise WindowClosed(f"{reason} code {code}")
    if code == UNDELIVERABLE:
        raise Undeliverable(f"{reason} code {code}")
    if response.status_code == 429 or code in (4, 80007, 130429, 131048, 131056):
        header = response.headers.get("Retry-After", "")
        wait = float(header) if header.replace(".", "", 1).isdigit() else DEFAULT_RETRY_AFTER
        raise RetryLater(wait, f"{reason} code {code}")
    raise DeliveryError(f"{reason} code {code}")  # 5xx too: retried with backoff, then parked


class GraphClient:
    """Calls to `{WHATSAPP_API_URL}` for one business phone number."""

    def __init__(self, base_url: str, phone_number_id: str, token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.phone_number_id = phone_number_id
        self._http = httpx.AsyncClient(
            timeout=TIMEOUT, headers={"Authorization": f"Bearer {token}"}
        )

    async def close(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    async def send(self, to: str, payload: dict[str, Any]) -> str | None:
        """POST one message; returns its WhatsApp message id (wamid)."""
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
        body.update(payload)
        try:
            response = await self._http.post(
                f"{self.base_url}/{self.phone_number_id}/messages", json=body
            )
        except httpx.HTTPError as exc:  # timeouts, refused connections: retried with backoff
            raise DeliveryError(type(exc).__name__) from None
        translate(response)
        try:
            messages = response.json().get("messages") or [{}]
            found = messages[0].get("id")
        except (ValueError, AttributeError, IndexError):
            return None
        return str(found) if found else None

    async def upload(self, path: Path, mime: str) -> str:
        """Upload a file to send as a document; returns its media id."""
        data = await asyncio.to_thread(path.read_bytes)
        try:
            response = await self._http.post(
                f"{self.base_url}/{self.phone_number_id}/media",
                data={"messaging_product": "whatsapp", "type": mime},
                files={"file": (path.name, data, mime)},
            )
        except httpx.HTTPError as exc:
            raise DeliveryError(type(exc).__name__) from None
        translate(response)
        return str(response.json()["id"])

    async def download(self, media_id: str, max_bytes: int) -> tuple[str, bytes]:
        """(mime type, bytes) of a received media file; MediaError when it can't be had or is
        larger than `max_bytes` (checked before and while downloading)."""
        try:
            meta = await self._http.get(f"{self.base_url}/{media_id}")
            if not meta.is_success:
                raise MediaError(f"media URL: HTTP {meta.status_code}")
            info = meta.json()
            url, mime = str(info["url"]), str(info.get("mime_type") or "")
            if int(info.get("file_size") or 0) > max_bytes:
                raise MediaError("too big")
            chunks: list[bytes] = []
            size = 0
            async with self._http.stream("GET", url) as response:
                if not response.is_success:
                    raise MediaError(f"media download: HTTP {response.status_code}")
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise MediaError("too big")
                    chunks.append(chunk)
        except httpx.HTTPError as exc:
            raise MediaError(type(exc).__name__) from None
        except (ValueError, KeyError, TypeError) as exc:
            raise MediaError(f"media URL: unreadable answer ({type(exc).__name__})") from None
        return mime.split(";")[0].strip(), b"".join(chunks)
