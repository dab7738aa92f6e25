"""The `ptobot` command line; `python -m bot` does the same."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from bot.config import ConfigError, load_settings
from bot.domain.policy import PolicyError


def build_parser() -> argparse.ArgumentParser:
    """All subcommands, each feature adding its own."""
    from bot.cli import core, jobs, privacy, queue

    parser = argparse.ArgumentParser(
        prog="ptobot",
        description="PTO assistant: monthly declarations by chat for Parttime ondernemen.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for feature in (core, queue, jobs, privacy):
        feature.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; `ptobot` alone is `ptobot run`."""
    # python-telegram-bot 22: RetryAfter.retry_after as a timedelta (the future default).
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.command is None:
        args = parser.parse_args(["run"])
    try:
        settings = load_settings()
        code: int = asyncio.run(args.func(args, settings))
    except (ConfigError, PolicyError) as exc:
        print(f"ptobot: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code
