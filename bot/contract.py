"""The channel-neutral contract: an Inbound goes in, Replies and the next state come out.

Every channel (Telegram, the console, later WhatsApp and the web) speaks this and only this;
handlers and the dispatcher never see a channel's own types. Buttons are data: each channel
renders them within its own limits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    total_cents: int | None = None  # a receipt's total, read before the unit of work


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
    # The language the person's chat app is set to ("tr", "en-GB"), when the channel tells it
    # (Telegram does; WhatsApp and the console do not): a new participant is greeted in it.
    client_language: str | None = None


@dataclass(frozen=True)
class Button:
    """A choice: a label (a message key, or literal data-derived text) and the data it sends.

    Channel-neutral: Telegram shows an inline keyboard, the console letters; a channel with
    tighter limits (WhatsApp: 3 reply buttons or a list of 10 rows) renders the same rows its way.
    `data` follows the grammar `feature:action[:argument…]` and stays within 64 bytes.
    """

    data: str
    label_key: str | None = None
    text: str | None = None
    ctx: Mapping[str, Any] = field(default_factory=dict)

    def to_data(self) -> dict[str, Any]:
        """The button as plain JSON data (for the outbox and stored menus)."""
        data: dict[str, Any] = {"data": self.data}
        if self.label_key is not None:
            data["label_key"] = self.label_key
        if self.text is not None:
            data["text"] = self.text
        if self.ctx:
            data["ctx"] = dict(self.ctx)
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Button:
        """The button `to_data` wrote."""
        return cls(data["data"], data.get("label_key"), data.get("text"), data.get("ctx") or {})


ButtonRows = tuple[tuple[Button, ...], ...]


def rows_to_data(rows: ButtonRows) -> list[list[dict[str, Any]]]:
    """Rows of buttons as plain JSON data."""
    return [[button.to_data() for button in row] for row in rows]


def rows_from_data(data: Sequence[Sequence[Mapping[str, Any]]]) -> ButtonRows:
    """Rows of buttons from what `rows_to_data` wrote."""
    return tuple(tuple(Button.from_data(b) for b in row) for row in data)


@dataclass(frozen=True)
class Reply:
    """A message to send back: a template key with its context, buttons, maybe a file."""

    key: str
    ctx: Mapping[str, Any] = field(default_factory=dict)
    buttons: ButtonRows = ()
    document: str | None = None
    as_list: bool = False  # a hint: a long menu a channel may show as a list rather than buttons


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
