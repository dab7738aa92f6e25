"""Sample contexts for reminders, coach pushes and the hours check-in (invented people)."""

from typing import Any

_DECL = {"period": "2026-11", "due": "2026-12-10", "days": 3}
_WHEN = {
    "schedule": "weekly",
    "at": "2026-12-14T09:00:00+00:00",
    "weekday": 0,
    "at_time": "10:00",
    "held_until": None,
    "held_time": None,
}

SAMPLES: dict[str, dict[str, Any]] = {
    "reminders/push": {
        "name": "Ayla",
        "items": [
            {"key": "reminders/decl_before", **_DECL},
            {"key": "reminders/hours_checkin", "week": "2026-W49", "first": "2026-11-30"},
        ],
    },
    "reminders/decl_open": {"name": "Ayla", "item": _DECL},
    "reminders/decl_before": {"name": "Ayla", "item": _DECL},
    "reminders/decl_due_today": {"name": "Ayla", "item": _DECL},
    "reminders/decl_late": {"name": "Ayla", "item": _DECL},
    "reminders/hours_checkin": {"name": "Ayla", "item": {"week": "2026-W49"}},
    "reminders/trajectory_checkin": {"name": "Ayla", "item": {"months": 3, "end": "2027-06-01"}},
    "reminders/trajectory_end": {"name": "Ayla", "item": {"days": 30, "end": "2027-06-01"}},
    "coach/push": {"coach": "Cas Coach", "text": "Vergeet je bonnetjes niet!"},
    "coach/choose": {"count": 2},
    "coach/ask_text": {"limit": 1000},
    "coach/ask_time": {"weekday": 3},
    "coach/_when": _WHEN,
    "coach/confirm": {
        "names": ["Ayla Voorbeeld", "Bram Voorbeeld"],
        "text": "Tot dinsdag!",
        **_WHEN,
    },
    "coach/created": {"count": 2, **_WHEN},
    "coach/list": {
        "pushes": [
            {
                "id": 1,
                "text": "Tot dinsdag!",
                "schedule": "weekly",
                "next_at": "2026-12-14T09:00:00+00:00",
                "weekday": 1,
                "at_time": "10:00",
                "names": ["Ayla Voorbeeld"],
            },
            {
                "id": 2,
                "text": "Denk aan je kwartaalaangifte.",
                "schedule": "once",
                "next_at": "2026-12-20T09:00:00+00:00",
                "weekday": None,
                "at_time": None,
                "names": ["Ayla Voorbeeld", "Bram Voorbeeld"],
            },
        ]
    },
    "coach/text_too_long": {"limit": 1000},
    "hours/ask_number": {"week": "2026-W49"},
    "hours/bad_number": {"maximum": 80},
    "hours/thanks": {"week": "2026-W49", "hours": 12.5},
    "hours/over_cap_nudge": {"hours": 26, "cap": 20},
    "hours/week_closed": {"week": "2026-W40", "weeks": 4},
    "buttons/rem_decl_start": {"period": "2026-11"},
    "buttons/rem_weekday": {"day": 6},
    "buttons/rem_cancel": {"n": 1},
}
