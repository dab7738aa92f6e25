"""The hours grammar of the weekly check-in as it was before there was one home: the oracle.

bot.domain.hours.parse_hours must accept everything this accepted, with the same value.
"""

from __future__ import annotations

import re
from decimal import Decimal

_CHECKIN = re.compile(r"\s*(\d{1,3})(?:[.,](\d{1,2}))?\s*(?:u|uur|h|hours?)?\s*")


def checkin_hours(text: str, maximum: Decimal) -> Decimal | None:
    """'12,5', '12.5 uur', '8' → hours; None when not a number between 0 and `maximum`."""
    match = _CHECKIN.fullmatch(text.lower())
    if not match:
        return None
    value = Decimal(f"{match.group(1)}.{match.group(2) or '0'}")
    return value if value <= maximum else None
