"""Sample contexts for the WhatsApp channel's own messages (tests render every key)."""

from __future__ import annotations

from typing import Any

SAMPLES: dict[str, dict[str, Any]] = {
    "whatsapp/page": {"page": 2, "pages": 3},
    "common/kanaal_choose": {"chosen": "WhatsApp"},
    "common/kanaal_set": {"channel": "WhatsApp"},
    "common/kanaal_unknown": {"choices": ["Telegram", "WhatsApp"]},
}
