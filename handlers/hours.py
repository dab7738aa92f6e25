"""Feature module `hours` (filled in by its issue)."""

from __future__ import annotations

from handlers.router import Router


def register(router: Router) -> None:
    """Register this feature's commands, buttons and flows."""
