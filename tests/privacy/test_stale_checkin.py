"""Stale check-in buttons: a week not asked about yet, or older than the window, stores nothing.

Open weeks: the week the latest check-in asked about (Sunday 18:00 by default, so W48 on
Thursday 3 December 2026) and the `rolling_weeks` (4) weeks before it: W44..W48.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app import App
from bot.domain.policy import Policy
from bot.services.checkin import latest_asked
from tests.conftest import NOW
from tests.factories import button, caseload, text

AYLA = "9003"


async def keys(app: App, inbound: object, now: datetime = NOW) -> list[str]:
    outcome = await app.dispatcher.handle(inbound, now=now)  # type: ignore[arg-type]
    return [r.key for r in outcome.replies]


async def stored(app: App) -> list[str]:
    async with app.services.db.read() as tx:
        rows = await tx.all("SELECT week FROM weekly_hours ORDER BY week")
    return [r[0] for r in rows]


def test_the_latest_asked_week_follows_the_check_in_moment(app: App) -> None:
    policy: Policy = app.services.policy
    assert latest_asked(policy, NOW) == "2026-W48"
    # Sunday 6 December 2026: 17:59 in Amsterdam is before the check-in, 18:00 is on it.
    assert latest_asked(policy, datetime(2026, 12, 6, 16, 59, tzinfo=UTC)) == "2026-W48"
    assert latest_asked(policy, datetime(2026, 12, 6, 17, 0, tzinfo=UTC)) == "2026-W49"


async def test_a_week_older_than_the_window_is_refused_kindly_and_nothing_is_stored(
    app: App,
) -> None:
    await caseload(app, NOW)
    assert await keys(app, button(AYLA, "hours:2026-W43:12")) == ["hours/week_closed"]
    assert await keys(app, button(AYLA, "hours:2026-W43:other")) == ["hours/week_closed"]
    assert await keys(app, button(AYLA, "hours:2025-W48:12")) == ["hours/week_closed"]
    assert await stored(app) == []
    assert await keys(app, button(AYLA, "hours:2026-W44:12")) == ["hours/thanks"]
    assert await stored(app) == ["2026-W44"]


async def test_a_week_not_asked_about_yet_is_refused_and_nothing_is_stored(app: App) -> None:
    await caseload(app, NOW)
    assert await keys(app, button(AYLA, "hours:2026-W49:12")) == ["hours/unknown_week"]
    assert await stored(app) == []


async def test_a_typed_answer_after_the_window_closed_is_refused(app: App) -> None:
    await caseload(app, NOW)
    assert await keys(app, button(AYLA, "hours:2026-W44:other")) == ["hours/ask_number"]
    later = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # W49 was asked: W44 closed meanwhile
    assert await keys(app, text(AYLA, "12"), later) == ["hours/week_closed"]
    assert await stored(app) == []
