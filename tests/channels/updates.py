"""Update JSON as Telegram sends it, for feeding the real Application."""

from __future__ import annotations

from itertools import count
from typing import Any

_ids = count(1_000_000)  # apart from tests.factories ids: the dispatcher dedupes on them


def message_update(
    chat_id: int, text: str | None = None, chat_type: str = "private", **extra: Any
) -> dict[str, Any]:
    """The JSON of an update carrying a message, as Telegram sends it."""
    message: dict[str, Any] = {
        "message_id": next(_ids),
        "date": 1_700_000_000,
        "chat": {"id": chat_id, "type": chat_type},
        "from": {"id": abs(chat_id), "is_bot": False, "first_name": "Test"},
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
    message.update(extra)
    return {"update_id": next(_ids), "message": message}


def button_update(chat_id: int, data: str) -> dict[str, Any]:
    """The JSON of an update carrying a pressed inline button."""
    return {
        "update_id": next(_ids),
        "callback_query": {
            "id": str(next(_ids)),
            "chat_instance": "ci",
            "data": data,
            "from": {"id": chat_id, "is_bot": False, "first_name": "Test"},
            "message": {
                "message_id": next(_ids),
                "date": 1_700_000_000,
                "chat": {"id": chat_id, "type": "private"},
                "text": "keuze",
                "reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": data}]]},
            },
        },
    }


def photo_update(chat_id: int, file_id: str, size: int) -> dict[str, Any]:
    """The JSON of an update carrying a photo (the largest size last, as Telegram sends it)."""
    sizes = [
        {
            "file_id": f"{file_id}-small",
            "file_unique_id": "s",
            "width": 90,
            "height": 90,
            "file_size": 100,
        },
        {
            "file_id": file_id,
            "file_unique_id": "b",
            "width": 800,
            "height": 800,
            "file_size": size,
        },
    ]
    return message_update(chat_id, photo=sizes)
