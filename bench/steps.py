"""The step P1 measures: typing the revenue of a declaration, or a foundation step until then."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bench.updates import text_update
from bot.app import App
from bot.contract import Inbound, Kind


class Step(Protocol):
    """A user action the assistant answers with one durable state change and a reply."""

    name: str

    async def prepare(self, app: App, chat: int, now: datetime) -> None: ...

    def update(self, chat: int) -> dict[str, Any]: ...

    async def verify(self, app: App, chats: list[int]) -> list[str]: ...


async def _say(app: App, chat: int, now: datetime, inbound: Inbound) -> list[str]:
    outcome = await app.dispatcher.handle(inbound, now=now)
    return [reply.key for reply in outcome.replies]


@dataclass
class RevenueStep:
    """In `/opgave`, after "did you work?" → yes: the participant types "1.250,50"."""

    name: str = "declaration: typing the revenue (draft + state saved, next question asked)"
    counter: int = 0

    def _id(self) -> str:
        self.counter += 1
        return f"prep-{self.counter}"

    async def prepare(self, app: App, chat: int, now: datetime) -> None:
        address = str(chat)
        await _say(
            app,
            chat,
            now,
            Inbound(
                "telegram",
                address,
                Kind.COMMAND,
                self._id(),
                text="/opgave",
                command="opgave",
                args="",
            ),
        )
        keys = await _say(
            app,
            chat,
            now,
            Inbound("telegram", address, Kind.BUTTON, self._id(), button="decl:worked:yes"),
        )
        if "declaration/ask_revenue" not in keys:
            raise RuntimeError(f"the declaration did not reach the revenue question: {keys}")

    def update(self, chat: int) -> dict[str, Any]:
        return text_update(chat, "1.250,50")

    async def verify(self, app: App, chats: list[int]) -> list[str]:
        moved = 0
        async with app.services.db.read() as tx:
            for chat in chats:
                moved += await tx.scalar(
                    "SELECT COUNT(*) FROM declaration_drafts d JOIN channel_identities ci "
                    "ON ci.person_id = d.participant_id WHERE ci.address = ? "
                    "AND d.step = 'costs' AND d.data LIKE '%125050%'",
                    (str(chat),),
                )
        return [] if moved == len(chats) else [f"only {moved}/{len(chats)} drafts moved on"]


@dataclass
class LanguageStep:
    """Foundation fallback: `/taal en` (dedupe, identity, state, a write and a reply)."""

    name: str = "foundation: /taal en (declaration flow not available)"

    async def prepare(self, app: App, chat: int, now: datetime) -> None:
        return None

    def update(self, chat: int) -> dict[str, Any]:
        return text_update(chat, "/taal en")

    async def verify(self, app: App, chats: list[int]) -> list[str]:
        return []


def pick(app: App) -> Step:
    """The declaration step when `/opgave` exists, else the foundation step."""
    if "opgave" in app.router.commands:
        return RevenueStep()
    return LanguageStep()
