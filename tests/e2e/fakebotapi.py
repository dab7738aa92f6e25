"""A fake Telegram Bot API HTTP server for end-to-end tests.

The server speaks the real Bot API wire format, so an unmodified ``telegram.Bot`` (or a whole
``telegram.ext.Application``) can talk to it by pointing ``base_url`` / ``base_file_url`` at it::

    bot = telegram.Bot(TOKEN, base_url=server.base_url, base_file_url=server.base_file_url)
    app = ApplicationBuilder().token(TOKEN).base_url(server.base_url) \
        .base_file_url(server.base_file_url).build()

Design
------
One :class:`FakeBotApi` object owns all state (queued updates, sent messages, files, failure
injection).  The HTTP side is a tornado application that always runs on *one* asyncio event
loop, the "server loop".  There are two ways to provide that loop:

* **Async mode** - inside a running event loop (e.g. a pytest-asyncio test)::

      server = FakeBotApi()
      await server.start()
      try:
          ...
      finally:
          await server.stop()

  or simply ``async with FakeBotApi() as server: ...``.

* **Thread mode** - for synchronous code the server gets its own event loop in a daemon
  thread::

      with FakeBotApi().run_in_thread() as server:
          ...

  ``start_thread()`` / ``stop_thread()`` do the same without a ``with`` block.

All state is guarded by a single lock, so the test-side API (``send_text``, ``press_button``,
``sent_messages`` ...) may be called from any thread in either mode.  Waiting helpers exist in
two flavours: ``await server.wait_for_messages(...)`` works from *any* event loop (also while the
server runs in a thread), ``server.wait_for_messages_sync(...)`` blocks the calling thread and
must therefore not be called from the server loop itself.  Every wait has a timeout; long polls
are additionally capped by ``max_long_poll`` seconds.

Wire format notes (checked against python-telegram-bot 22): PTB sends
``application/x-www-form-urlencoded`` bodies when no file is uploaded and
``multipart/form-data`` otherwise; non-string values (``reply_markup``, ``chat_id``, booleans,
...) are JSON-encoded *strings* in both cases.  The fake also accepts ``application/json``
bodies and query-string parameters, and converts well-known parameters back to their JSON
types, so :attr:`FakeBotApi.requests` always holds decoded values.  Uploaded files appear in the
recorded parameters as :class:`UploadedFile` objects.

Quick reference (see the method docstrings for details)
-------------------------------------------------------
* acting as users (each returns the Update dict; ``enqueue=False`` only builds it, e.g. to POST
  it to a webhook): ``send_text``, ``send_command``, ``send_group_text``, ``send_edited_text``,
  ``press_button``, ``send_photo``, ``send_document``, ``send_voice``, ``send_sticker``;
  ``make_update`` / ``enqueue_update`` for hand-made payloads; ``make_user``, ``register_chat``,
  ``register_file``.
* inspection: ``requests`` (``(method, params)`` tuples), ``calls(method)``,
  ``sent_messages(chat_id)``, ``sent_texts(chat_id)``, ``last_reply_markup(chat_id)``,
  ``uploads``, ``callback_answers``, ``webhook``, ``commands()``, ``pending_updates``,
  ``file_data(file_id)``, ``rate_violations``, ``internal_errors``.
* waiting (async, plus ``*_sync`` twins): ``wait_for_messages``, ``wait_for_requests``,
  ``wait_for_updates_consumed``, ``wait_until``.  All raise :class:`TimeoutError`.
* failures: ``fail_next(method, kind, times, chat_id, retry_after=...)``, ``block_chat``,
  ``unblock_chat``, ``enforce_limits=True``; ``set_handler(method, fn)`` adds or overrides a
  method (raise :class:`ApiError` from it for Telegram-style errors).

Faithfulness notes: like Telegram, ``sendMessage`` trims surrounding whitespace, parses
``parse_mode`` (HTML, MarkdownV2, Markdown) into ``entities`` and rejects malformed markup with
``400 Bad Request: can't parse entities: ...``; the returned ``Message.reply_markup`` contains
only inline keyboards (reply keyboards are accepted and visible via
:meth:`FakeBotApi.last_reply_markup`, but Telegram never echoes them); ``editMessageText``
without ``reply_markup`` removes the inline keyboard; unchanged edits fail with
``message is not modified``.  Automatic entity detection (URLs, mentions, ...) in bot messages is
not emulated.

PTB gotchas seen through the fake: with ``filterwarnings = error``, PTB 22 raises a
``PTBDeprecationWarning`` instead of ``RetryAfter`` for every 429 unless the environment has
``PTB_TIMEDELTA=true`` (then ``RetryAfter.retry_after`` is a ``timedelta``); and PTB rewrites
``BadRequest`` messages (drops "Bad Request: ", ``str.capitalize()``), so match them
case-insensitively.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
import json
import logging
import math
import re
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import tornado.httpserver
import tornado.netutil
import tornado.web

__all__ = [
    "ApiCall",
    "ApiError",
    "FakeBotApi",
    "UploadedFile",
    "parse_formatted_text",
]

JSONDict = dict[str, Any]
_LOGGER = logging.getLogger(__name__)
T = TypeVar("T")

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
DEFAULT_TIMEOUT = 5.0

_INT_PARAMS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "message_thread_id",
        "reply_to_message_id",
        "offset",
        "limit",
        "timeout",
        "max_connections",
        "cache_time",
        "user_id",
        "width",
        "height",
        "duration",
    }
)
_BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "show_alert",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
        "allow_paid_broadcast",
        "show_caption_above_media",
    }
)
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "allowed_updates",
        "commands",
        "scope",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "media",
        "menu_button",
        "results",
        "message_ids",
    }
)
# Updates Telegram does not deliver unless explicitly listed in ``allowed_updates``.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_ERROR_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


class ApiError(Exception):
    """A Telegram-style error answer.

    Raise it from a handler installed with :meth:`FakeBotApi.set_handler` to make the fake answer
    ``{"ok": false, "error_code": code, "description": description, "parameters": ...}``.
    """

    def __init__(
        self, code: int, description: str, parameters: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.parameters: JSONDict | None = dict(parameters) if parameters else None

    def payload(self) -> JSONDict:
        """Return the JSON body Telegram sends for this error."""
        body: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(text: str) -> ApiError:
    return ApiError(400, f"Bad Request: {text}")


@dataclass(frozen=True)
class UploadedFile:
    """A file the bot uploaded with ``multipart/form-data``."""

    field: str
    filename: str
    content_type: str
    data: bytes = dataclasses.field(repr=False)

    @property
    def size(self) -> int:
        """Number of bytes uploaded."""
        return len(self.data)


class ApiCall(tuple[str, JSONDict]):
    """One recorded API call; a ``(method, params)`` tuple with named accessors."""

    __slots__ = ()

    def __new__(cls, method: str, params: JSONDict) -> ApiCall:
        return super().__new__(cls, (method, params))

    @property
    def method(self) -> str:
        """Canonical (camelCase) method name, or the raw name for unknown methods."""
        return self[0]

    @property
    def params(self) -> JSONDict:
        """Decoded request parameters."""
        return self[1]


class _HasMessageId(Protocol):
    @property
    def message_id(self) -> int: ...


@dataclass
class _FileRecord:
    file_id: str
    file_unique_id: str
    data: bytes = dataclasses.field(repr=False)
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None


@dataclass
class _StoredMessage:
    chat_id: int
    message: JSONDict
    from_bot: bool
    markup: Any = None  # raw reply_markup as sent (any keyboard type), current state
    deleted: bool = False


@dataclass
class _Failure:
    method: str
    code: int
    remaining: int
    chat_id: int | str | None
    retry_after: int
    description: str | None


@dataclass(eq=False)
class _Watcher:
    loop: asyncio.AbstractEventLoop
    event: asyncio.Event


# --------------------------------------------------------------------------------------------
# Formatted text (parse_mode) handling
# --------------------------------------------------------------------------------------------


def _u16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


class _Builder:
    """Accumulates plain text and entities with UTF-16 offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[JSONDict] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.pos += _u16(text)

    def entity(self, start: int, kind: str, **extra: Any) -> None:
        if self.pos > start:
            self.entities.append(
                {"type": kind, "offset": start, "length": self.pos - start} | extra
            )

    def result(self) -> tuple[str, list[JSONDict]]:
        return "".join(self.parts), self.entities


_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY_RE = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")
_HTML_ATTR_RE = re.compile(
    r"""\s*([a-zA-Z][a-zA-Z0-9_-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?"""
)


def _html_unescape_at(text: str, i: int) -> tuple[str, int]:
    match = _HTML_ENTITY_RE.match(text, i)
    if match:
        dec, hexa, name = match.groups()
        if name is not None:
            if name in _HTML_NAMED:
                return _HTML_NAMED[name], match.end()
        else:
            code = int(dec) if dec is not None else int(hexa, 16)
            if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
                return chr(code), match.end()
    return "&", i + 1


