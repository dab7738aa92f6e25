"""Sample contexts for the web inbox's chat messages (invented people; the token is made up)."""

from typing import Any

_URL = "http://127.0.0.1:8080/login/VoorbeeldTokenVoorbeeldToken0123456789ab"

SAMPLES: dict[str, dict[str, Any]] = {
    "common/inbox_link": {"url": _URL, "minutes": 15},
    "console/web_link": {"url": _URL, "minutes": 15, "name": "Kim Klantmanager"},
}
