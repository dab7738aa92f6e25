"""Which handler answers which command, button prefix or flow."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.contract import Inbound
from bot.domain.models import Role
from handlers.base import Handler

if TYPE_CHECKING:
    from bot.runtime import Services

# Looks at a file before the unit of work (slow work, e.g. reading a receipt, must not hold the
# database): gets the services, the file's Inbound and the flow's current step; returns the
# Inbound, maybe with what it found.
FileReader = Callable[["Services", Inbound, str | None], Awaitable[Inbound]]

ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class Command:
    """A chat command: who may use it and how the menu describes it."""

    name: str
    handler: Handler
    roles: frozenset[Role]
    public: bool  # usable before the chat is bound to a person
    menu_key: str | None  # message key of the menu description; None: not in the menu


@dataclass(frozen=True)
class Callback:
    """A button prefix (`decl` in `decl:edit:revenue`) and who may press it."""

    prefix: str
    handler: Handler
    roles: frozenset[Role]


class Router:
    """The registry the dispatcher routes by; features register into it."""

    def __init__(self) -> None:
        self.commands: dict[str, Command] = {}
        self.callbacks: dict[str, Callback] = {}
        self.flows: dict[str, Handler] = {}
        self.file_readers: dict[str, FileReader] = {}
        self.menu_order: list[str] = []

    def command(
        self,
        name: str,
        *aliases: str,
        roles: Iterable[Role] = ALL_ROLES,
        public: bool = False,
        menu_key: str | None = None,
    ) -> Callable[[Handler], Handler]:
        """Register a command handler under `name` and its aliases."""

        def decorate(handler: Handler) -> Handler:
            for each in (name, *aliases):
                if each in self.commands:
                    raise ValueError(f"command /{each} registered twice")
                self.commands[each] = Command(
                    each, handler, frozenset(roles), public, menu_key if each == name else None
                )
            if menu_key:
                self.menu_order.append(name)
            return handler

        return decorate

    def callback(
        self, prefix: str, roles: Iterable[Role] = ALL_ROLES
    ) -> Callable[[Handler], Handler]:
        """Register a button handler for data starting with `prefix:`."""

        def decorate(handler: Handler) -> Handler:
            if prefix in self.callbacks:
                raise ValueError(f"button prefix {prefix} registered twice")
            self.callbacks[prefix] = Callback(prefix, handler, frozenset(roles))
            return handler

        return decorate

    def flow(self, name: str) -> Callable[[Handler], Handler]:
        """Register the handler for free input while a person is in flow `name`."""

        def decorate(handler: Handler) -> Handler:
            if name in self.flows:
                raise ValueError(f"flow {name} registered twice")
            self.flows[name] = handler
            return handler

        return decorate

    def file_reader(self, flow: str) -> Callable[[FileReader], FileReader]:
        """Register what looks at a file sent during `flow`, before its unit of work."""

        def decorate(reader: FileReader) -> FileReader:
            self.file_readers[flow] = reader
            return reader

        return decorate

    def menu(self, role: Role | None) -> list[Command]:
        """The commands a role sees in the menu, in registration order."""
        commands = [self.commands[name] for name in self.menu_order]
        if role is None:
            return [c for c in commands if c.public]
        return [c for c in commands if role in c.roles]
