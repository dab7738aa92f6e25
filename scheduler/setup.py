"""APScheduler wiring: it only says *when* to sweep; the sweeps decide what is due.

Scheduler: APScheduler 3.x `AsyncIOScheduler` in the bot's event loop, timezone Europe/Amsterdam,
in-memory job store, explicit job ids with `replace_existing=True`, cron triggers.

Misfires and coalescing, and why:
- `coalesce=True`: when several runs of a job were missed (the loop was blocked, the machine
  slept), run it once. Each sweep already looks at everything that is due at `now`, so a second
  back-to-back run could only find nothing.
- `misfire_grace_time=None`: a late run is always allowed. Lateness is judged by the sweeps
  themselves (each reminder knows until when it is useful and is dropped and logged after that),
  so refusing a late tick could only lose reminders that are still useful.
- Several instances on one PostgreSQL: a sweep runs on one instance at a time (an advisory
  lock, `Database.exclusive`), and each tick once across them (`bot.storage.job_runs`: the
  instance that records the job's tick runs it, the others skip it and say so in the log).
- `max_instances=1`: no job overlaps itself. Overlap would be harmless (the exactly-once keys
  live in the database), just pointless.
- The job store is in memory, so APScheduler knows nothing about runs missed while the bot was
  down: `start_scheduler` adds a one-off catch-up sweep at start that runs every participant
  sweep once at the current moment.
- Stopping (`stop_scheduler`): no new runs, the running ones are cancelled and awaited (a
  cancelled run ends quietly: its unit of work rolls back, the next start does it again), then
  the scheduler shuts down with nothing left for it to cancel, so a stop logs no traceback.

Reminder sweeps tick hourly at the minute of their policy time: an item that had to wait (quiet
hours, the daily maximum) goes out at the next tick where the rules allow it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.channels.registry import Channels
from bot.clock import AMSTERDAM
from bot.domain.policy import Policy
from bot.runtime import Services
from bot.storage import job_runs
from scheduler.jobs import JOBS, run_job

log = logging.getLogger(__name__)
JOB_DEFAULTS = {"coalesce": True, "misfire_grace_time": None, "max_instances": 1}
CATCH_UP = (
    "overdue_escalation",
    "declaration_reminders",
    "trajectory_milestones",
    "hours_checkin",
    "coach_pushes",
)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Running(Protocol):
    """What the scheduler needs of the running app (bot.app.App has it)."""

    @property
    def services(self) -> Services: ...

    @property
    def channels(self) -> Channels: ...


@dataclass(frozen=True)
class Spec:
    """A job name and when it ticks (None: runs continuously outside the scheduler)."""

    name: str
    trigger: CronTrigger | None
    when: str


def specs(policy: Policy) -> list[Spec]:
    """Every job with its trigger, from the policy's times."""
    tz = AMSTERDAM
    remind = policy.reminder_time
    checkin, digest = policy.hours_checkin, policy.digest
    return [
        Spec(
            "declaration_reminders",
            CronTrigger(minute=remind.minute, timezone=tz),
            f"hourly at :{remind.minute:02d}",
        ),
        Spec(
            "overdue_escalation",
            CronTrigger(hour=remind.hour, minute=remind.minute, timezone=tz),
            f"daily at {remind:%H:%M}",
        ),
        Spec(
            "hours_checkin",
            CronTrigger(minute=checkin.at.minute, timezone=tz),
            f"hourly at :{checkin.at.minute:02d} (asks {WEEKDAYS[checkin.weekday]} "
            f"{checkin.at:%H:%M})",
        ),
        Spec(
            "weekly_digest",
            CronTrigger(
                day_of_week=WEEKDAYS[digest.weekday],
                hour=digest.at.hour,
                minute=digest.at.minute,
                timezone=tz,
            ),
            f"{WEEKDAYS[digest.weekday]} {digest.at:%H:%M}",
        ),
        Spec(
            "trajectory_milestones",
            CronTrigger(minute=remind.minute, timezone=tz),
            f"hourly at :{remind.minute:02d}",
        ),
        Spec("coach_pushes", CronTrigger(minute="*", timezone=tz), "every minute"),
        Spec("outbox", None, "continuously (the sender task of `ptobot run`)"),
        Spec("purge", CronTrigger(hour=3, minute=30, timezone=tz), "daily at 03:30"),
    ]


