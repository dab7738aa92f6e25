"""The path of one inbound event: dedupe, identity, state, route, one transaction, replies."""

from __future__ import annotations

import logging
import time
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.contract import Inbound, Kind, Reply, State, command_parts
from bot.domain.bsn import mask_bsn
from bot.domain.errors import DomainError
from bot.domain.languages import client_locale
from bot.domain.models import DEFAULT_LOCALE, Person
from bot.runtime import Services
from bot.storage import chat_channels, conversations, people
from bot.storage.unit import Tx
from handlers.base import Ctx
from handlers.router import Router

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What to send back to the chat, and in which language."""

    replies: list[Reply]
    locale: str
    person: Person | None = None
    duplicate: bool = False
    keep_pressed: bool = False  # the pressed button's message keeps its buttons (a card)


@dataclass
class _Flood:
    """Recent message times per chat; kept in memory only (a restart forgives)."""

    window: float = 60.0
    seen: dict[str, deque[float]] = field(default_factory=dict)

    def hit(self, key: str, limit: int, at: float) -> bool:
        times = self.seen.setdefault(key, deque())
        while times and at - times[0] > self.window:
            times.popleft()
        times.append(at)
        if len(self.seen) > 10_000:  # forget idle chats
            for stale in [k for k, v in self.seen.items() if not v or at - v[-1] > self.window]:
                del self.seen[stale]
        return len(times) > limit


class Dispatcher:
    """Turns an Inbound into replies; all writes of one event share one transaction."""

    def __init__(self, services: Services, router: Router) -> None:
        self.services = services
        self.router = router
        self._flood = _Flood()

    async def handle(self, inbound: Inbound, now: datetime | None = None) -> Outcome:
        """Handle one event; never raises for bad input."""
        now = now or self.services.clock.now()
        flood_key = f"{inbound.channel}:{inbound.address}"
        if self._flood.hit(
            flood_key, self.services.settings.flood_limit_per_minute, time.monotonic()
        ):
            return Outcome([Reply("common/slow_down")], DEFAULT_LOCALE)
        inbound, bsn_found = _mask(inbound)
        if inbound.kind == Kind.FILE and self.router.file_readers:
            inbound = await self._look_at_file(inbound)
        db = self.services.db
        ctx = await db.run(lambda tx: self._process(tx, inbound, now, bsn_found))
        if ctx is None:
            return Outcome([], DEFAULT_LOCALE, duplicate=True)
        log.debug(  # ids and kinds only: never what was typed
            "handled %s from a %s chat (person %s, now in flow %s/%s, %s replies)",
            inbound.kind,
            inbound.channel,
            ctx.person.id if ctx.person else "-",
            ctx.state.flow,
            ctx.state.step,
            len(ctx.replies),
        )
        if not ctx.replies:
            ctx.reply("common/fallback")
        return Outcome(ctx.replies, ctx.locale, ctx.person, keep_pressed=ctx.keep_pressed)

    async def _look_at_file(self, inbound: Inbound) -> Inbound:
        """Let the person's current flow look at a file before the unit of work, so slow work
        (reading a receipt) never holds the database; one person's updates come in order, so
        the step it sees is the step the unit of work finds."""
        async with self.services.db.read() as tx:
            _, person, stored = await conversations.chat_context(
                tx, inbound.channel, inbound.address
            )
        reader = self.router.file_readers.get(stored[0]) if person and stored else None
        if reader is None or stored is None:
            return inbound
        try:
            return await reader(self.services, inbound, stored[1])
        except Exception:
            log.exception("error looking at a file from a %s chat", inbound.channel)
            return inbound

    async def _process(
        self, tx: Tx, inbound: Inbound, now: datetime, bsn_found: bool
    ) -> Ctx | None:
        """Everything one event does to the database; None for a re-delivered update."""
        # One chat's updates one at a time, whichever instance received them (PostgreSQL).
        await tx.serialize(f"chat:{inbound.channel}:{inbound.address}")
        if inbound.update_id is not None and not await conversations.mark_processed(
            tx, inbound.channel, inbound.update_id, now
        ):
            return None
        identity, person, stored = await conversations.chat_context(
            tx, inbound.channel, inbound.address
        )
        if identity is not None and identity.blocked:
            await people.set_blocked(tx, identity.id, False, now)
        state = State(*stored) if stored else State()
        ctx = Ctx(
            inbound,
            tx,
            now,
            self.services,
            person,
            identity,
            state,
            person.locale if person else client_locale(inbound.client_language) or DEFAULT_LOCALE,
        )
        if bsn_found:
            ctx.reply("privacy/bsn_warning")
        await tx.savepoint("handler")
        try:
            await self._route(ctx)
        except DomainError as exc:
            # A rule said no: what the service wrote on purpose (e.g. a wrong-code try) stays.
            ctx.reply(exc.key, **exc.context)
        except Exception as exc:
            tx.escalate(exc)  # the backend may re-run the whole unit another way
            await tx.rollback_to("handler")
            log.exception(
                "error handling %s from a %s chat (person %s, flow %s/%s)",
                inbound.kind,
                inbound.channel,
                person.id if person else "-",
                state.flow,
                state.step,
            )
            warned = [r for r in ctx.replies if r.key == "privacy/bsn_warning"]
            ctx.replies = [*warned, Reply("common/error")]
            ctx.state = State(*stored) if stored else State()
        await tx.release("handler")
        # When the person last wrote here (after routing, so a chat bound just now counts):
        # pushes go to the chat used last, and WhatsApp's 24-hour window starts from it.
        current = await people.identity_by_address(tx, inbound.channel, inbound.address)
        if current is not None:
            await chat_channels.touch(tx, current.id, now)
        if ctx.person is not None and ctx.state.changed:
            await conversations.save_state(
                tx, ctx.person.id, ctx.state.flow, ctx.state.step, ctx.state.data, now
            )
        return ctx

    async def _route(self, ctx: Ctx) -> None:
        inbound = ctx.inbound
        if inbound.kind == Kind.EDITED:
            ctx.reply("common/edited")
            return
        if inbound.kind == Kind.UNSUPPORTED:
            ctx.reply("common/unsupported")
            return
        if len(inbound.text) > self.services.settings.max_text_length:
            ctx.reply("common/too_long", limit=self.services.settings.max_text_length)
            return
        if inbound.kind == Kind.COMMAND:
            await self._command(ctx)
            return
        if ctx.person is None:
            ctx.reply("onboarding/need_invite")
            return
        if inbound.kind == Kind.BUTTON:
            prefix = (inbound.button or "").split(":", 1)[0]
            callback = self.router.callbacks.get(prefix)
            if callback is None:
                ctx.reply("common/stale_button")
            elif ctx.person.role not in callback.roles:
                ctx.reply("common/not_allowed")
            else:
                await callback.handler(ctx)
            return
        flow = self.router.flows.get(ctx.state.flow or "")
        if flow is not None:
            await flow(ctx)
            return
        if inbound.kind == Kind.FILE:
            ctx.reply("common/file_without_flow")
            return
        ctx.reply("common/fallback")

    async def _command(self, ctx: Ctx) -> None:
        name = ctx.inbound.command or ""
        command = self.router.commands.get(name)
        if command is None:
            ctx.reply("common/unknown_command", command=name[:32])
            return
        if ctx.person is None:
            if command.public:
                await command.handler(ctx)
            else:
                ctx.reply("onboarding/need_invite")
            return
        if ctx.person.role not in command.roles:
            ctx.reply("common/not_allowed")
            return
        await command.handler(ctx)


def _mask(inbound: Inbound) -> tuple[Inbound, bool]:
    """Mask every BSN in what the person typed: text or caption, command, arguments, button
    data (a client may forge it) and a file's name; the chat's address is the channel's own."""
    changes: dict[str, object] = {}
    for name in ("text", "command", "args", "button"):
        value = getattr(inbound, name)
        if value:
            masked, found = mask_bsn(value)
            if found:
                changes[name] = masked
    if inbound.command is not None and "text" in changes:
        # A BSN may span the command and its arguments ('/123 456 782'): split the masked line.
        command, args = command_parts(str(changes["text"]))
        changes.update(command=command, args=args)
    file = inbound.file
    if file is not None and file.name:
        name, found = mask_bsn(file.name)
        if found:
            changes["file"] = replace(file, name=name)
    if not changes:
        return inbound, False
    return replace(inbound, **changes), True  # type: ignore[arg-type]
