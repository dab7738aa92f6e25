"""Sample contexts for /wijziging, changes in circumstances (invented people)."""

from typing import Any

_SENT = {
    "reference": "WIJZ-2026-12-0001",
    "kind": "Samenwonen of trouwen",
    "on": "2027-01-01",
    "at": "2026-12-03T10:00:00+00:00",
}

SAMPLES: dict[str, dict[str, Any]] = {
    "changes/ask_kind": {},
    "changes/ask_date": {"kind": "Verblijf in het buitenland", "days": 28},
    "changes/bad_date": {},
    "changes/ask_explanation": {"limit": 500},
    "changes/explanation_empty": {},
    "changes/explanation_long": {"limit": 500, "length": 612},
    "changes/ask_document": {},
    "changes/document_received": {},
    "changes/review": {
        "kind": "Verhuizen",
        "on": "2027-01-15",
        "explanation": "Ik ga in januari samenwonen met mijn partner.",
        "doc": "huurcontract.pdf",
    },
    "changes/receipt": _SENT,
    "changes/already_sent": _SENT,
    "changes/use_buttons": {},
    "changes/no_draft": {},
    "changes/stale_button": {},
    "changes/unavailable": {},
    "changes/hint": {},
}
