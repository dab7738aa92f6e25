"""The terminal chat: reads lines from standard input, so it also works with piped input."""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import TextIO

from bot import demo
from bot.app import App
from bot.channels.base import Outgoing, html_to_text, render_reply
from bot.contract import Inbound, Kind, command_parts
from bot.domain.models import Role
from bot.outbox import drain_once
from bot.storage import people
from messages import render

CHANNEL = "console"


def button_key(index: int) -> str:
    """The letters shown for the button at `index` (0-based): a … z, then aa, ab, …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def button_index(text: str, count: int) -> int | None:
    """The button a typed line presses (its letters, any case), or None: then it is text."""
    word = text.strip().lower()
    if not (word.isascii() and word.isalpha()) or len(word) > len(button_key(count - 1)):
        return None
    return next((i for i in range(count) if button_key(i) == word), None)


def parse_line(line: str, address: str, buttons: list[tuple[str, str]], seq: int) -> Inbound:
    """A typed line as an Inbound: `/cmd args`, a button's letter, or text.

    Buttons are letters ([a] Ja [b] Nee), so a typed number ("4" hours) is always an answer.
    """
    text = line.strip()
    update_id = None  # the terminal never re-delivers a line
    if text.startswith("/"):
        command, args = command_parts(text)
        return Inbound(
            CHANNEL,
            address,
            Kind.COMMAND,
            update_id,
            text=text,
            command=command,
            args=args,
        )
    pressed = button_index(text, len(buttons)) if buttons else None
    if pressed is not None:
        return Inbound(CHANNEL, address, Kind.BUTTON, update_id, button=buttons[pressed][1])
    return Inbound(CHANNEL, address, Kind.TEXT, update_id, text=text)


class ConsoleChannel:
    """One person at a time in the terminal; in demo mode `/als <naam>` switches person."""

    name = CHANNEL

    def __init__(
        self,
        app: App,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        locale: str = "nl",
    ) -> None:
        self.app = app
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.locale = locale
        self.address = "local"
        self.buttons: list[tuple[str, str]] = []
        self.names: dict[str, str] = {}
        self._seq = 0

    def _print(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    async def deliver(self, address: str, message: Outgoing) -> None:
        """Show a pushed message (a reminder, a queue card) in the terminal."""
        name = self.names.get(address, address)
        self._print(html_to_text(render("console/push", self.locale, name=name)))
        self._show(message, pressable=address == self.address)

    def _show(self, message: Outgoing, pressable: bool = True) -> None:
        self._print(html_to_text(message.text))
        if message.document:
            self._print(f"[{message.document}]")
        labels = [b for row in message.buttons for b in row]
        if labels and pressable:
            self.buttons = labels
            self._print(
                "  ".join(f"[{button_key(i)}] {label}" for i, (label, _) in enumerate(labels))
            )
        self._print("")

    async def _load_people(self) -> list[people.ChatPerson]:
        async with self.app.services.db.read() as tx:
            chats = await people.people_on_channel(tx, CHANNEL)
        self.names = {c.address: c.name for c in chats}
        return chats

    async def _switch(self, wanted: str, chats: list[people.ChatPerson]) -> None:
        wanted = wanted.strip().lower()
        matches = [
            p
            for p in chats
            if wanted
            and (
                p.name.lower() == wanted
                or p.name.lower().startswith(wanted)
                or wanted in p.name.lower().split()
            )
        ]
        if len(matches) != 1:
            self._print(
                render(
                    "console/als_unknown", self.locale, people=[p.name.split()[0] for p in chats]
                )
            )
            return
        chosen = matches[0]
        self.address = f"person-{chosen.id}"
        async with self.app.services.db.read() as tx:
            person = await people.person_by_id(tx, chosen.id)
        self.locale = person.locale if person else self.locale
        self.buttons = []
        self._print(
            render("console/als_switched", self.locale, name=chosen.name, role=chosen.role.value)
            + "\n"
        )

    async def run(self) -> None:
        """Chat until end of input."""
        services = self.app.services
        is_demo = await demo.is_demo(services.db)
        chats = await self._load_people()
        first = next((p for p in chats if p.role == Role.PARTICIPANT), None)
        if is_demo and first:
            self.address = f"person-{first.id}"
        self._print(
            render(
                "console/intro",
                self.locale,
                demo=is_demo,
                name=first.name if first else "",
                people=[p.name.split()[0] for p in chats],
            )
            + "\n"
        )
        lines: asyncio.Queue[str | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def read() -> None:
            for line in self.stdin:
                loop.call_soon_threadsafe(lines.put_nowait, line)
            loop.call_soon_threadsafe(lines.put_nowait, None)

        threading.Thread(target=read, name="console-stdin", daemon=True).start()
        while (line := await lines.get()) is not None:
            if not line.strip():
                continue
            self._print(f"> {line.strip()}")
            if line.strip().lower().startswith("/als"):
                if is_demo:
                    await self._switch(line.strip()[4:], chats)
                else:
                    self._print(render("console/als_not_demo", self.locale) + "\n")
                continue
            self._seq += 1
            inbound = parse_line(line, self.address, self.buttons, self._seq)
            outcome = await self.app.dispatcher.handle(inbound)
            self.locale = outcome.locale
            for reply in outcome.replies:
                self._show(render_reply(reply, outcome.locale))
            await drain_once(
                services.db, self, services.clock.now(), services.settings.outbox_max_attempts
            )
