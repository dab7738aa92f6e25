"""Sample contexts for the onboarding messages added for issue 16 (none need a context)."""

from typing import Any

SAMPLES: dict[str, dict[str, Any]] = {
    "onboarding/name_has_bsn": {},
}
