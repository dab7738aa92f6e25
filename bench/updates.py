"""Telegram update JSON as the Bot API sends it, for feeding `Application.process_update`."""

from __future__ import annotations

from itertools import count
from typing import Any

_ids = count(1)


def text_update(chat_id: int, text: str) -> dict[str, Any]:
    """A private-chat message (a command when it starts with '/')."""
    message: dict[str, Any] = {
        "message_id": next(_ids),
        "date": 1_700_000_000,
        "chat": {"id": chat_id, "type": "private", "first_name": "Deelnemer"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Deelnemer"},
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [
            {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
        ]
    return {"update_id": next(_ids), "message": message}


def button_update(chat_id: int, data: str) -> dict[str, Any]:
    """A pressed inline button under a bot message."""
    return {
        "update_id": next(_ids),
        "callback_query": {
            "id": str(next(_ids)),
            "chat_instance": "bench",
            "data": data,
            "from": {"id": chat_id, "is_bot": False, "first_name": "Deelnemer"},
            "message": {
                "message_id": next(_ids),
                "date": 1_700_000_000,
                "chat": {"id": chat_id, "type": "private"},
                "text": "keuze",
                "reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": data}]]},
            },
        },
    }
