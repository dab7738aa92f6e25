"""Channel-neutral conversation flows, one feature per module."""

from __future__ import annotations

from handlers.router import Router


def build_router() -> Router:
    """Register every feature; order matters for the menu and for overlapping commands."""
    from handlers import (
        changes,
        channel_choice,
        common,
        declaration,
        hours,
        inbox,
        onboarding,
        outcomes,
        privacy,
        queue,
        reminders,
    )

    router = Router()
    features = (
        onboarding,
        declaration,
        changes,
        hours,
        queue,
        outcomes,
        inbox,
        reminders,
        privacy,
        channel_choice,
        common,
    )
    for feature in features:
        feature.register(router)
    return router
