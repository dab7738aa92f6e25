"""The sweeps as job functions: each takes `now`, derives due work from the database, and is
safe to run twice, in parallel, or late (the exactly-once keys live in the database)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot import outbox as sender
from bot.channels.registry import Channels
from bot.domain import reminders as rules
from bot.domain.pushes import PushRun
from bot.mail import EMAIL, mail_sender
from bot.runtime import Services
from bot.services import coach, reminders
from bot.services.digest import weekly_digests
from bot.services.privacy import purge as purge_expired
from messages.digest import render_chat_parts, render_mail_parts


@dataclass(frozen=True)
class JobResult:
    """What one run did (or would do, in a dry run), as lines for people."""

    name: str
    lines: list[str]


Sink = Callable[[str], None]


@dataclass(frozen=True)
class Run:
    """One run of a job: the services, the moment, and how.

    A sweep over participants hands its lines to `sink` batch by batch when one is given
    (bounded memory) and returns the rest in the JobResult. `channels` are the channels that can
    deliver in this process (the `outbox` job drains them).
    """

    services: Services
    now: datetime
    dry_run: bool = False
    sink: Sink | None = None
    channels: Channels = field(default_factory=Channels)
    names: bool = True  # lines name people (the command line), or only their ids (the log)


JobFunc = Callable[[Run], Awaitable[JobResult]]


def report_lines(report: reminders.Report, names: bool = True) -> list[str]:
    """A reminder sweep's report as lines for the command line and (without names) the log."""

    def who(pid: int, name: str) -> str:
        return f"{name} (#{pid})" if names else f"#{pid}"

    out = [f"push to {who(pid, name)}: {', '.join(items)}" for pid, name, items in report.sent]
    out += [f"queue item for {who(pid, name)}: {what}" for pid, name, what in report.queue_items]
    out += [f"dropped for {who(pid, name)}: {what}" for pid, name, what in report.dropped]
    return out


def push_lines(runs: list[PushRun], dry_run: bool, names: bool = True) -> list[str]:
    """A coach push sweep as lines: each due push (dry run), or what it decided per target."""
    lines = []
    for run in runs:
        push_id = run.due.push.id
        source = f" from {run.due.coach_name}" if names else ""
        if dry_run:
            lines.append(f"coach push {push_id}{source} to {run.due.targets} participant(s)")
            continue
        lines += [f"coach push {push_id}{source} to #{pid}: {what}" for pid, what in run.decided]
    return lines


def _parts(run: Run) -> reminders.Sink | None:
    """Pass each batch of a sweep to the run's sink, as lines."""
    sink = run.sink
    if sink is None:
        return None

    def each(part: reminders.Report) -> None:
        for line in report_lines(part, run.names):
            sink(line)

    return each


async def declaration_reminders(run: Run) -> JobResult:
    """Period open, due − 3, due − 1, due day and due + 5 reminders."""
    services = run.services
    report = await reminders.sweep(
        services.db, services.policy, run.now, (rules.DECLARATION,), run.dry_run, sink=_parts(run)
    )
    return JobResult("declaration_reminders", report_lines(report, run.names))


async def overdue_escalation(run: Run) -> JobResult:
    """A queue item for the klantmanager when a declaration is overdue."""
    services = run.services
    report = await reminders.escalate_overdue(
        services.db, services.policy, run.now, run.dry_run, sink=_parts(run)
    )
    return JobResult("overdue_escalation", report_lines(report, run.names))


async def hours_checkin(run: Run) -> JobResult:
    """The weekly "how many hours did you work" question."""
    services = run.services
    report = await reminders.sweep(
        services.db, services.policy, run.now, (rules.HOURS,), run.dry_run, sink=_parts(run)
    )
    return JobResult("hours_checkin", report_lines(report, run.names))


async def trajectory_milestones(run: Run) -> JobResult:
    """Check-ins at 3, 6, 9 months; warnings 60 and 30 days before the end."""
    services = run.services
    report = await reminders.trajectory_milestones(
        services.db, services.policy, run.now, run.dry_run, sink=_parts(run)
    )
    return JobResult("trajectory_milestones", report_lines(report, run.names))


async def coach_pushes(run: Run) -> JobResult:
    """Coach pushes whose moment has come."""
    services = run.services
    runs = await coach.sweep(services.db, services.policy, run.now, run.dry_run)
    return JobResult("coach_pushes", push_lines(runs, run.dry_run, run.names))


async def weekly_digest(run: Run) -> JobResult:
    """The klantmanagers' weekly digest."""
    if run.dry_run:
        return JobResult("weekly_digest", ["dry run: the weekly digest is not simulated"])
    result = await weekly_digests(
        run.services.db,
        run.services.policy,
        run.now,
        render=render_chat_parts,
        render_mail=render_mail_parts,
    )
    return JobResult("weekly_digest", [f"{result} weekly digest(s) queued"])


async def purge(run: Run) -> JobResult:
    """Delete what the retention rules say must go."""
    services = run.services
    result = await purge_expired(services.db, services.policy, run.now, dry_run=run.dry_run)
    return JobResult("purge", [f"purge: {result!r}"])


async def outbox(run: Run) -> JobResult:
    """One round of the outbox sender on each live channel; on the others, what is pending.

    The running bot drains the outbox continuously; this is for `ptobot jobs run outbox`.
    """
    services, lines = run.services, []
    for name in run.channels.names():
        channel = None if run.dry_run else run.channels.get(name)
        if channel is None:
            rows = await sender.pending(services.db, name, run.now)
            lines.append(f"{len(rows)} message(s) ready to send on {name}")
            continue
        sent = await sender.drain_once(
            services.db, channel, run.now, services.settings.outbox_max_attempts
        )
        lines.append(f"{sent} message(s) delivered")
    lines += await _mail_round(run)
    return JobResult("outbox", lines)


async def _mail_round(run: Run) -> list[str]:
    """One round of the mail sender (nothing without `SMTP_HOST`); in a dry run, what waits."""
    services = run.services
    mails = mail_sender(services.db, services.settings)
    if mails is None:
        return []
    if run.dry_run:
        rows = await sender.pending(services.db, EMAIL, run.now)
        return [f"{len(rows)} mail(s) ready to send"]
    return [f"{await mails.drain_once(run.now)} mail(s) delivered"]


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
    channels: Channels | None = None,
    names: bool = True,
) -> JobResult:
    """Run one job by name (KeyError for an unknown name); see `Run` for the others."""
    job = JOBS[name]
    live = channels if channels is not None else Channels()  # an empty one is falsy
    return await job(Run(services, now, dry_run, sink, live, names))
