"""What a handler gets for one inbound event: the Ctx, on top of bot/contract.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.contract import ButtonRows, Inbound, Reply, State
from bot.domain.models import Identity, Person, Role

if TYPE_CHECKING:
    from bot.runtime import Services
    from bot.storage.unit import Tx


@dataclass
class Ctx:
    """Everything a handler may use for one inbound event."""

    inbound: Inbound
    tx: Tx
    now: datetime
    services: Services
    person: Person | None
    identity: Identity | None
    state: State
    locale: str
    replies: list[Reply] = field(default_factory=list)
    # The pressed button's message keeps its buttons (a queue card), though the answer brings new.
    keep_pressed: bool = False

    def reply(
        self,
        key: str,
        buttons: ButtonRows = (),
        document: str | None = None,
        *,
        as_list: bool = False,
        **ctx: Any,
    ) -> None:
        """Queue a reply; `as_list` hints that its buttons are a long menu (bot/contract.py)."""
        self.replies.append(Reply(key, ctx, buttons, document, as_list))

    @property
    def role(self) -> Role | None:
        """The person's role, or None for someone we do not know yet."""
        return self.person.role if self.person else None

    def require_person(self) -> Person:
        """The known person (the dispatcher only routes known people to role-bound handlers)."""
        if self.person is None:
            raise LookupError("handler needs a known person")
        return self.person


Handler = Callable[[Ctx], Awaitable[None]]
