"""The channel-neutral contract: an Inbound goes in, Replies and the next state come out.

Every channel (Telegram, the console, later WhatsApp and the web) speaks this and only this;
handlers and the dispatcher never see a channel's own types. Buttons are data: each channel
renders them within its own limits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """What arrived."""

    TEXT = "text"
    COMMAND = "command"
    BUTTON = "button"
    FILE = "file"
    EDITED = "edited"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True)
class FileIn:
    """A file the person sent; `data` is None when it was too large to fetch."""

    kind: str  # "photo" | "document"
    mime: str
    size: int
    data: bytes | None
    name: str | None = None


def command_parts(text: str) -> tuple[str, str]:
    """'/Start@pto_bot abc def' → ('start', 'abc def'): the command without bot name, its args."""
    head, _, args = text.strip().partition(" ")
    return head[1:].split("@", 1)[0].lower(), args.strip()


@dataclass(frozen=True)
class Inbound:
    """One thing a person sent, on any channel."""

    channel: str
    address: str
    kind: Kind
    update_id: str | None = None
    text: str = ""
    command: str | None = None
    args: str = ""
    button: str | None = None
    file: FileIn | None = None


@dataclass(frozen=True)
class Button:
    """An inline button: a label (a message key, or literal data-derived text) and its data."""

    data: str
    label_key: str | None = None
    text: str | None = None
    ctx: Mapping[str, Any] = field(default_factory=dict)


ButtonRows = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Reply:
    """A message to send back: a template key with its context, buttons, maybe a file."""

    key: str
    ctx: Mapping[str, Any] = field(default_factory=dict)
    buttons: ButtonRows = ()
    document: str | None = None


@dataclass
class State:
    """Where a person is in a conversation; stored in SQLite after every update."""

    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    changed: bool = False

    def go(self, flow: str, step: str, **data: Any) -> None:
        """Move to `step` of `flow`, merging `data` into the stored data."""
        if flow != self.flow:
            self.data = {}
        self.flow, self.step = flow, step
        self.data.update(data)
        self.changed = True

    def clear(self) -> None:
        """Leave the current flow."""
        self.flow, self.step, self.data = None, None, {}
        self.changed = True

    def touch(self) -> None:
        """Mark the data as changed after editing `data` in place."""
        self.changed = True


def small_int(text: str, limit: int = 10**12) -> int | None:
    """A whole number typed or carried in button data: ASCII digits only, below `limit`."""
    if not text or len(text) > 13 or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value < limit else None
