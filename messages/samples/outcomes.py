"""Sample contexts for the trajectory outcomes' messages (invented people)."""

from typing import Any

_NAMES = {"nl": "Verlenging PTO", "en": "PTO extended"}
_HISTORY = [
    {
        "id": 2,
        "code": "extension",
        "on": "2026-12-03",
        "new_end": "2027-06-30",
        "note": None,
        "recorded_at": "2026-12-03T10:00:00+00:00",
    },
    {
        "id": 1,
        "code": "bbz",
        "on": "2026-12-01",
        "new_end": None,
        "note": None,
        "recorded_at": "2026-12-01T10:00:00+00:00",
    },
]

_YEARS = [
    {
        "year": 2026,
        "total": 2,
        "outcomes": [
            {"code": "employment", "names": {"nl": "Werk", "en": "Work"}, "count": 1},
            {"code": "extension", "names": _NAMES, "count": 1},
            {"code": "bbz", "names": {"nl": "Doorstroom naar Bbz"}, "count": 0},
        ],
        "kpi": {
            "threshold": 30,
            "participants": 46,
            "reached": 30,
            "reached_pct": 65,
            "months": 400,
            "avg_profit_cents": 46600,
            "avg_norm_cents": 114100,
            "group_share_pct": 41,
        },
    },
    {
        "year": 2025,
        "total": 0,
        "outcomes": [{"code": "employment", "names": {"nl": "Werk", "en": "Work"}, "count": 0}],
        "kpi": {
            "threshold": 30,
            "participants": 0,
            "reached": 0,
            "reached_pct": None,
            "months": 0,
            "avg_profit_cents": None,
            "avg_norm_cents": None,
            "group_share_pct": None,
        },
    },
]
OUTCOME_YEARS = _YEARS  # the digest's samples (messages/samples/queue.py) show these too

SAMPLES: dict[str, dict[str, Any]] = {
    "digest/outcomes_chat": {"outcome_years": _YEARS},
    "digest/outcomes_page": {"outcome_years": _YEARS},
    "outcomes/option_button": {"names": _NAMES},
    "outcomes/choose": {
        "participant_id": 7,
        "name": "Ayla Voorbeeld",
        "end": "2027-06-30",
        "history": _HISTORY,
        "outcome_names": {"extension": _NAMES, "bbz": {"nl": "Doorstroom naar Bbz", "en": "Bbz"}},
        "page": 1,
        "pages": 2,
    },
    "outcomes/ask_end_date": {"name": "Ayla Voorbeeld", "end": "2027-06-30"},
    "outcomes/ask_note": {"name": "Ayla Voorbeeld", "end": "2027-06-30"},
    "outcomes/recorded": {
        "name": "Ayla Voorbeeld",
        "names": _NAMES,
        "on": "2026-12-03",
        "new_end": "2027-06-30",
        "corrected": True,
    },
    "outcomes/end_date_early": {"end": "2027-06-30"},
    "outcomes/note_long": {"limit": 500},
}
