"""Sample contexts for the foundation's messages (invented people)."""

from typing import Any

SAMPLES: dict[str, dict[str, Any]] = {
    "common/help": {
        "name": "Ayla Voorbeeld",
        "role": "participant",
        "commands": [{"name": "hulp", "description_key": "menu/hulp"}],
        "in_flow": "declaration",
    },
    "common/taal_unknown": {"wanted": "fr", "choices": ["nl", "en"]},
    "common/stopped": {"keeps_draft": True},
    "common/privacy": {"drafts_days": 30, "years": 10, "is_participant": True},
    "common/unknown_command": {"command": "foo"},
    "common/too_long": {"limit": 2000},
    "onboarding/welcome": {"name": "Ayla Voorbeeld", "role": "participant"},
    "onboarding/welcome_back": {"name": "Ayla Voorbeeld", "role": "participant"},
    "console/intro": {"demo": True, "name": "Karin Klantmanager", "people": ["Ayla", "Bram"]},
    "console/als_switched": {"name": "Ayla Voorbeeld", "role": "participant"},
    "console/als_unknown": {"people": ["Ayla", "Bram"]},
    "console/push": {"name": "Ayla Voorbeeld"},
    "cli/name_taken": {"name": "Ayla Voorbeeld", "role": "coach"},
    "cli/unknown_person": {"name": "Ayla Voorbeeld", "role": "coach"},
}
