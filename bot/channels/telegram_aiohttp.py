"""python-telegram-bot's transport on aiohttp (the default; `bot.channels.telegram_clients`).

`AiohttpRequest` is a `telegram.request.BaseRequest`: python-telegram-bot still turns status codes
into its errors (`BaseRequest._request_wrapper`: 429 → RetryAfter, 403 → Forbidden, 400 →
BadRequest, 5xx → NetworkError); this class only moves bytes and, like `HTTPXRequest`, raises
`TimedOut` for a timeout and `NetworkError` for any other transport failure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode
from urllib.request import getproxies

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.channels.telegram_http import form_fields, json_body, parse_json

if TYPE_CHECKING:
    from telegram._utils.types import ODVInput

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}


def _given(value: ODVInput[float], default: float | None) -> float | None:
    """A timeout passed to the call, or this request's own when none was (a DefaultValue)."""
    return value if value is None or isinstance(value, int | float) else default


def _add(*values: float | None) -> float | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


class AiohttpRequest(BaseRequest):
    """python-telegram-bot's transport on one pooled aiohttp session.

    Timeouts mean what they mean for `HTTPXRequest`: `connect` to open a connection, `pool` to
    wait for a free one (aiohttp counts both in its connect timeout, so they are added), `read`
    between bytes of the answer, `write` to send the request. aiohttp has no write timeout of its
    own, so a POST as a whole is bounded by the sum of all four (uploads use
    `media_write_timeout` for `write`, as `HTTPXRequest` does); a download (GET) has no bound on
    the whole, only on each read, so a large proof file on a slow line still arrives.
    """

    __slots__ = ("_media_write_timeout", "_pool_size", "_session", "_timeouts")

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._timeouts = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The read timeout used when a call does not name one."""
        return self._timeouts[0]

    async def initialize(self) -> None:
        """Open the session (inside the event loop, as aiohttp wants); twice is once."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
                # A proxy from the environment (HTTPS_PROXY …), as httpx reads it; only then,
                # since aiohttp then looks it up in a thread for every request.
                trust_env=bool(getproxies()),
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    @staticmethod
    def parse_json_payload(payload: bytes) -> Any:
        """Decode an answer with orjson (`BaseRequest` allows overriding this)."""
        return parse_json(payload)

    @staticmethod
    def encode_body(request_data: RequestData) -> tuple[bytes, dict[str, str]]:
        """A request without files as this transport puts it on the wire, with its content
        type: a JSON body, or a form when orjson can't encode a value."""
        body = json_body(request_data)
        if body is not None:
            return body, JSON
        return urlencode(form_fields(request_data)).encode(), FORM

    def _timeout(
        self,
        method: str,
        files: bool,
        read: ODVInput[float],
        write: ODVInput[float],
        connect: ODVInput[float],
        pool: ODVInput[float],
    ) -> aiohttp.ClientTimeout:
        default_read, default_write, default_connect, default_pool = self._timeouts
        if files:
            default_write = self._media_write_timeout
        r, w = _given(read, default_read), _given(write, default_write)
        c, p = _given(connect, default_connect), _given(pool, default_pool)
        total = None if method == "GET" else _add(p, c, w, r)
        return aiohttp.ClientTimeout(total=total, connect=_add(p, c), sock_connect=c, sock_read=r)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; (status, body), or TimedOut / NetworkError when transport fails."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = bool(request_data is not None and request_data.contains_files)
        timeout = self._timeout(
            method, files, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        data: Any = None
        headers: dict[str, str] | None = None
        if request_data is not None and files:
            form = aiohttp.FormData()
            for name, value in form_fields(request_data).items():
                form.add_field(name, value)
            for name, (filename, content, mime) in request_data.multipart_data.items():
                form.add_field(name, content, filename=filename, content_type=mime)
            data = form
        elif request_data is not None:
            data, headers = self.encode_body(request_data)
        try:
            async with session.request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:  # aiohttp's ServerTimeoutError is one too
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