def _html_unescape(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "&":
            chunk, i = _html_unescape_at(text, i)
            out.append(chunk)
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _parse_html(text: str) -> tuple[str, list[JSONDict]]:
    out = _Builder()
    # stack entries: (tag name, entity start, entity type, extra fields)
    stack: list[tuple[str, int, str, JSONDict]] = []
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char == "&":
            chunk, i = _html_unescape_at(text, i)
            out.add(chunk)
            continue
        if char != "<":
            j = i
            while j < n and text[j] not in "<&":
                j += 1
            out.add(text[i:j])
            i = j
            continue
        tag_start = i
        close = text.find(">", i)
        if close < 0:
            raise _bad_request(
                "can't parse entities: Unclosed start tag at byte offset "
                f"{_byte_offset(text, tag_start)}"
            )
        inner = text[i + 1 : close]
        i = close + 1
        if inner.startswith("/"):
            name = inner[1:].strip().lower()
            if not stack:
                raise _bad_request(
                    "can't parse entities: Unexpected end tag at byte offset "
                    f"{_byte_offset(text, tag_start)}"
                )
            open_name, start, kind, closed_extra = stack.pop()
            if name and name != open_name:
                raise _bad_request(
                    "can't parse entities: Unmatched end tag at byte offset "
                    f'{_byte_offset(text, tag_start)}, expected "</{open_name}>", '
                    f'found "</{name}>"'
                )
            if kind == "code" and stack and stack[-1][2] == "pre":
                # <pre><code class="language-x">...</code></pre> is one pre entity
                if "language" in closed_extra:
                    stack[-1][3]["language"] = closed_extra["language"]
                continue
            if kind == "code":
                closed_extra.pop("language", None)
            out.entity(start, kind, **closed_extra)
            continue
        name_match = re.match(r"[a-zA-Z0-9-]*", inner)
        name = name_match.group(0).lower() if name_match else ""
        kind_opt = _HTML_TAGS.get(name)
        if kind_opt is None:
            raise _bad_request(
                f'can\'t parse entities: Unsupported start tag "{name}" at byte offset '
                f"{_byte_offset(text, tag_start)}"
            )
        kind = kind_opt
        attrs: dict[str, str] = {}
        rest = inner[len(name) :].rstrip("/")
        for attr in _HTML_ATTR_RE.finditer(rest):
            value = next((v for v in attr.groups()[1:] if v is not None), "")
            attrs[attr.group(1).lower()] = _html_unescape(value)
        extra: JSONDict = {}
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise _bad_request(
                'can\'t parse entities: Tag "span" must have class "tg-spoiler" at byte offset '
                f"{_byte_offset(text, tag_start)}"
            )
        if name == "a":
            href = attrs.get("href", "")
            extra = {"url": href}
        elif name == "tg-emoji":
            if "emoji-id" not in attrs:
                raise _bad_request(
                    'can\'t parse entities: Tag "tg-emoji" must have attribute "emoji-id" at '
                    f"byte offset {_byte_offset(text, tag_start)}"
                )
            extra = {"custom_emoji_id": attrs["emoji-id"]}
        elif name == "code" and attrs.get("class", "").startswith("language-"):
            extra = {"language": attrs["class"][len("language-") :]}
        elif name == "blockquote" and "expandable" in attrs:
            kind = "expandable_blockquote"
        stack.append((name, out.pos, kind, extra))
    if stack:
        raise _bad_request(
            "can't parse entities: Can't find end tag corresponding to start tag "
            f'"{stack[-1][0]}"'
        )
    return out.result()


_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")


def _parse_markdown_v2(text: str) -> tuple[str, list[JSONDict]]:
    out = _Builder()
    # stack entries: (entity type, output start, source index)
    stack: list[tuple[str, int, int]] = []
    quote: tuple[int, bool] | None = None  # (start, expandable)
    n = len(text)
    i = 0

    def unclosed(index: int) -> ApiError:
        return _bad_request(
            "can't parse entities: Can't find end of the entity starting at byte offset "
            f"{_byte_offset(text, index)}"
        )

    def read_until(index: int, end: str, escapable: str) -> tuple[str, int]:
        """Read literal text until ``end`` (escapes allowed); return text and index after end."""
        chunk: list[str] = []
        while index < n:
            if text[index] == "\\" and index + 1 < n and text[index + 1] in escapable:
                chunk.append(text[index + 1])
                index += 2
            elif text.startswith(end, index):
                return "".join(chunk), index + len(end)
            else:
                chunk.append(text[index])
                index += 1
        raise unclosed(index)

    while i < n:
        char = text[i]
        at_line_start = i == 0 or text[i - 1] == "\n"
        if char == "\\" and i + 1 < n and 1 <= ord(text[i + 1]) <= 126:
            out.add(text[i + 1])
            i += 2
            continue
        if at_line_start and not stack and (char == ">" or text.startswith("**>", i)):
            expandable = text.startswith("**>", i)
            if quote is None:
                quote = (out.pos, expandable)
            elif expandable:
                quote = (quote[0], True)
            i += 3 if expandable else 1
            continue
        if char == "\n":
            if (
                quote is not None
                and not stack
                and not (text.startswith(">", i + 1) or text.startswith("**>", i + 1))
            ):
                out.entity(quote[0], "expandable_blockquote" if quote[1] else "blockquote")
                quote = None
            out.add(char)
            i += 1
            continue
        if (
            quote is not None
            and quote[1]
            and not stack
            and text.startswith("||", i)
            and (i + 2 == n or text[i + 2] == "\n")
        ):
            out.entity(quote[0], "expandable_blockquote")
            quote = None
            i += 2
            continue
        if char not in _MDV2_RESERVED:
            out.add(char)
            i += 1
            continue
        top = stack[-1][0] if stack else None
        if (top == "bold" and char == "*") or (top == "strikethrough" and char == "~"):
            kind, start, _ = stack.pop()
            out.entity(start, kind)
            i += 1
            continue
        if top == "underline" and text.startswith("__", i):
            kind, start, _ = stack.pop()
            out.entity(start, kind)
            i += 2
            continue
        if top == "italic" and char == "_":
            kind, start, _ = stack.pop()
            out.entity(start, kind)
            i += 1
            continue
        if top == "spoiler" and text.startswith("||", i):
            kind, start, _ = stack.pop()
            out.entity(start, kind)
            i += 2
            continue
        if top in ("text_link", "custom_emoji") and char == "]":
            kind, start, src = stack.pop()
            i += 1
            if not text.startswith("(", i):
                raise unclosed(src)
            url, i = read_until(i + 1, ")", "\\)")
            if kind == "custom_emoji":
                emoji_id = url.partition("?id=")[2]
                out.entity(start, kind, custom_emoji_id=emoji_id)
            else:
                out.entity(start, kind, url=url)
            continue
        # start of a new entity
        source_index = i
        if char == "`":
            if text.startswith("```", i):
                i += 3
                lang_start = i
                while i < n and not text[i].isspace() and text[i] != "`":
                    i += 1
                language = text[lang_start:i]
                if i < n and text[i] == "\n":
                    i += 1
                else:  # without a newline what looked like a language is the code itself
                    i = lang_start
                    language = ""
                body, i = read_until(i, "```", "\\`")
                start = out.pos
                out.add(body)
                if language:
                    out.entity(start, "pre", language=language)
                else:
                    out.entity(start, "pre")
                continue
            body, i = read_until(i + 1, "`", "\\`")
            start = out.pos
            out.add(body)
            out.entity(start, "code")
            continue
        if char == "*":
            kind, width = "bold", 1
        elif char == "_":
            kind, width = ("underline", 2) if text.startswith("__", i) else ("italic", 1)
        elif char == "~":
            kind, width = "strikethrough", 1
        elif char == "|" and text.startswith("||", i):
            kind, width = "spoiler", 2
        elif char == "[":
            kind, width = "text_link", 1
        elif char == "!" and text.startswith("![", i):
            kind, width = "custom_emoji", 2
        else:
            raise _bad_request(
                f"can't parse entities: Character '{char}' is reserved and must be escaped "
                "with the preceding '\\'"
            )
        if any(entry[0] == kind for entry in stack):
            raise unclosed(stack[next(k for k, e in enumerate(stack) if e[0] == kind)][2])
        stack.append((kind, out.pos, source_index))
        i += width
    if stack:
        raise unclosed(stack[-1][2])
    if quote is not None:
        out.entity(quote[0], "expandable_blockquote" if quote[1] else "blockquote")
    return out.result()


def _parse_markdown_v1(text: str) -> tuple[str, list[JSONDict]]:
    out = _Builder()
    n = len(text)
    i = 0
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.add(text[i + 1])
            i += 2
            continue
        if char not in "_*`[":
            out.add(char)
            i += 1
            continue
        source_index = i
        unclosed = _bad_request(
            "can't parse entities: Can't find end of the entity starting at byte offset "
            f"{_byte_offset(text, source_index)}"
        )
        start = out.pos
        if text.startswith("```", i):
            end = text.find("```", i + 3)
            if end < 0:
                raise unclosed
            body = text[i + 3 : end]
            language = ""
            first_line, newline, rest = body.partition("\n")
            if newline and first_line and " " not in first_line:
                language, body = first_line, rest
            out.add(body)
            if language:
                out.entity(start, "pre", language=language)
            else:
                out.entity(start, "pre")
            i = end + 3
            continue
        end_char = "]" if char == "[" else char
        end = text.find(end_char, i + 1)
        if end < 0:
            raise unclosed
        body = text[i + 1 : end]
        i = end + 1
        if char == "[":
            if text.startswith("(", i):
                close = text.find(")", i)
                if close < 0:
                    raise unclosed
                url = text[i + 1 : close]
                i = close + 1
                out.add(body)
                out.entity(start, "text_link", url=url)
            else:
                out.add(body)
            continue
        out.add(body)
        out.entity(start, {"*": "bold", "_": "italic", "`": "code"}[char])
    return out.result()


def parse_formatted_text(text: str, parse_mode: str | None) -> tuple[str, list[JSONDict]]:
    """Convert ``text`` in ``parse_mode`` to ``(plain_text, entities)`` like Telegram does.

    Entities use UTF-16 offsets, are sorted by offset (outer entities first) and leading and
    trailing whitespace is trimmed.  Raises :class:`ApiError` (400 "can't parse entities") on
    malformed markup.
    """
    mode = (parse_mode or "").lower()
    if mode == "html":
        plain, entities = _parse_html(text)
    elif mode == "markdownv2":
        plain, entities = _parse_markdown_v2(text)
    elif mode == "markdown":
        plain, entities = _parse_markdown_v1(text)
    elif not mode:
        plain, entities = text, []
    else:
        raise _bad_request(f"unsupported parse_mode {parse_mode}")
    return _trim(plain, entities)


def _trim(plain: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    stripped = plain.strip()
    if stripped == plain:
        trimmed = [dict(entity) for entity in entities]
    else:
        shift = _u16(plain[: len(plain) - len(plain.lstrip())])
        limit = _u16(stripped)
        trimmed = []
        for entity in entities:
            begin = max(entity["offset"] - shift, 0)
            end = min(entity["offset"] + entity["length"] - shift, limit)
            if end > begin:
                trimmed.append(dict(entity) | {"offset": begin, "length": end - begin})
    trimmed.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return stripped, trimmed


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _to_int(value: Any) -> Any:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return int(value)
    return value


def _coerce(name: str, value: Any) -> Any:
    """Turn form-encoded string values of well-known parameters back into JSON types."""
    if not isinstance(value, str):
        return value
    if name in _INT_PARAMS:
        return _to_int(value)
    if name in _BOOL_PARAMS:
        return value.strip().lower() in ("true", "1")
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _image_size(data: bytes) -> tuple[int, int]:
    """Best-effort (width, height) of PNG / GIF / JPEG data; (800, 600) otherwise."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                break
            marker = data[i + 1]
            (length,) = struct.unpack(">H", data[i + 2 : i + 4])
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            i += 2 + length
    return 800, 600


def _inline_only(markup: Any) -> JSONDict | None:
    if isinstance(markup, dict) and isinstance(markup.get("inline_keyboard"), list):
        return copy.deepcopy(markup)
    return None


def _callback_data_in(markup: Any) -> list[str]:
    found: list[str] = []
    if isinstance(markup, dict):
        for row in markup.get("inline_keyboard") or []:
            for button in row if isinstance(row, list) else []:
                if isinstance(button, dict) and "callback_data" in button:
                    found.append(str(button["callback_data"]))
    return found


def _validate_markup(markup: Any) -> None:
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise _bad_request("can't parse reply keyboard markup JSON object")
    keyboard = markup.get("inline_keyboard")
    if keyboard is None:
        return
    if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
        raise _bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    for row in keyboard:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise _bad_request(
                    "can't parse inline keyboard button: Text buttons are "
                    "unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                raise _bad_request("BUTTON_DATA_INVALID")


# --------------------------------------------------------------------------------------------
# HTTP layer
# --------------------------------------------------------------------------------------------


class _ApiHandler(tornado.web.RequestHandler):
    fake: FakeBotApi

    def initialize(self, fake: FakeBotApi) -> None:
        self.fake = fake
        self.connection_closed = False
        self.close_event = asyncio.Event()

    def compute_etag(self) -> str | None:
        return None

    def on_connection_close(self) -> None:
        self.connection_closed = True
        self.close_event.set()

    async def get(self, token: str, method: str) -> None:
        await self._serve(token, method)

    async def post(self, token: str, method: str) -> None:
        await self._serve(token, method)

    def _read_params(self) -> JSONDict:
        params: JSONDict = {}
        for name, values in self.request.query_arguments.items():
            params[name] = values[-1].decode("utf-8", "replace")
        content_type = self.request.headers.get("Content-Type", "")
        if content_type.startswith("application/json"):
            try:
                body = json.loads(self.request.body or b"{}")
            except ValueError as exc:
                raise _bad_request("can't parse JSON object") from exc
            if not isinstance(body, dict):
                raise _bad_request("JSON object expected")
            params.update(body)
        else:
            for name, values in self.request.body_arguments.items():
                params[name] = values[-1].decode("utf-8", "replace")
            for name, files in self.request.files.items():
                upload = files[-1]
                params[name] = UploadedFile(
                    field=name,
                    filename=upload.filename,
                    content_type=upload.content_type,
                    data=upload.body,
                )
        return {name: _coerce(name, value) for name, value in params.items()}

    async def _serve(self, token: str, method: str) -> None:
        try:
            params = self._read_params()
        except ApiError as exc:
            status, body = exc.code, exc.payload()
        else:
            status, body = await self.fake._dispatch(token, method, params, self)
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, ensure_ascii=False).encode("utf-8"))


class _FileHandler(tornado.web.RequestHandler):
    fake: FakeBotApi

    def initialize(self, fake: FakeBotApi) -> None:
        self.fake = fake

    def compute_etag(self) -> str | None:
        return None

    def get(self, token: str, file_path: str) -> None:
        data = self.fake._download(token, file_path)
        if data is None:
            self.set_status(404)
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps(ApiError(404, "Not Found").payload()))
            return
        self.set_header("Content-Type", "application/octet-stream")
        self.finish(data)


# --------------------------------------------------------------------------------------------
# The fake server
# --------------------------------------------------------------------------------------------


class FakeBotApi:
    """In-process fake of the Telegram Bot API (see the module docstring for the design).

    Args:
        token: if given, requests with another token get ``401 Unauthorized``; by default every
            token is accepted.
        bot_username / bot_first_name / bot_id: identity returned by ``getMe`` (the id defaults to
            the numeric prefix of ``token`` or 7000000001).
        enforce_limits: answer ``429`` (``retry_after=1``) when more than ``global_limit`` send
            calls happened in the last second (and, if ``per_chat_limit`` is set, more than
            ``per_chat_limit`` sends to one chat within ``per_chat_window`` seconds).  Violations
            are counted in :attr:`rate_violations` even when not enforced.
        per_chat_burst: with ``per_chat_limit``, a token bucket per chat instead of that window:
            ``per_chat_limit`` sends per ``per_chat_window`` seconds on average, up to
            ``per_chat_burst`` at once (Telegram's "about one a second in a chat, short bursts
            allowed").
        retry_after: default ``retry_after`` for injected 429 failures.
        max_long_poll: cap (seconds) for the ``timeout`` of ``getUpdates`` long polls.
        parse_entities: parse ``parse_mode`` markup like Telegram (and reject malformed markup).
        known_chats_only: answer ``400 chat not found`` for chats that never sent an update.
        first_update_id: ``update_id`` of the first update.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_username: str = "pto_test_bot",
        bot_first_name: str = "PTO Test Bot",
        bot_id: int | None = None,
        enforce_limits: bool = False,
        global_limit: int = 30,
        per_chat_limit: int | None = None,
        per_chat_window: float = 1.0,
        per_chat_burst: int | None = None,
        retry_after: int = 5,
        max_long_poll: float = 10.0,
        parse_entities: bool = True,
        known_chats_only: bool = False,
        first_update_id: int = 1,
        host: str = "127.0.0.1",
    ) -> None:
        if bot_id is None:
            prefix = (token or "").partition(":")[0]
            bot_id = int(prefix) if prefix.isdigit() else 7000000001
        self.token = token
        self.bot_user: JSONDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.enforce_limits = enforce_limits
        self.global_limit = global_limit
        self.per_chat_limit = per_chat_limit
        self.per_chat_window = per_chat_window
        self.per_chat_burst = per_chat_burst
        self.default_retry_after = retry_after
        self.max_long_poll = max_long_poll
        self.parse_entities = parse_entities
        self.known_chats_only = known_chats_only
        self.host = host
        self.port = 0

        self._cond = threading.Condition(threading.RLock())
        self._watchers: set[_Watcher] = set()
        self._closing = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._http_server: tornado.httpserver.HTTPServer | None = None
        self._thread: threading.Thread | None = None

        self._requests: list[ApiCall] = []
        self._uploads: list[UploadedFile] = []
        self._updates: deque[JSONDict] = deque()
        self._next_update_id = first_update_id
        self._poll_generation = 0
        self._allowed_updates: list[str] = []
        self._webhook: JSONDict = {}
        self._commands: dict[str, list[JSONDict]] = {}
        self._chats: dict[int, JSONDict] = {}
        self._message_ids: dict[int, int] = {}
        self._messages: dict[tuple[int, int], _StoredMessage] = {}
        self._bot_messages: list[_StoredMessage] = []
        self._files: dict[str, _FileRecord] = {}
        self._files_by_path: dict[str, _FileRecord] = {}
        self._file_counter = 0
        self._callback_counter = 0
        self._open_callbacks: dict[str, JSONDict] = {}
        self._callback_answers: list[JSONDict] = []
        self._failures: list[_Failure] = []
        self._blocked: set[int | str] = set()
        self._send_times: deque[float] = deque()
        self._chat_send_times: dict[int | str, deque[float]] = {}
        self._chat_tokens: dict[int | str, tuple[float, float]] = {}  # (tokens, at)
        self.rate_violations = 0
        self._internal_errors: list[BaseException] = []
        self._handlers: dict[str, Callable[[JSONDict], Any]] = {}

        builtin: dict[str, Callable[[JSONDict], Any]] = {
            "getMe": self._m_get_me,
            "logOut": lambda params: True,
            "close": lambda params: True,
            "deleteWebhook": self._m_delete_webhook,
            "setWebhook": self._m_set_webhook,
            "getWebhookInfo": self._m_get_webhook_info,
            "sendMessage": self._m_send_message,
            "sendDocument": self._m_send_document,
            "sendPhoto": self._m_send_photo,
            "sendChatAction": self._m_send_chat_action,
            "editMessageText": self._m_edit_message_text,
            "editMessageCaption": self._m_edit_message_caption,
            "editMessageReplyMarkup": self._m_edit_message_reply_markup,
            "deleteMessage": self._m_delete_message,
            "answerCallbackQuery": self._m_answer_callback_query,
            "getFile": self._m_get_file,
            "getChat": self._m_get_chat,
            "setMyCommands": self._m_set_my_commands,
            "getMyCommands": self._m_get_my_commands,
            "deleteMyCommands": self._m_delete_my_commands,
        }
        self._builtin = builtin
        self._canonical: dict[str, str] = {name.lower(): name for name in builtin}
        self._canonical["getupdates"] = "getUpdates"

    # ----------------------------------------------------------------- lifecycle (async mode)

    @property
    def base_url(self) -> str:
        """Value for ``Bot(base_url=...)``: ``http://127.0.0.1:PORT/bot`` (token appended)."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``Bot(base_file_url=...)``: ``http://127.0.0.1:PORT/file/bot``."""
        return f"http://{self.host}:{self.port}/file/bot"

    @property
    def running(self) -> bool:
        """Whether the HTTP server is listening."""
        return self._http_server is not None

    async def start(self) -> FakeBotApi:
        """Start listening in the running event loop; returns ``self``."""
        if self._http_server is not None:
            raise RuntimeError("FakeBotApi is already running")
        app = tornado.web.Application(
            [
                (r"/bot([^/]*)/([^/]*)", _ApiHandler, {"fake": self}),
                (r"/file/bot([^/]*)/(.+)", _FileHandler, {"fake": self}),
            ],
            log_function=lambda handler: None,
        )
        sockets = tornado.netutil.bind_sockets(0, self.host, family=socket.AF_INET)
        self.port = int(sockets[0].getsockname()[1])
        server = tornado.httpserver.HTTPServer(app, max_body_size=64 * 1024 * 1024)
        server.add_sockets(sockets)
        with self._cond:
            self._closing = False
            self._loop = asyncio.get_running_loop()
            self._http_server = server
        return self

    async def stop(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Stop listening, end pending long polls and close all connections (idempotent)."""
        server = self._http_server
        if server is None:
            return
        with self._cond:
            self._closing = True
        self._notify()
        server.stop()
        # Let woken long polls answer before their connections are torn down.
        for _ in range(3):
            await asyncio.sleep(0)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(server.close_all_connections(), timeout)
        with self._cond:
            self._http_server = None
            self._loop = None

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ---------------------------------------------------------------- lifecycle (thread mode)

    def start_thread(self, timeout: float = DEFAULT_TIMEOUT) -> FakeBotApi:
        """Run the server on a fresh event loop in a daemon thread; returns ``self``."""
        if self._thread is not None:
            raise RuntimeError("FakeBotApi thread is already running")
        ready = threading.Event()
        errors: list[BaseException] = []
        loop = asyncio.new_event_loop()

        def run() -> None:
            try:
                try:
                    loop.run_until_complete(self.start())
                except BaseException as exc:  # reported to the starting thread
                    errors.append(exc)
                    return
                finally:
                    ready.set()
                loop.run_forever()
            finally:
                with contextlib.suppress(Exception):
                    loop.run_until_complete(self.stop())
                    tasks = asyncio.all_tasks(loop)
                    for task in tasks:
                        task.cancel()
                    loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
                    loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        thread = threading.Thread(target=run, name="FakeBotApi", daemon=True)
        thread.start()
        if not ready.wait(timeout):
            raise TimeoutError("FakeBotApi thread did not start in time")
        if errors:
            thread.join(timeout)
            raise errors[0]
        self._thread = thread
        return self

    def stop_thread(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Stop a server started with :meth:`start_thread` (idempotent)."""
        thread, loop = self._thread, self._loop
        if thread is None:
            return
        if loop is not None and not loop.is_closed():
            future = asyncio.run_coroutine_threadsafe(self.stop(), loop)
            with contextlib.suppress(Exception):
                future.result(timeout)
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        self._thread = None

    @contextlib.contextmanager
    def run_in_thread(self, timeout: float = DEFAULT_TIMEOUT) -> Iterator[FakeBotApi]:
        """Context manager around :meth:`start_thread` / :meth:`stop_thread`."""
        self.start_thread(timeout)
        try:
            yield self
        finally:
            self.stop_thread(timeout)

    # ------------------------------------------------------------------ waiting machinery

    def _notify(self) -> None:
        with self._cond:
            self._cond.notify_all()
            watchers = list(self._watchers)
        for watcher in watchers:
            with contextlib.suppress(RuntimeError):  # loop already closed
                watcher.loop.call_soon_threadsafe(watcher.event.set)

    async def _wait_async(
        self,
        check: Callable[[], T | None],
        timeout: float,
        extra_event: asyncio.Event | None = None,
    ) -> T | None:
        """Await until ``check()`` (run under the lock) returns non-None, or time out."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(timeout, 0.0)
        watcher = _Watcher(loop, asyncio.Event())
        with self._cond:
            self._watchers.add(watcher)
        try:
            while True:
                watcher.event.clear()
                with self._cond:
                    result = check()
                if result is not None:
                    return result
                remaining = deadline - loop.time()
                if remaining <= 0 or (extra_event is not None and extra_event.is_set()):
                    return None
                waiters = [asyncio.ensure_future(watcher.event.wait())]
                if extra_event is not None:
                    waiters.append(asyncio.ensure_future(extra_event.wait()))
                try:
                    await asyncio.wait(
                        waiters, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
                    )
                finally:
                    for waiter in waiters:
                        waiter.cancel()
                    await asyncio.gather(*waiters, return_exceptions=True)
        finally:
            with self._cond:
                self._watchers.discard(watcher)

    def _wait_sync(self, check: Callable[[], T | None], timeout: float) -> T | None:
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not None and running is self._loop:
            raise RuntimeError(
                "blocking wait called from the server's event loop; use the async variant"
            )
        deadline = time.monotonic() + max(timeout, 0.0)
        with self._cond:
            while True:
                result = check()
                if result is not None:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)

    def _messages_check(
        self, chat_id: int | None, count: int
    ) -> Callable[[], list[JSONDict] | None]:
        def check() -> list[JSONDict] | None:
            found = self._sent_messages_locked(chat_id)
            return found if len(found) >= count else None

        return check

    def _timeout_error(self, what: str, timeout: float) -> TimeoutError:
        with self._cond:
            sent = [
                (record.chat_id, record.message.get("text", record.message.get("caption")))
                for record in self._bot_messages
            ]
            calls = [call.method for call in self._requests[-20:]]
        return TimeoutError(
            f"timed out after {timeout}s waiting for {what}; sent so far: {sent}; "
            f"last calls: {calls}"
        )

    async def wait_for_messages(
        self, chat_id: int | None = None, count: int = 1, timeout: float = DEFAULT_TIMEOUT
    ) -> list[JSONDict]:
        """Wait until at least ``count`` messages were sent (to ``chat_id``, or anywhere).

        Returns all sent messages for that chat (not only the new ones); raises
        :class:`TimeoutError` listing what was sent when ``timeout`` passes.
        """
        result = await self._wait_async(self._messages_check(chat_id, count), timeout)
        if result is None:
            raise self._timeout_error(f"{count} message(s) to chat {chat_id}", timeout)
        return result

    def wait_for_messages_sync(
        self, chat_id: int | None = None, count: int = 1, timeout: float = DEFAULT_TIMEOUT
    ) -> list[JSONDict]:
        """Blocking variant of :meth:`wait_for_messages` (thread mode only)."""
        result = self._wait_sync(self._messages_check(chat_id, count), timeout)
        if result is None:
            raise self._timeout_error(f"{count} message(s) to chat {chat_id}", timeout)
        return result

    def _calls_check(self, method: str, count: int) -> Callable[[], list[ApiCall] | None]:
        def check() -> list[ApiCall] | None:
            found = [call for call in self._requests if call.method.lower() == method.lower()]
            return found if len(found) >= count else None

        return check

    async def wait_for_requests(
        self, method: str, count: int = 1, timeout: float = DEFAULT_TIMEOUT
    ) -> list[ApiCall]:
        """Wait until ``method`` was called at least ``count`` times; return those calls."""
        result = await self._wait_async(self._calls_check(method, count), timeout)
        if result is None:
            raise self._timeout_error(f"{count} call(s) of {method}", timeout)
        return result

    def wait_for_requests_sync(
        self, method: str, count: int = 1, timeout: float = DEFAULT_TIMEOUT
    ) -> list[ApiCall]:
        """Blocking variant of :meth:`wait_for_requests`."""
        result = self._wait_sync(self._calls_check(method, count), timeout)
        if result is None:
            raise self._timeout_error(f"{count} call(s) of {method}", timeout)
        return result

    def _consumed_check(self) -> bool | None:
        return True if not self._updates else None

    async def wait_for_updates_consumed(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Wait until the bot confirmed (via ``offset``) every queued update."""
        if await self._wait_async(self._consumed_check, timeout) is None:
            raise self._timeout_error("queued updates to be confirmed", timeout)

    def wait_for_updates_consumed_sync(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Blocking variant of :meth:`wait_for_updates_consumed`."""
        if self._wait_sync(self._consumed_check, timeout) is None:
            raise self._timeout_error("queued updates to be confirmed", timeout)

    async def wait_until(
        self, predicate: Callable[[], bool], timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        """Wait until ``predicate()`` is true; it is re-checked after every state change."""
        if await self._wait_async(lambda: True if predicate() else None, timeout) is None:
            raise self._timeout_error("predicate", timeout)

    def wait_until_sync(
        self, predicate: Callable[[], bool], timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        """Blocking variant of :meth:`wait_until`."""
        if self._wait_sync(lambda: True if predicate() else None, timeout) is None:
            raise self._timeout_error("predicate", timeout)

    # ------------------------------------------------------------------------- inspection

    @property
    def requests(self) -> list[ApiCall]:
        """Every API call received, in order, as ``(method, params)`` tuples (a copy)."""
        with self._cond:
            return list(self._requests)

    def calls(self, method: str) -> list[JSONDict]:
        """Parameters of every call of ``method`` (case-insensitive), in order."""
        with self._cond:
            return [
                call.params for call in self._requests if call.method.lower() == method.lower()
            ]

    @property
    def internal_errors(self) -> list[BaseException]:
        """Unexpected exceptions raised while handling calls (answered as 500); should be []."""
        with self._cond:
            return list(self._internal_errors)

    @property
    def uploads(self) -> list[UploadedFile]:
        """Every file the bot uploaded via multipart, in order."""
        with self._cond:
            return list(self._uploads)

    @property
    def callback_answers(self) -> list[JSONDict]:
        """Parameters of every successful ``answerCallbackQuery`` call."""
        with self._cond:
            return copy.deepcopy(self._callback_answers)

    @property
    def webhook(self) -> JSONDict:
        """Current webhook settings (``url``, ``secret_token``, ...); empty when unset."""
        with self._cond:
            return dict(self._webhook)

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates queued and not yet confirmed by the bot."""
        with self._cond:
            return copy.deepcopy(list(self._updates))

    def commands(
        self, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[JSONDict]:
        """Bot commands set for ``scope`` (default scope) and ``language_code``."""
        with self._cond:
            return copy.deepcopy(self._commands.get(self._commands_key(scope, language_code), []))

    def _sent_messages_locked(self, chat_id: int | None) -> list[JSONDict]:
        return [
            copy.deepcopy(record.message)
            for record in self._bot_messages
            if chat_id is None or record.chat_id == chat_id
        ]

    def sent_messages(self, chat_id: int | None = None) -> list[JSONDict]:
        """Messages the bot sent (sendMessage/sendDocument/sendPhoto), oldest first.

        Each entry is the Message JSON in its current state (edits applied; deleted messages
        stay in the list).
        """
        with self._cond:
            return self._sent_messages_locked(chat_id)

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        """Text (or caption) of every sent message, oldest first."""
        return [
            str(msg.get("text", msg.get("caption", ""))) for msg in self.sent_messages(chat_id)
        ]

    def last_reply_markup(self, chat_id: int) -> JSONDict | None:
        """Reply markup of the newest bot message in ``chat_id`` that currently carries one.

        Unlike the echoed ``Message.reply_markup`` this includes reply keyboards,
        ``ReplyKeyboardRemove`` and ``ForceReply`` exactly as the bot sent them.
        """
        with self._cond:
            for record in reversed(self._bot_messages):
                if record.chat_id == chat_id and record.markup is not None:
                    return copy.deepcopy(record.markup)  # type: ignore[no-any-return]
        return None

    # ------------------------------------------------------------------ failure injection

    def fail_next(
        self,
        method: str,
        kind: int = 500,
        times: int = 1,
        chat_id: int | str | None = None,
        *,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail with HTTP/Telegram error ``kind``.

        ``kind`` is usually 429 (with ``retry_after``, default from the constructor), 500 or 403
        ("Forbidden: bot was blocked by the user"); any 4xx/5xx code works.  ``method`` is
        case-insensitive, ``"*"`` matches every method.  With ``chat_id`` only calls for that
        chat match.
        """
        if not 400 <= kind <= 599:
            raise ValueError(f"kind must be an HTTP error code, not {kind}")
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._cond:
            self._failures.append(
                _Failure(
                    method=method.lower(),
                    code=kind,
                    remaining=times,
                    chat_id=_to_int(chat_id),
                    retry_after=max(1, retry_after or self.default_retry_after),
                    description=description,
                )
            )

    def block_chat(self, chat_id: int) -> None:
        """Make every send/edit to ``chat_id`` answer 403 "bot was blocked by the user"."""
        with self._cond:
            self._blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        """Undo :meth:`block_chat`."""
        with self._cond:
            self._blocked.discard(chat_id)

    def set_handler(self, method: str, handler: Callable[[JSONDict], Any] | None) -> None:
        """Install (or with ``None`` remove) a custom implementation of ``method``.

        The handler receives the decoded params and returns the ``result`` value, or raises
        :class:`ApiError`.  It runs on the server loop under the state lock; keep it quick.
        """
        with self._cond:
            if handler is None:
                self._handlers.pop(method.lower(), None)
            else:
                self._handlers[method.lower()] = handler
                self._canonical.setdefault(method.lower(), method)

    # ------------------------------------------------------------------- users and chats

    @staticmethod
    def make_user(
        user_id: int,
        first_name: str | None = None,
        username: str | None = None,
        *,
        last_name: str | None = None,
        language_code: str | None = "en",
        is_bot: bool = False,
    ) -> JSONDict:
        """Build a Telegram ``User`` JSON object."""
        user: JSONDict = {
            "id": user_id,
            "is_bot": is_bot,
            "first_name": first_name or f"User{user_id}",
        }
        if last_name:
            user["last_name"] = last_name
        user["username"] = username or f"user{user_id}"
        if language_code:
            user["language_code"] = language_code
        return user

    def register_chat(
        self, chat_id: int, chat_type: str = "supergroup", title: str | None = None
    ) -> JSONDict:
        """Declare a group/supergroup/channel chat (private chats are created implicitly)."""
        chat: JSONDict = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat |= {"first_name": title or f"User{chat_id}", "username": f"user{chat_id}"}
        else:
            chat["title"] = title or f"Test group {abs(chat_id)}"
        with self._cond:
            self._chats[chat_id] = chat
        return dict(chat)

    def _user(self, user: int | Mapping[str, Any] | None, fallback_id: int) -> JSONDict:
        if user is None:
            return self.make_user(fallback_id)
        if isinstance(user, int):
            return self.make_user(user)
        return dict(user)

    def _chat_locked(self, chat_id: int, user: JSONDict | None = None) -> JSONDict:
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id > 0:
                source = user if user is not None and user.get("id") == chat_id else None
                source = source or self.make_user(chat_id)
                chat = {"id": chat_id, "type": "private", "first_name": source["first_name"]}
                for key in ("last_name", "username"):
                    if key in source:
                        chat[key] = source[key]
            else:
                chat_type = "supergroup" if str(chat_id).startswith("-100") else "group"
                chat = {"id": chat_id, "type": chat_type, "title": f"Test group {abs(chat_id)}"}
            self._chats[chat_id] = chat
        return dict(chat)

    def _next_message_id(self, chat_id: int) -> int:
        next_id = self._message_ids.get(chat_id, 0) + 1
        self._message_ids[chat_id] = next_id
        return next_id

    # ------------------------------------------------------------------------ files

    def register_file(
        self,
        data: bytes,
        *,
        kind: str = "documents",
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> JSONDict:
        """Store ``data`` so ``getFile`` and the file download URL serve it.

        Returns ``{"file_id", "file_unique_id", "file_size", "file_path"}``.
        """
        with self._cond:
            record = self._register_file_locked(data, kind, file_name, mime_type)
        return self._file_json(record)

    def _register_file_locked(
        self, data: bytes, kind: str, file_name: str | None, mime_type: str | None
    ) -> _FileRecord:
        self._file_counter += 1
        number = self._file_counter
        suffix = ""
        if file_name and "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1]
        elif kind == "photos":
            suffix = ".jpg"
        elif kind == "voice":
            suffix = ".oga"
        elif kind == "stickers":
            suffix = ".webp"
        record = _FileRecord(
            file_id=f"FAKE{kind[:3].upper()}{number:06d}AAQ",
            file_unique_id=f"FU{number:06d}",
            data=data,
            file_path=f"{kind}/file_{number}{suffix}",
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[record.file_id] = record
        self._files_by_path[record.file_path] = record
        return record

    @staticmethod
    def _file_json(record: _FileRecord) -> JSONDict:
        return {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": len(record.data),
            "file_path": record.file_path,
        }

    def file_data(self, file_id: str) -> bytes:
        """Bytes of a registered or uploaded file (``KeyError`` if unknown)."""
        with self._cond:
            return self._files[file_id].data

    def _photo_sizes_locked(self, data: bytes, width: int, height: int) -> list[JSONDict]:
        """PhotoSize list like Telegram's (small to large); every size serves ``data``."""
        longest = max(width, height, 1)
        sizes: list[JSONDict] = []
        targets = [bound for bound in (90, 320, 800) if bound < longest]
        targets.append(min(longest, 2560))
        for bound in targets:
            scale = bound / longest
            record = self._register_file_locked(data, "photos", None, "image/jpeg")
            sizes.append(
                {
                    "file_id": record.file_id,
                    "file_unique_id": record.file_unique_id,
                    "file_size": len(data),
                    "width": max(1, round(width * scale)),
                    "height": max(1, round(height * scale)),
                }
            )
        return sizes

    def _download(self, token: str, file_path: str) -> bytes | None:
        with self._cond:
            if self.token is not None and token != self.token:
                return None
            record = self._files_by_path.get(file_path)
            return None if record is None else record.data

    # ------------------------------------------------------------------- acting as users

    def make_update(self, update_type: str, payload: Mapping[str, Any]) -> JSONDict:
        """Return ``{"update_id": next id, update_type: payload}`` without queueing it."""
        with self._cond:
            update_id = self._next_update_id
            self._next_update_id += 1
        return {"update_id": update_id, update_type: copy.deepcopy(dict(payload))}

    def enqueue_update(self, update: Mapping[str, Any]) -> None:
        """Queue a ready-made update for ``getUpdates``."""
        with self._cond:
            self._updates.append(copy.deepcopy(dict(update)))
        self._notify()

    def _emit(self, update_type: str, payload: JSONDict, enqueue: bool) -> JSONDict:
        update = self.make_update(update_type, payload)
        if enqueue:
            self.enqueue_update(update)
        return update

    def _user_message(
        self,
        chat_id: int,
        user: int | Mapping[str, Any] | None,
        content: JSONDict,
        reply_to: int | None = None,
    ) -> JSONDict:
        sender = self._user(user, chat_id if chat_id > 0 else 1)
        with self._cond:
            chat = self._chat_locked(chat_id, sender)
            message: JSONDict = {
                "message_id": self._next_message_id(chat_id),
                "from": sender,
                "chat": chat,
                "date": int(time.time()),
            }
            if reply_to is not None:
                replied = self._messages.get((chat_id, reply_to))
                if replied is not None:
                    message["reply_to_message"] = copy.deepcopy(replied.message)
            message |= content
            self._messages[(chat_id, message["message_id"])] = _StoredMessage(
                chat_id, message, from_bot=False
            )
            return copy.deepcopy(message)

    def _text_content(self, text: str) -> JSONDict:
        content: JSONDict = {"text": text}
        match = re.match(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?", text)
        if match:
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _u16(match.group(0))}
            ]
        return content

    def send_text(
        self,
        chat_id: int,
        text: str,
        user: int | Mapping[str, Any] | None = None,
        *,
        reply_to: int | None = None,
        enqueue: bool = True,
    ) -> JSONDict:
        """A user writes ``text`` in ``chat_id``; returns the queued update.

        ``user`` is a user id or a ``User`` dict (default: the private chat's user).  Text that
        starts with ``/command`` gets a ``bot_command`` entity, as Telegram does.
        """
        message = self._user_message(chat_id, user, self._text_content(text), reply_to)
        return self._emit("message", message, enqueue)

    def send_command(
        self,
        chat_id: int,
        command: str,
        args: str = "",
        user: int | Mapping[str, Any] | None = None,
        *,
        mention_bot: bool = False,
        enqueue: bool = True,
    ) -> JSONDict:
        """A user sends ``/command args`` (``/command@bot_username`` with ``mention_bot``)."""
        text = "/" + command.lstrip("/")
        if mention_bot:
            text += "@" + str(self.bot_user["username"])
        if args:
            text += " " + args
        return self.send_text(chat_id, text, user, enqueue=enqueue)

    def send_group_text(
        self,
        group_chat_id: int,
        text: str,
        user: int | Mapping[str, Any],
        *,
        enqueue: bool = True,
    ) -> JSONDict:
        """``user`` writes ``text`` in a group (negative id; ``-100...`` is a supergroup)."""
        if group_chat_id >= 0:
            raise ValueError("group chat ids are negative")
        return self.send_text(group_chat_id, text, user, enqueue=enqueue)

    def send_edited_text(
        self,
        chat_id: int,
        message_id: int | Mapping[str, Any] | _HasMessageId,
        text: str,
        *,
        enqueue: bool = True,
    ) -> JSONDict:
        """The author of user message ``message_id`` edits it to ``text`` (edited_message)."""
        target = self._message_id_of(message_id)
        with self._cond:
            record = self._messages.get((chat_id, target))
            if record is None or record.from_bot:
                raise ValueError(f"no user message {target} in chat {chat_id}")
            record.message.pop("entities", None)
            record.message |= self._text_content(text)
            record.message["edit_date"] = int(time.time())
            message = copy.deepcopy(record.message)
        return self._emit("edited_message", message, enqueue)

    def send_photo(
        self,
        chat_id: int,
        data: bytes,
        caption: str | None = None,
        user: int | Mapping[str, Any] | None = None,
        *,
        width: int | None = None,
        height: int | None = None,
        enqueue: bool = True,
    ) -> JSONDict:
        """A user sends a photo; every PhotoSize is downloadable via getFile."""
        guessed = _image_size(data)
        with self._cond:
            sizes = self._photo_sizes_locked(data, width or guessed[0], height or guessed[1])
        content: JSONDict = {"photo": sizes}
        if caption:
            content["caption"] = caption
        return self._emit("message", self._user_message(chat_id, user, content), enqueue)

    def send_document(
        self,
        chat_id: int,
        data: bytes,
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        caption: str | None = None,
        user: int | Mapping[str, Any] | None = None,
        *,
        enqueue: bool = True,
    ) -> JSONDict:
        """A user sends a document; it is downloadable via getFile."""
        with self._cond:
            record = self._register_file_locked(data, "documents", file_name, mime_type)
        content: JSONDict = {
            "document": {
                "file_name": file_name,
                "mime_type": mime_type,
                "file_id": record.file_id,
                "file_unique_id": record.file_unique_id,
                "file_size": len(data),
            }
        }
        if caption:
            content["caption"] = caption
        return self._emit("message", self._user_message(chat_id, user, content), enqueue)

    def send_voice(
        self,
        chat_id: int,
        data: bytes = b"OggS fake voice",
        duration: int = 1,
        mime_type: str = "audio/ogg",
        user: int | Mapping[str, Any] | None = None,
        *,
        enqueue: bool = True,
    ) -> JSONDict:
        """A user sends a voice note; it is downloadable via getFile."""
        with self._cond:
            record = self._register_file_locked(data, "voice", None, mime_type)
        content: JSONDict = {
            "voice": {
                "file_id": record.file_id,
                "file_unique_id": record.file_unique_id,
                "duration": duration,
                "mime_type": mime_type,
                "file_size": len(data),
            }
        }
        return self._emit("message", self._user_message(chat_id, user, content), enqueue)

    def send_sticker(
        self,
        chat_id: int,
        emoji: str = "\N{THUMBS UP SIGN}",
        user: int | Mapping[str, Any] | None = None,
        *,
        set_name: str | None = "FakeStickers",
        enqueue: bool = True,
    ) -> JSONDict:
        """A user sends a (static, regular) sticker."""
        with self._cond:
            record = self._register_file_locked(b"RIFF fake webp", "stickers", None, "image/webp")
        sticker: JSONDict = {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": len(record.data),
        }
        if set_name:
            sticker["set_name"] = set_name
        content: JSONDict = {"sticker": sticker}
        return self._emit("message", self._user_message(chat_id, user, content), enqueue)

    @staticmethod
    def _message_id_of(message: int | Mapping[str, Any] | _HasMessageId) -> int:
        if isinstance(message, int):
            return message
        if isinstance(message, Mapping):
            return int(message["message_id"])
        return int(message.message_id)

    def press_button(
        self,
        chat_id: int,
        message: int | Mapping[str, Any] | _HasMessageId,
        callback_data: str,
        user: int | Mapping[str, Any] | None = None,
        *,
        check: bool = True,
        enqueue: bool = True,
    ) -> JSONDict:
        """A user presses the inline button with ``callback_data`` under a bot message.

        ``message`` is a message id, a Message dict or a ``telegram.Message``.  With ``check``
        (default) the button must exist in the message's current inline keyboard.
        """
        message_id = self._message_id_of(message)
        sender = self._user(user, chat_id if chat_id > 0 else 1)
        with self._cond:
            record = self._messages.get((chat_id, message_id))
            if record is None or not record.from_bot:
                raise ValueError(f"no bot message {message_id} in chat {chat_id}")
            if check and callback_data not in _callback_data_in(record.markup):
                raise ValueError(
                    f"message {message_id} has no button with callback_data {callback_data!r}; "
                    f"available: {_callback_data_in(record.markup)}"
                )
            self._callback_counter += 1
            query_id = str(4_000_000_000_000_000 + self._callback_counter)
            query: JSONDict = {
                "id": query_id,
                "from": sender,
                "message": copy.deepcopy(record.message),
                "chat_instance": str(abs(chat_id) * 7 + 1_000_000_000),
                "data": callback_data,
            }
            self._open_callbacks[query_id] = query
        return self._emit("callback_query", query, enqueue)

    # ------------------------------------------------------------------ request dispatch

    async def _dispatch(
        self, token: str, raw_method: str, params: JSONDict, handler: _ApiHandler
    ) -> tuple[int, JSONDict]:
        try:
            result = await self._call(token, raw_method, params, handler)
        except ApiError as exc:
            return exc.code, exc.payload()
        except Exception as exc:  # a bug in the fake or in a custom handler
            _LOGGER.exception("FakeBotApi failed to handle %s", raw_method)
            with self._cond:
                self._internal_errors.append(exc)
            return 500, ApiError(500, f"Internal Server Error (FakeBotApi: {exc!r})").payload()
        finally:
            self._notify()
        if isinstance(result, _Described):
            return 200, {"ok": True, "result": result.result, "description": result.description}
        return 200, {"ok": True, "result": result}

    async def _call(
        self, token: str, raw_method: str, params: JSONDict, handler: _ApiHandler
    ) -> Any:
        with self._cond:
            method = self._canonical.get(raw_method.lower(), raw_method)
            self._requests.append(ApiCall(method, params))
            for value in params.values():
                if isinstance(value, UploadedFile):
                    self._uploads.append(value)
            if self.token is not None and token != self.token:
                raise ApiError(401, "Unauthorized")
            custom = self._handlers.get(method.lower())
            builtin = self._builtin.get(method)
            if custom is None and builtin is None and method != "getUpdates":
                raise ApiError(404, "Not Found")
            self._check_failures(method, params)
            implementation = custom or builtin
            if implementation is not None:
                result = implementation(params)
                if self._is_send(method):
                    self._record_send(_to_int(params.get("chat_id")))
                return result
        # getUpdates may wait, so it runs outside the lock
        return await self._get_updates(params, handler)

    @staticmethod
    def _is_send(method: str) -> bool:
        return (method.startswith("send") and method != "sendChatAction") or method in (
            "copyMessage",
            "forwardMessage",
        )

    def _check_failures(self, method: str, params: JSONDict) -> None:
        chat_id = _to_int(params.get("chat_id"))
        for failure in self._failures:
            if failure.method not in ("*", method.lower()):
                continue
            if failure.chat_id is not None and failure.chat_id != chat_id:
                continue
            failure.remaining -= 1
            if failure.remaining <= 0:
                self._failures.remove(failure)
            if failure.code == 429:
                raise ApiError(
                    429,
                    failure.description or f"Too Many Requests: retry after {failure.retry_after}",
                    {"retry_after": failure.retry_after},
                )
            raise ApiError(
                failure.code,
                failure.description or _ERROR_DESCRIPTIONS.get(failure.code, "Error"),
            )
        is_send = self._is_send(method)
        if (
            chat_id is not None
            and chat_id in self._blocked
            and (is_send or method.startswith("edit") or method == "sendChatAction")
        ):
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if is_send and chat_id is not None:
            self._check_rate(chat_id)

    def _check_rate(self, chat_id: int | str) -> None:
        now = time.monotonic()
        while self._send_times and now - self._send_times[0] >= 1.0:
            self._send_times.popleft()
        chat_times = self._chat_send_times.setdefault(chat_id, deque())
        while chat_times and now - chat_times[0] >= self.per_chat_window:
            chat_times.popleft()
        retry_after = 0
        if len(self._send_times) >= self.global_limit:
            retry_after = 1
        elif self.per_chat_limit is not None and self.per_chat_burst is not None:
            tokens = self._tokens(chat_id, now)
            if tokens < 1.0:
                rate = self.per_chat_limit / self.per_chat_window
                retry_after = max(1, math.ceil((1.0 - tokens) / rate))
        elif self.per_chat_limit is not None and len(chat_times) >= self.per_chat_limit:
            retry_after = max(1, math.ceil(self.per_chat_window - (now - chat_times[0])))
        if retry_after:
            self.rate_violations += 1
            if self.enforce_limits:
                raise ApiError(
                    429,
                    f"Too Many Requests: retry after {retry_after}",
                    {"retry_after": retry_after},
                )

    def _tokens(self, chat_id: int | str, now: float) -> float:
        """The sends a chat's bucket holds now (full for a chat never sent to)."""
        burst = float(self.per_chat_burst or 1)
        tokens, at = self._chat_tokens.get(chat_id, (burst, now))
        rate = (self.per_chat_limit or 1) / self.per_chat_window
        return min(burst, tokens + (now - at) * rate)

    def _record_send(self, chat_id: int | str | None) -> None:
        """Remember a successful send for the rate-limit windows."""
        now = time.monotonic()
        self._send_times.append(now)
        if chat_id is not None:
            self._chat_send_times.setdefault(chat_id, deque()).append(now)
            if self.per_chat_burst is not None:
                self._chat_tokens[chat_id] = (self._tokens(chat_id, now) - 1.0, now)

    # --------------------------------------------------------------------- getUpdates

    def _confirm_locked(self, offset: int) -> None:
        if offset < 0:
            keep = -offset
            while len(self._updates) > keep:
                self._updates.popleft()
        elif offset > 0:
            while self._updates and self._updates[0]["update_id"] < offset:
                self._updates.popleft()

    def _allowed(self, update: JSONDict) -> bool:
        kinds = [key for key in update if key != "update_id"]
        kind = kinds[0] if kinds else ""
        if self._allowed_updates:
            return kind in self._allowed_updates
        return kind not in _OPT_IN_UPDATES

    async def _get_updates(self, params: JSONDict, handler: _ApiHandler) -> list[JSONDict]:
        try:
            offset = int(params.get("offset") or 0)
            limit = min(max(int(params.get("limit") or 100), 1), 100)
            timeout = max(float(params.get("timeout") or 0), 0.0)
        except (TypeError, ValueError) as exc:
            raise _bad_request("wrong parameter value") from exc
        with self._cond:
            if self._webhook.get("url"):
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; use "
                    "deleteWebhook to delete the webhook first",
                )
            allowed = params.get("allowed_updates")
            if isinstance(allowed, list):
                self._allowed_updates = [str(kind) for kind in allowed]
            self._confirm_locked(offset)
            self._poll_generation += 1
            generation = self._poll_generation
        self._notify()  # terminates an older pending long poll and wakes consumers

        def check() -> list[JSONDict] | None:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                )
            if self._closing or handler.connection_closed:
                return []
            # Telegram drops updates the bot did not subscribe to.
            kept = [update for update in self._updates if self._allowed(update)]
            if len(kept) != len(self._updates):
                self._updates = deque(kept)
            if not kept:
                return None
            return copy.deepcopy(kept[:limit])

        result = await self._wait_async(
            check, min(timeout, self.max_long_poll), extra_event=handler.close_event
        )
        return result or []

    # ------------------------------------------------------------------- method handlers

    def _m_get_me(self, params: JSONDict) -> JSONDict:
        return dict(self.bot_user)

    def _m_delete_webhook(self, params: JSONDict) -> _Described:
        had = bool(self._webhook.get("url"))
        self._webhook = {}
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return _Described(True, "Webhook was deleted" if had else "Webhook is already deleted")

    def _m_set_webhook(self, params: JSONDict) -> _Described:
        url = params.get("url") or ""
        if not url:
            return self._m_delete_webhook(params)
        if not str(url).startswith("https://") and not str(url).startswith("http://"):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise _bad_request("secret token contains unallowed characters")
        self._webhook = {
            key: params[key]
            for key in ("url", "secret_token", "max_connections", "allowed_updates", "ip_address")
            if params.get(key) is not None
        }
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return _Described(True, "Webhook was set")

    def _m_get_webhook_info(self, params: JSONDict) -> JSONDict:
        info: JSONDict = {
            "url": self._webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook.get("url"):
            info["max_connections"] = self._webhook.get("max_connections", 40)
            if self._webhook.get("ip_address"):
                info["ip_address"] = self._webhook["ip_address"]
            if self._webhook.get("allowed_updates"):
                info["allowed_updates"] = self._webhook["allowed_updates"]
        return info

    def _target_chat(self, params: JSONDict) -> int:
        chat_id = _to_int(params.get("chat_id"))
        if chat_id is None or chat_id == "":
            raise _bad_request("chat_id is empty")
        if not isinstance(chat_id, int):
            raise _bad_request("chat not found")
        if self.known_chats_only and chat_id not in self._chats:
            raise _bad_request("chat not found")
        return chat_id

    def _formatted(
        self, params: JSONDict, text_key: str, entities_key: str
    ) -> tuple[str, list[JSONDict]]:
        raw = params.get(text_key)
        text = "" if raw is None else str(raw)
        if self.parse_entities and params.get("parse_mode"):
            return parse_formatted_text(text, str(params["parse_mode"]))
        entities = params.get(entities_key)
        return text, copy.deepcopy(entities) if isinstance(entities, list) else []

    def _new_bot_message(self, chat_id: int, params: JSONDict, content: JSONDict) -> JSONDict:
        markup = params.get("reply_markup")
        _validate_markup(markup)
        message: JSONDict = {
            "message_id": 0,
            "from": dict(self.bot_user),
            "chat": self._chat_locked(chat_id),
            "date": int(time.time()),
        }
        reply_to = params.get("reply_to_message_id")
        reply_params = params.get("reply_parameters")
        allow_missing = bool(params.get("allow_sending_without_reply"))
        if isinstance(reply_params, dict):
            reply_to = reply_params.get("message_id")
            allow_missing = bool(reply_params.get("allow_sending_without_reply", allow_missing))
        if reply_to is not None:
            replied = self._messages.get((chat_id, int(reply_to)))
            if replied is not None and not replied.deleted:
                message["reply_to_message"] = copy.deepcopy(replied.message)
            elif not allow_missing:
                raise _bad_request("message to be replied not found")
        message["message_id"] = self._next_message_id(chat_id)
        message |= content
        inline = _inline_only(markup)
        if inline is not None:
            message["reply_markup"] = inline
        record = _StoredMessage(chat_id, message, from_bot=True, markup=copy.deepcopy(markup))
        self._messages[(chat_id, message["message_id"])] = record
        self._bot_messages.append(record)
        return copy.deepcopy(message)

    def _caption_content(self, params: JSONDict) -> JSONDict:
        caption, entities = self._formatted(params, "caption", "caption_entities")
        if len(caption) > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        content: JSONDict = {}
        if caption:
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        return content

    def _m_send_message(self, params: JSONDict) -> JSONDict:
        chat_id = self._target_chat(params)
        text, entities = self._formatted(params, "text", "entities")
        if not text.strip():
            raise _bad_request("message text is empty")
        if len(text) > MAX_MESSAGE_LENGTH:
            raise _bad_request("message is too long")
        content: JSONDict = {"text": text}
        if entities:
            content["entities"] = entities
        if isinstance(params.get("link_preview_options"), dict):
            content["link_preview_options"] = params["link_preview_options"]
        return self._new_bot_message(chat_id, params, content)

    def _input_file(self, params: JSONDict, key: str, kind: str) -> _FileRecord:
        value = params.get(key)
        if isinstance(value, UploadedFile):
            return self._register_file_locked(
                value.data, kind, value.filename or None, value.content_type or None
            )
        if isinstance(value, str) and value:
            if value.startswith("attach://"):
                raise _bad_request(f"there is no {key} in the request")
            if value in self._files:
                return self._files[value]
            if value.startswith(("http://", "https://")):
                name = value.rstrip("/").rsplit("/", 1)[-1] or None
                return self._register_file_locked(b"", kind, name, None)
            raise _bad_request("wrong file identifier/HTTP URL specified")
        raise _bad_request(f"there is no {key} in the request")

    def _m_send_document(self, params: JSONDict) -> JSONDict:
        chat_id = self._target_chat(params)
        record = self._input_file(params, "document", "documents")
        document: JSONDict = {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": len(record.data),
        }
        if record.file_name:
            document["file_name"] = record.file_name
        if record.mime_type:
            document["mime_type"] = record.mime_type
        content = {"document": document} | self._caption_content(params)
        return self._new_bot_message(chat_id, params, content)

    def _m_send_photo(self, params: JSONDict) -> JSONDict:
        chat_id = self._target_chat(params)
        record = self._input_file(params, "photo", "photos")
        width, height = _image_size(record.data)
        sizes = self._photo_sizes_locked(record.data, width, height)
        content = {"photo": sizes} | self._caption_content(params)
        return self._new_bot_message(chat_id, params, content)

    def _m_send_chat_action(self, params: JSONDict) -> bool:
        self._target_chat(params)
        if not params.get("action"):
            raise _bad_request("action is empty")
        return True

    def _editable(self, params: JSONDict) -> _StoredMessage | None:
        if params.get("inline_message_id"):
            return None
        chat_id = self._target_chat(params)
        message_id = _to_int(params.get("message_id"))
        if not isinstance(message_id, int):
            raise _bad_request("message identifier is not specified")
        record = self._messages.get((chat_id, message_id))
        if record is None or record.deleted:
            raise _bad_request("message to edit not found")
        if not record.from_bot:
            raise _bad_request("message can't be edited")
        return record

    @staticmethod
    def _apply_edit(
        record: _StoredMessage, replaced: frozenset[str], content: JSONDict, markup: Any
    ) -> JSONDict:
        """Replace the ``replaced`` keys of a bot message by ``content`` and set ``markup``.

        Like Telegram, a missing ``reply_markup`` removes the inline keyboard, and an edit that
        changes nothing fails with "message is not modified".
        """
        message = record.message
        current = {key: value for key, value in message.items() if key != "edit_date"}
        updated = {
            key: value
            for key, value in current.items()
            if key not in replaced and key != "reply_markup"
        } | content
        inline = _inline_only(markup)
        if inline is not None:
            updated["reply_markup"] = inline
        if updated == current:
            raise ApiError(400, _NOT_MODIFIED)
        updated["edit_date"] = int(time.time())
        message.clear()
        message.update(updated)
        record.markup = copy.deepcopy(markup)
        return copy.deepcopy(message)

    def _m_edit_message_text(self, params: JSONDict) -> JSONDict | bool:
        record = self._editable(params)
        text, entities = self._formatted(params, "text", "entities")
        if not text.strip():
            raise _bad_request("message text is empty")
        if len(text) > MAX_MESSAGE_LENGTH:
            raise _bad_request("MESSAGE_TOO_LONG")
        markup = params.get("reply_markup")
        _validate_markup(markup)
        if record is None:
            return True
        if "text" not in record.message:
            raise _bad_request("there is no text in the message to edit")
        content: JSONDict = {"text": text}
        if entities:
            content["entities"] = entities
        return self._apply_edit(record, frozenset({"text", "entities"}), content, markup)

    def _m_edit_message_caption(self, params: JSONDict) -> JSONDict | bool:
        record = self._editable(params)
        markup = params.get("reply_markup")
        _validate_markup(markup)
        content = self._caption_content(params)
        if record is None:
            return True
        if "text" in record.message:
            raise _bad_request("there is no caption in the message to edit")
        replaced = frozenset({"caption", "caption_entities"})
        return self._apply_edit(record, replaced, content, markup)

    def _m_edit_message_reply_markup(self, params: JSONDict) -> JSONDict | bool:
        record = self._editable(params)
        markup = params.get("reply_markup")
        _validate_markup(markup)
        if markup is not None and _inline_only(markup) is None:
            raise _bad_request("inline keyboard expected")
        if record is None:
            return True
        return self._apply_edit(record, frozenset(), {}, markup)

    def _m_delete_message(self, params: JSONDict) -> bool:
        chat_id = self._target_chat(params)
        message_id = _to_int(params.get("message_id"))
        record = self._messages.get((chat_id, message_id)) if isinstance(message_id, int) else None
        if record is None or record.deleted:
            raise _bad_request("message to delete not found")
        record.deleted = True
        return True

    def _m_answer_callback_query(self, params: JSONDict) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_callbacks:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        del self._open_callbacks[query_id]
        self._callback_answers.append(copy.deepcopy(params))
        return True

    def _m_get_file(self, params: JSONDict) -> JSONDict:
        record = self._files.get(str(params.get("file_id") or ""))
        if record is None:
            raise _bad_request("invalid file_id")
        if len(record.data) > MAX_DOWNLOAD_SIZE:
            raise _bad_request("file is too big")
        return self._file_json(record)

    def _m_get_chat(self, params: JSONDict) -> JSONDict:
        chat_id = self._target_chat(params)
        return self._chat_locked(chat_id) | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    @staticmethod
    def _commands_key(scope: Any, language_code: Any) -> str:
        scope_json = json.dumps(scope or {"type": "default"}, sort_keys=True)
        return f"{scope_json}|{language_code or ''}"

    def _m_set_my_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad_request("too many commands")
        cleaned: list[JSONDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad_request("can't parse BotCommand")
            name = str(command.get("command", "")).lstrip("/")
            description = str(command.get("description", ""))
            if not _COMMAND_RE.fullmatch(name.lower()):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise _bad_request(
                    "command description is empty"
                    if not description
                    else "BOT_COMMAND_DESCRIPTION_INVALID"
                )
            cleaned.append({"command": name.lower(), "description": description})
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        if cleaned:
            self._commands[key] = cleaned
        else:
            self._commands.pop(key, None)
        return True

    def _m_get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        return copy.deepcopy(self._commands.get(key, []))

    def _m_delete_my_commands(self, params: JSONDict) -> bool:
        self._commands.pop(
            self._commands_key(params.get("scope"), params.get("language_code")), None
        )
        return True


@dataclass
class _Described:
    """A successful result that Telegram accompanies with a ``description``."""

    result: Any
    description: str
