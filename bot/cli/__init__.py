"""The `ptobot` command line; `python -m bot` does the same."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import traceback
from collections.abc import Sequence

from bot.config import ConfigError, load_settings
from bot.domain.policy import PolicyError
from bot.storage.backends import InstanceLocked
from bot.storage.unit import DatabaseUnavailable

HTTPX_CLI = "httpx._main"


def without_httpx_cli() -> None:
    """Keep httpx (which python-telegram-bot imports) from loading its command-line client.

    `import httpx` tries `httpx._main` in a try/except ImportError: that imports click and
    pygments (about 2 MiB) before failing on `rich`, which is not installed (or loads rich as
    well when it is). A None in `sys.modules` makes that import fail at once (Python's
    documented import rule), as `bot.cli.run.without_webhook_server` does for tornado. It must
    happen before python-telegram-bot is imported.
    """
    if "httpx" not in sys.modules:
        sys.modules.setdefault(HTTPX_CLI, None)  # type: ignore[arg-type]


def build_parser() -> argparse.ArgumentParser:
    """All subcommands, each feature adding its own."""
    from bot.cli import copydb, core, digest, importer, jobs, privacy, queue, web

    parser = argparse.ArgumentParser(
        prog="ptobot",
        description="PTO assistant: monthly declarations by chat for Parttime ondernemen.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for feature in (core, importer, queue, digest, jobs, privacy, web, copydb):
        feature.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; `ptobot` alone is `ptobot run`."""
    # python-telegram-bot 22: RetryAfter.retry_after as a timedelta (the future default).
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    without_httpx_cli()
    from telegram.error import InvalidToken

    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.command is None:
        args = parser.parse_args(["run"])
    secrets: list[str] = []
    try:
        settings = load_settings()
        secrets = settings.secrets()
        code: int = asyncio.run(args.func(args, settings))
    except (ConfigError, PolicyError) as exc:
        print(f"ptobot: configuration error: {exc}", file=sys.stderr)
        return 2
    except InvalidToken:
        print(
            "ptobot: the Bot API server rejected TELEGRAM_BOT_TOKEN; check the token "
            "(and TELEGRAM_BASE_URL)",
            file=sys.stderr,
        )
        return 2
    except InstanceLocked as exc:
        print(f"ptobot: {exc}", file=sys.stderr)
        return 2
    except DatabaseUnavailable as exc:
        print(f"ptobot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never print a secret in a traceback
        text = "".join(traceback.format_exception(exc))
        for secret in secrets:
            text = text.replace(secret, "[secret]")
        print(f"ptobot: stopped by an unexpected error\n{text}", file=sys.stderr)
        return 1
    return code
