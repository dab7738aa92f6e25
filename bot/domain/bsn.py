"""Never a BSN: find nine-digit numbers that pass the 11-proef, and mask them."""

from __future__ import annotations

import re

_CANDIDATE = re.compile(r"(?<!\d)(\d[\s.-]?){8}\d(?!\d)")
MASK = "*********"


def is_bsn(digits: str) -> bool:
    """True when nine digits pass the 11-proef (weights 9…2 and −1)."""
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
    total -= int(digits[8])
    return total % 11 == 0


def mask_bsn(text: str) -> tuple[str, bool]:
    """Replace every BSN in `text` by stars; returns the text and whether one was found."""
    found = False

    def replace(match: re.Match[str]) -> str:
        nonlocal found
        digits = re.sub(r"\D", "", match.group(0))
        if is_bsn(digits):
            found = True
            return MASK
        return match.group(0)

    return _CANDIDATE.sub(replace, text), found
