"""The channels that can deliver outbox rows in this process, by name.

A channel registers itself while it can send (the Telegram channel from the moment the app
starts it until it stops) and unregisters when it can't any more. The `outbox` job drains every
registered channel; a channel pushes go out on that is not running in this process (the
`ptobot jobs run outbox` of a machine without the bot, or a dry run) is only counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from bot.channels.base import Transport

# where pushes go out, whether or not the channel runs here
PUSH_CHANNELS = ("telegram", "whatsapp")


class Channels:
    """Name → a live channel that can deliver outbox rows (a `Transport`)."""

    def __init__(self, expected: Iterable[str] = PUSH_CHANNELS) -> None:
        self.expected = tuple(expected)
        self._live: dict[str, Transport] = {}

    def register(self, channel: Transport) -> None:
        """Make `channel` the live one for its name (it can send from now on)."""
        self._live[channel.name] = channel

    def unregister(self, channel: Transport) -> None:
        """Forget `channel` (it can't send any more); another one of its name stays."""
        if self._live.get(channel.name) is channel:
            del self._live[channel.name]

    @contextmanager
    def serving(self, channel: Transport) -> Iterator[Transport]:
        """`channel` registered for the duration of the block."""
        self.register(channel)
        try:
            yield channel
        finally:
            self.unregister(channel)

    def get(self, name: str) -> Transport | None:
        """The live channel called `name`, or None."""
        return self._live.get(name)

    def names(self) -> tuple[str, ...]:
        """The expected channels, then any other live one, each once."""
        return self.expected + tuple(n for n in self._live if n not in self.expected)

    def __iter__(self) -> Iterator[Transport]:
        return iter(list(self._live.values()))

    def __len__(self) -> int:
        return len(self._live)
