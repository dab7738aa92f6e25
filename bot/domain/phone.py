"""Phone numbers (a WhatsApp chat's address) are personal data: shown masked, never logged."""

from __future__ import annotations


def mask_phone(number: str) -> str:
    """'31612345678' → '+31 ••••••678': the country code and the last three digits."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) < 7:
        return "•" * len(digits)
    return f"+{digits[:2]} {'•' * (len(digits) - 5)}{digits[-3:]}"
