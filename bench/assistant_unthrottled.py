"""`python -m bot run` with the reply rate limiter's 30 msg/s overall cap lifted (P2 variant).

The assistant as built sends direct replies through PTB's AIORateLimiter, whose default caps
*all* sends at 30 per second; this variant shows what the rest of the pipeline can carry.
"""

from __future__ import annotations

import functools
import sys

from telegram.ext import AIORateLimiter

import bot.channels.telegram as telegram_channel
from bot.cli import main

if __name__ == "__main__":
    telegram_channel.AIORateLimiter = functools.partial(  # type: ignore[misc]
        AIORateLimiter, overall_max_rate=0, max_retries=3
    )
    sys.exit(main(["run"]))
