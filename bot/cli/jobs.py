"""`ptobot jobs list` and `ptobot jobs run NAME [--now ISO-8601] [--dry-run]`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from bot.app import App, open_app
from bot.clock import AMSTERDAM, FixedClock
from bot.config import Settings
from bot.domain.policy import load_policy


def register(sub: Any) -> None:
    """Add the `jobs` subcommands."""
    from scheduler.jobs import JOBS

    p = sub.add_parser("jobs", help="scheduled jobs: list them, or run one once")
    jobs_sub = p.add_subparsers(dest="jobs_command", metavar="ACTION", required=True)
    q = jobs_sub.add_parser("list", help="each job and its next run")
    q.add_argument("--now", type=_moment, help="as if it were this moment (ISO-8601)")
    q.set_defaults(func=cmd_list)
    q = jobs_sub.add_parser("run", help="run one job once (safe next to the running bot)")
    q.add_argument("name", choices=sorted(JOBS))
    q.add_argument("--now", type=_moment, help="as if it were this moment (ISO-8601)")
    q.add_argument("--dry-run", action="store_true", help="print who would get what; send nothing")
    q.set_defaults(func=cmd_run)


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 moment: {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=AMSTERDAM)  # a bare time is Amsterdam time
    return moment


async def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    """Print each job and its next run."""
    from bot.clock import SystemClock
    from scheduler.setup import next_runs

    policy = load_policy(settings.policy_path)
    now = args.now or SystemClock().now()
    print(f"{'job':<24} {'next run (Europe/Amsterdam)':<28} schedule")
    for spec, nxt in next_runs(policy, now):
        when = nxt.astimezone(AMSTERDAM).strftime("%Y-%m-%d %H:%M %Z") if nxt else "-"
        print(f"{spec.name:<24} {when:<28} {spec.when}")
    return 0


async def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Run one job once as if it were `--now`."""
    from scheduler.jobs import run_job

    clock = FixedClock(args.now) if args.now else None
    printed = 0

    def sink(line: str) -> None:  # lines as the sweep goes: memory stays bounded
        nonlocal printed
        printed += 1
        print(f"  {line}")

    async with open_app(settings, clock) as app:
        now = app.services.clock.now()
        mode = "dry run" if args.dry_run else "run"
        local = now.astimezone(AMSTERDAM).strftime("%Y-%m-%d %H:%M %Z")
        print(f"{args.name} ({mode} at {local}):")
        async with _channels_for(app, args.name, args.dry_run):
            result = await run_job(
                app.services, args.name, now, args.dry_run, sink, channels=app.channels
            )
    for line in result.lines:
        sink(line)
    if not printed:
        print("  nothing to do")
    sys.stdout.flush()
    return 0


@asynccontextmanager
async def _channels_for(app: App, job: str, dry_run: bool) -> AsyncIterator[None]:
    """For a real `outbox` run with a bot token: Telegram, started and live while the job runs."""
    if job != "outbox" or dry_run or not app.services.settings.telegram_bot_token:
        yield
        return
    from bot.channels.telegram import TelegramChannel

    channel = TelegramChannel(app)
    async with channel.application:
        with app.channels.serving(channel):
            yield
