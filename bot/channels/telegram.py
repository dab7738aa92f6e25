"""Telegram through python-telegram-bot: polling or webhook, per-chat order, private chats only."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from telegram import (
    BotCommand,
    BotCommandScopeDefault,
    Message,
    Update,
)
from telegram.constants import ChatType
from telegram.error import Forbidden, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    ContextTypes,
    TypeHandler,
)
from telegram.request import BaseRequest

from bot.app import App
from bot.channels.base import (
    Outgoing,
    render_reply,
)
from bot.channels.ratelimit import RateLimiter, keep_share
from bot.channels.telegram_clients import build_requests
from bot.channels.telegram_send import (
    answer_button,
    edit_message,
    remove_keyboard,
    send,
    translated_errors,
)
from bot.contract import FileIn, Inbound, Kind, command_parts
from bot.domain.models import LOCALES, Role
from bot.domain.proof import is_accepted
from bot.storage import meta, people
from messages import render

if TYPE_CHECKING:  # tornado is imported in webhook mode only
    from bot.channels.telegram_webhook import WebhookServer

log = logging.getLogger(__name__)
CHANNEL = "telegram"
REPLY_ATTEMPTS = 4


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Different chats run concurrently; updates of one chat run strictly in arrival order."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: Counter[int] = Counter()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run `coroutine` after every earlier update of the same chat."""
        key = _chat_key(update)
        if key is None:
            await coroutine
            return
        # No await between task start and taking the lock: tasks start in arrival order and
        # asyncio.Lock wakes waiters first-in-first-out, so per-chat order holds.
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] += 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if self._users[key] == 0:
                del self._users[key]
                del self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""


