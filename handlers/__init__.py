"""Channel-neutral conversation flows, one feature per module."""

from __future__ import annotations

from handlers.router import Router


def build_router() -> Router:
    """Register every feature; order matters for the menu and for overlapping commands."""
    from handlers import (
        changes,
        common,
        declaration,
        hours,
        inbox,
        onboarding,
        privacy,
        queue,
        reminders,
    )

    router = Router()
    for feature in (
        onboarding,
        declaration,
        changes,
        hours,
        queue,
        inbox,
        reminders,
        privacy,
        common,
    ):
        feature.register(router)
    return router