def next_runs(policy: Policy, now: datetime) -> list[tuple[Spec, datetime | None]]:
    """Each job and its next run after `now` (None for the continuous sender)."""
    result = []
    for spec in specs(policy):
        nxt = spec.trigger.get_next_fire_time(None, now) if spec.trigger else None
        result.append((spec, nxt))
    return result


async def tick(services: Services, name: str, channels: Channels | None = None) -> None:
    """Run one job at the clock's current moment; log, never raise into the scheduler."""

    def sink(line: str) -> None:
        log.info("%s: %s", name, line)

    try:
        # With several instances on one PostgreSQL, each sweep runs on one of them at a time
        # (bot/storage/unit.py: Database.exclusive) and each tick once: the instance that
        # records the tick runs it, the others skip it (bot/storage/job_runs.py).
        async with services.db.exclusive(f"job:{name}") as mine:
            if not mine:
                log.info("job %s: running on another instance, skipped", name)
                return
            now = services.clock.now()
            tick_at = job_runs.tick_of(now)
            async with services.db.transaction() as tx:
                first = await job_runs.claim(tx, name, tick_at, now)
            if not first:
                log.info("job %s: tick %s ran on another instance, skipped", name, tick_at)
                return
            log.info("job %s: tick %s runs here", name, tick_at)
            result = await run_job(services, name, now, sink=sink, channels=channels, names=False)
    except Exception:
        log.exception("job %s failed", name)
        return
    for line in result.lines:
        sink(line)


async def catch_up(services: Services, channels: Channels | None = None) -> None:
    """At start: every participant sweep once, for what was missed while the bot was down."""
    for name in CATCH_UP:
        await tick(services, name, channels)


async def _scheduled(
    runs: set[asyncio.Task[Any]], name: str, work: Callable[..., Awaitable[None]], *args: Any
) -> None:
    """One scheduled run, known to `stop_scheduler`; a cancellation at stop ends it quietly."""
    task = asyncio.current_task()
    if task is not None:
        runs.add(task)
    try:
        await work(*args)
    except asyncio.CancelledError:
        log.info("job %s stopped with the assistant", name)
    finally:
        if task is not None:
            runs.discard(task)


def start_scheduler(app: Running) -> Any:
    """Start the scheduler for `app`; returns it (the caller shuts it down)."""
    services, channels = app.services, app.channels
    scheduler = AsyncIOScheduler(timezone=AMSTERDAM, job_defaults=dict(JOB_DEFAULTS))
    runs: set[asyncio.Task[Any]] = set()
    scheduler.pto_runs = runs  # the runs in progress, for stop_scheduler
    for spec in specs(services.policy):
        if spec.trigger is None or spec.name not in JOBS:
            continue
        scheduler.add_job(
            _scheduled,
            spec.trigger,
            args=(runs, spec.name, tick, services, spec.name, channels),
            id=spec.name,
            name=spec.name,
            replace_existing=True,
        )
    scheduler.add_job(
        _scheduled,
        args=(runs, "catch_up", catch_up, services, channels),
        id="catch_up",
        replace_existing=True,
    )
    scheduler.start()
    return scheduler


async def stop_scheduler(scheduler: Any) -> None:
    """Stop without a traceback: no new runs, cancel and await the running ones, shut down."""
    scheduler.pause()
    await asyncio.sleep(0)  # a run handed to the loop just now starts and registers itself
    runs: set[asyncio.Task[Any]] = getattr(scheduler, "pto_runs", set())
    pending = [task for task in runs if not task.done()]
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    scheduler.shutdown(wait=False)