def _chat_key(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None


def to_inbound(update: Update) -> Inbound | None:
    """Read a private-chat update as an Inbound (files are fetched separately), with the
    language the sender's Telegram app is set to."""
    inbound = _inbound(update)
    user = update.effective_user
    if inbound is None or user is None or not user.language_code:
        return inbound
    return replace(inbound, client_language=user.language_code[:16])


def _inbound(update: Update) -> Inbound | None:
    update_id = str(update.update_id)
    if update.callback_query is not None:
        query = update.callback_query
        chat = query.message.chat.id if query.message else query.from_user.id
        return Inbound(CHANNEL, str(chat), Kind.BUTTON, update_id, button=query.data or "")
    if update.edited_message is not None:
        return Inbound(CHANNEL, str(update.edited_message.chat.id), Kind.EDITED, update_id)
    message = update.message
    if message is None:
        return None
    address = str(message.chat.id)
    if message.text:
        text = message.text
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
        return Inbound(CHANNEL, address, Kind.TEXT, update_id, text=text)
    if message.photo:
        size = message.photo[-1]
        return Inbound(
            CHANNEL,
            address,
            Kind.FILE,
            update_id,
            text=message.caption or "",
            file=FileIn("photo", "image/jpeg", size.file_size or 0, None),
        )
    if message.document is not None:
        doc = message.document
        return Inbound(
            CHANNEL,
            address,
            Kind.FILE,
            update_id,
            text=message.caption or "",
            file=FileIn(
                "document",
                doc.mime_type or "application/octet-stream",
                doc.file_size or 0,
                None,
                doc.file_name,
            ),
        )
    return Inbound(CHANNEL, address, Kind.UNSUPPORTED, update_id)


class TelegramChannel:
    """Runs the bot on Telegram and delivers outbox rows there."""

    name = CHANNEL

    def __init__(self, app: App, request: BaseRequest | None = None) -> None:
        self.app = app
        # Telegram allows about 30 messages a second: 29 (97 %), spread evenly over the second,
        # so its window and ours never disagree. Shared with the outbox sender (bot.outbox).
        self.limiter = RateLimiter(per_second=29, spread=True)
        self._request = request
        self.settings = app.services.settings
        self._groups_told: set[int] = set()
        self.processor = PerChatUpdateProcessor(256)
        self.application = self._build()

    def _build(self) -> Application[Any, Any, Any, Any, Any, Any]:
        token = self.settings.telegram_bot_token
        if not token:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set")
        # No python-telegram-bot rate limiter: the 30/s cap is the outbox sender's job (shared
        # with direct replies, which never queue behind a sweep), 429s are retried by our code
        # (_safe_send for replies, the outbox sender for pushes), and groups only ever get one
        # message (private_only).
        builder = (
            ApplicationBuilder()
            .token(token)
            .concurrent_updates(self.processor)
            .post_init(self._post_init)
        )
        request, updates_request = (
            (self._request, self._request)  # tests: an offline transport
            if self._request is not None
            else build_requests(self.settings)
        )
        builder = builder.request(request).get_updates_request(updates_request)
        if self.settings.telegram_base_url:
            builder = builder.base_url(self.settings.telegram_base_url)
        if self.settings.file_base_url:
            builder = builder.base_file_url(self.settings.file_base_url)
        application = builder.build()
        application.add_handler(TypeHandler(Update, self._on_update))
        application.add_error_handler(self._on_error)
        return application

    async def _post_init(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Set the commands menu in every language and remember the bot's username."""
        me = await application.bot.get_me()
        async with self.app.services.db.transaction() as tx:
            await meta.meta_set(tx, "bot_username", me.username)
        menu = self.app.router.menu(Role.PARTICIPANT)
        for locale in LOCALES:
            commands = [
                BotCommand(c.name, render(c.menu_key or "", locale)[:256])
                for c in menu
                if c.menu_key
            ]
            await application.bot.set_my_commands(
                commands,
                scope=BotCommandScopeDefault(),
                language_code=None if locale == "nl" else locale,
            )

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("unhandled error in the Telegram channel", exc_info=context.error)

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """One update polled from Telegram (`_handle`)."""
        await self._handle(update)

    async def _receive(self, data: dict[str, Any]) -> None:
        """One update posted to the webhook: handled in the chat's turn before it is answered
        (`bot.channels.telegram_webhook`)."""
        update = Update.de_json(data, self.application.bot)
        await self.processor.process_update(update, self._handle(update))

    async def _handle(self, update: Update) -> None:
        """One update: private chats go to the dispatcher, groups are told once."""
        chat = update.effective_chat
        if chat is not None and chat.type != ChatType.PRIVATE:
            if update.message is not None and chat.id not in self._groups_told:
                self._groups_told.add(chat.id)
                await self._safe_send(chat.id, Outgoing(render("common/private_only", "nl")))
            return
        inbound = to_inbound(update)
        if inbound is None:
            return
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):
                await answer_button(self.application.bot, update.callback_query.id)
        if inbound.file is not None:
            inbound = await self._fetch_file(update, inbound)
        outcome = await self.app.dispatcher.handle(inbound)
        new_buttons = any(r.buttons for r in outcome.replies)
        if update.callback_query is not None and new_buttons and not outcome.keep_pressed:
            await self._remove_keyboard(update)
        for reply in outcome.replies:
            await self._safe_send(int(inbound.address), render_reply(reply, outcome.locale))

    async def _remove_keyboard(self, update: Update) -> None:
        """The answer brought new buttons: remove the pressed ones so old choices can't be made."""
        query = update.callback_query
        if query is None or not isinstance(query.message, Message):
            return
        if query.message.reply_markup:
            with contextlib.suppress(TelegramError):
                await remove_keyboard(
                    self.application.bot, query.message.chat.id, query.message.message_id
                )

    async def _fetch_file(self, update: Update, inbound: Inbound) -> Inbound:
        file = inbound.file
        message = update.message
        if file is None or message is None:
            return inbound
        if file.size > self.settings.proof_max_bytes or not is_accepted(file.mime):
            return inbound
        file_id = (
            message.photo[-1].file_id
            if message.photo
            else (message.document.file_id if message.document else None)
        )
        if file_id is None:
            return inbound
        try:
            remote = await self.application.bot.get_file(file_id)
            data = bytes(await remote.download_as_bytearray())
        except TelegramError:
            log.warning("could not fetch a file from Telegram", exc_info=True)
            return inbound
        from dataclasses import replace

        return replace(inbound, file=replace(file, data=data, size=len(data)))

    async def _safe_send(self, chat_id: int, message: Outgoing) -> None:
        """Send a direct reply; waits out a 429 (this chat's, or a bot-wide pause), marks a
        blocked chat, logs other failures."""
        address = str(chat_id)
        for attempt in range(REPLY_ATTEMPTS):
            await self.limiter.reply(address)
            try:
                await self._send(chat_id, message)
            except RetryAfter as exc:
                retry = exc.retry_after
                seconds = float(retry if isinstance(retry, int | float) else retry.total_seconds())
                if attempt + 1 == REPLY_ATTEMPTS:
                    log.warning("reply dropped after %s rate-limit waits", REPLY_ATTEMPTS)
                    return
                if self.limiter.rate_limited(address, seconds):
                    await asyncio.sleep(seconds)  # only this chat waits (its updates are queued)
            except Forbidden:
                await self._mark_blocked(address)
                return
            except TelegramError:
                log.warning("could not reply in a chat", exc_info=True)
                return
            else:
                self.limiter.delivered()
                return

    async def _send(self, chat_id: int, message: Outgoing) -> int | None:
        """Send the message (in parts when long); the id of its last part."""
        return await send(self.application.bot, chat_id, message)

    async def _mark_blocked(self, address: str) -> None:
        now = self.app.services.clock.now()
        async with self.app.services.db.transaction() as tx:
            identity = await people.identity_by_address(tx, CHANNEL, address)
            if identity is not None:
                await people.set_blocked(tx, identity.id, True, now)

    async def deliver(self, address: str, message: Outgoing) -> str | None:
        """Send one outbox message, translating Telegram's errors for the sender."""
        async with translated_errors():
            sent_id = await self._send(int(address), message)
        return None if sent_id is None else str(sent_id)

    async def edit(self, address: str, message_id: str, message: Outgoing) -> None:
        """Edit a sent message (a queue card) in place; NotEditable when Telegram can't."""
        await edit_message(self.application.bot, address, message_id, message)

    async def run(
        self,
        stop: asyncio.Event,
        started: Callable[[], Awaitable[None]] | None = None,
        stopping: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """Receive updates (polling, or a webhook when configured) until `stop` is set.

        `started` runs once the bot can send (the outbox sender starts there); `stopping` runs
        before it can't any more (the sender finishes there), so no push meets a closed client.
        """
        application = self.application
        async with application:
            if application.post_init:
                await application.post_init(application)
            await application.start()
            try:  # whatever fails after start() (the network, at start_polling): stop()
                updater = application.updater
                if updater is None:
                    raise RuntimeError("the Telegram application has no updater")
                hook = await self._start_webhook()
                if hook is None:
                    await updater.start_polling(
                        allowed_updates=Update.ALL_TYPES, timeout=10, poll_interval=0.0
                    )
                log.info("the assistant is running on Telegram")
                self.app.channels.register(self)  # the outbox job drains it from here on
                share = asyncio.create_task(keep_share(self.limiter, self.app.services.db, stop))
                if started is not None:
                    await started()
                try:
                    await stop.wait()
                finally:
                    if stopping is not None:
                        await stopping()
                    self.app.channels.unregister(self)
                    await (hook.stop() if hook is not None else updater.stop())
                    await share
            finally:
                await application.stop()

    async def _start_webhook(self) -> WebhookServer | None:
        """With TELEGRAM_WEBHOOK_URL: listen, then tell Telegram where to post (None: poll)."""
        if not self.settings.telegram_webhook_url:
            return None
        from bot.channels.telegram_webhook import open_webhook

        return await open_webhook(self.application.bot, self.settings, self._receive)
