"""The sweeps as job functions: each takes `now`, derives due work from the database, and is
safe to run twice, in parallel, or late (the exactly-once keys live in the database)."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain import reminders as rules
from bot.runtime import Services
from bot.services import coach, reminders

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobResult:
    """What one run did (or would do, in a dry run), as lines for people."""

    name: str
    lines: list[str]


Sink = Callable[[str], None]
# (services, now, dry_run, sink): a sweep over participants hands its lines to `sink` batch by
# batch when one is given (bounded memory), and returns the rest in the JobResult.
JobFunc = Callable[[Services, datetime, bool, Sink | None], Awaitable[JobResult]]


async def declaration_reminders(
    services: Services, now: datetime, dry_run: bool, sink: Sink | None = None
) -> JobResult:
    """Period open, due − 3, due − 1, due day and due + 5 reminders."""
    report = await reminders.sweep(
        services.db, services.policy, now, (rules.DECLARATION,), dry_run, sink=sink
    )
    return JobResult("declaration_reminders", report.lines())


async def overdue_escalation(
    services: Services, now: datetime, dry_run: bool, sink: Sink | None = None
) -> JobResult:
    """A queue item for the klantmanager when a declaration is overdue."""
    report = await reminders.escalate_overdue(
        services.db, services.policy, now, dry_run, sink=sink
    )
    return JobResult("overdue_escalation", report.lines())


async def hours_checkin(
    services: Services, now: datetime, dry_run: bool, sink: Sink | None = None
) -> JobResult:
    """The weekly "how many hours did you work" question."""
    report = await reminders.sweep(
        services.db, services.policy, now, (rules.HOURS,), dry_run, sink=sink
    )
    return JobResult("hours_checkin", report.lines())


async def trajectory_milestones(
    services: Services, now: datetime, dry_run: bool, sink: Sink | None = None
) -> JobResult:
    """Check-ins at 3, 6, 9 months; warnings 60 and 30 days before the end."""
    report = await reminders.trajectory_milestones(
        services.db, services.policy, now, dry_run, sink=sink
    )
    return JobResult("trajectory_milestones", report.lines())


async def coach_pushes(
    services: Services, now: datetime, dry_run: bool, sink: Sink | None = None
) -> JobResult:
    """Coach pushes whose moment has come."""
    lines = await coach.sweep(services.db, services.policy, now, dry_run)
    return JobResult("coach_pushes", lines)


async def weekly_digest(
    services: Services, now: datetime, dry_run: bool, sink: Sink | None = None
) -> JobResult:
    """The klantmanagers' weekly digest (bot.services.digest, issue 4)."""
    func = _optional("bot.services.digest", "weekly_digests")
    if func is None:
        return JobResult("weekly_digest", ["weekly digest not available yet"])
    if dry_run:
        return JobResult("weekly_digest", ["dry run: the weekly digest is not simulated"])
    result = await func(services.db, services.policy, now)
    return JobResult("weekly_digest", [f"{result} weekly digest(s) queued"])


async def purge(
    services: Services, now: datetime, dry_run: bool, sink: Sink | None = None
) -> JobResult:
    """Delete what the retention rules say must go (bot.services.privacy, issue 7)."""
    func = _optional("bot.services.privacy", "purge")
    if func is None:
        return JobResult("purge", ["purge not available yet"])
    result = await func(services.db, services.policy, now, dry_run=dry_run)
    return JobResult("purge", [f"purge: {result!r}"])


async def outbox(
    services: Services, now: datetime, dry_run: bool, sink: Sink | None = None
) -> JobResult:
    """One round of the outbox sender on Telegram (the running bot drains it continuously)."""
    from bot import outbox as sender

    if dry_run or not services.settings.telegram_bot_token:
        rows = await sender.pending(services.db, "telegram", now)
        return JobResult("outbox", [f"{len(rows)} message(s) ready to send on telegram"])
    from bot.app import App
    from bot.channels.telegram import TelegramChannel
    from bot.dispatcher import Dispatcher
    from handlers import build_router

    router = build_router()
    channel = TelegramChannel(App(services, router, Dispatcher(services, router)))
    async with channel.application:
        sent = await sender.drain_once(
            services.db, channel, now, services.settings.outbox_max_attempts
        )
    return JobResult("outbox", [f"{sent} message(s) delivered"])


def _optional(module: str, name: str) -> Callable[..., Awaitable[Any]] | None:
    """A function another feature provides, or None while it does not exist yet."""
    try:
        func = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        log.warning("%s.%s is not available yet; skipping", module, name)
        return None
    return func  # type: ignore[no-any-return]


JOBS: dict[str, JobFunc] = {
    "declaration_reminders": declaration_reminders,
    "overdue_escalation": overdue_escalation,
    "hours_checkin": hours_checkin,
    "weekly_digest": weekly_digest,
    "trajectory_milestones": trajectory_milestones,
    "coach_pushes": coach_pushes,
    "outbox": outbox,
    "purge": purge,
}


async def run_job(
    services: Services,
    name: str,
    now: datetime,
    dry_run: bool = False,
    sink: Sink | None = None,
) -> JobResult:
    """Run one job by name (KeyError for an unknown name); see JobFunc for `sink`."""
    return await JOBS[name](services, now, dry_run, sink)
