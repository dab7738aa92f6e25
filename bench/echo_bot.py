"""The bare python-telegram-bot echo bot the assistant is compared with.

Run as `python -m bench.echo_bot`.

Reads TELEGRAM_BOT_TOKEN and TELEGRAM_BASE_URL like the assistant does; polls like it does.
With ECHO_CONCURRENT=1 updates are handled concurrently (256 at once; order not kept).
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back."""
    if update.message and update.message.text:
        await update.message.reply_text(update.message.text)


def main() -> None:
    """Poll until SIGTERM."""
    application = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_BASE_URL"])
        .concurrent_updates(256 if os.environ.get("ECHO_CONCURRENT") == "1" else False)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(allowed_updates=Update.ALL_TYPES, timeout=10, poll_interval=0.0)


if __name__ == "__main__":
    main()
