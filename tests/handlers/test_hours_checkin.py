"""Answering the weekly hours check-in: buttons, typed numbers, a nudge, a queue item."""

from __future__ import annotations

from bot.app import App
from tests.conftest import NOW
from tests.factories import button, caseload, text

AYLA = "9003"


async def keys(app: App, inbound: object) -> list[str]:
    outcome = await app.dispatcher.handle(inbound, now=NOW)  # type: ignore[arg-type]
    return [r.key for r in outcome.replies]


async def weeks(app: App) -> list[tuple[str, float, str]]:
    async with app.services.db.read() as tx:
        rows = await tx.all("SELECT week, hours, source FROM weekly_hours ORDER BY week")
    return [(r[0], r[1], r[2]) for r in rows]


async def open_items(app: App) -> list[str]:
    async with app.services.db.read() as tx:
        rows = await tx.all("SELECT kind FROM queue_items")
    return [r[0] for r in rows]


async def test_a_button_answer_is_stored_and_a_second_answer_replaces_it(app: App) -> None:
    await caseload(app, NOW)
    assert await keys(app, button(AYLA, "hours:2026-W48:15")) == ["hours/thanks"]
    assert await keys(app, button(AYLA, "hours:2026-W48:10")) == ["hours/thanks"]
    assert await weeks(app) == [("2026-W48", 10.0, "checkin")]


async def test_a_typed_answer_and_a_nudge_for_a_busy_week(app: App) -> None:
    await caseload(app, NOW)
    assert await keys(app, button(AYLA, "hours:2026-W48:other")) == ["hours/ask_number"]
    assert await keys(app, text(AYLA, "heel veel")) == ["hours/bad_number"]
    assert await keys(app, text(AYLA, "200")) == ["hours/bad_number"]
    assert await keys(app, text(AYLA, "22,5 uur")) == ["hours/thanks", "hours/over_cap_nudge"]
    assert await weeks(app) == [("2026-W48", 22.5, "checkin")]
    assert await open_items(app) == []  # one busy week is only a nudge


async def test_a_high_four_week_average_opens_one_queue_item(app: App) -> None:
    await caseload(app, NOW)
    for week in ("2026-W44", "2026-W45", "2026-W46", "2026-W47"):
        await keys(app, button(AYLA, f"hours:{week}:25"))
    assert await open_items(app) == ["hours_over_cap"]
    await keys(app, button(AYLA, "hours:2026-W47:25"))  # the same answer again
    assert await open_items(app) == ["hours_over_cap"]


async def test_a_week_in_the_future_or_nonsense_changes_nothing(app: App) -> None:
    await caseload(app, NOW)
    assert await keys(app, button(AYLA, "hours:2027-W10:5")) == ["hours/unknown_week"]
    assert await keys(app, button(AYLA, "hours:kapot:5")) == ["hours/unknown_week"]
    assert await keys(app, button(AYLA, "hours:2026-W48")) == ["common/stale_button"]
    assert await weeks(app) == []
    assert await keys(app, button("9002", "hours:2026-W48:5")) == ["common/not_allowed"]
