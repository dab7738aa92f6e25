"""Sample contexts for the queue's messages."""

from typing import Any

SAMPLES: dict[str, dict[str, Any]] = {
    "queue/card": {"item_id": 1, "kind": "declaration_submitted", "name": "Ayla Voorbeeld",
                   "period": "2026-11"},
}
