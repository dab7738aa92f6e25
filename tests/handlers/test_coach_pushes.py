"""A coach's own reminders: choose, type, plan, confirm, list and cancel; never someone else's."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app import App
from bot.domain.models import Household, Role
from scheduler.jobs import run_job
from tests.conftest import NOW
from tests.factories import bind, button, caseload, command, text

COACH = "9002"


async def press(app: App, data: str, now: datetime = NOW) -> list[str]:
    outcome = await app.dispatcher.handle(button(COACH, data), now=now)
    return [r.key for r in outcome.replies]


async def say(app: App, body: str, now: datetime = NOW) -> list[str]:
    outcome = await app.dispatcher.handle(text(COACH, body), now=now)
    return [r.key for r in outcome.replies]


async def pushes_to(app: App) -> list[tuple[str, str, str]]:
    async with app.services.db.read() as tx:
        rows = await tx.all(
            "SELECT pe.name, o.context, o.not_before FROM outbox o JOIN people pe "
            "ON pe.id = o.person_id WHERE o.message_key = 'coach/push' ORDER BY o.id"
        )
    return [(r[0], r[1], r[2]) for r in rows]


async def test_a_coach_sends_a_push_now_to_all_own_participants(app: App) -> None:
    await caseload(app, NOW)
    outcome = await app.dispatcher.handle(command(COACH, "/herinnering"), now=NOW)
    assert outcome.replies[0].key == "coach/choose"
    names = [b.text for row in outcome.replies[0].buttons for b in row if b.text]
    assert names == ["▫️ Ayla Voorbeeld", "▫️ Bram Voorbeeld"]
    assert await press(app, "rem:all") == ["coach/choose"]
    assert await press(app, "rem:next") == ["coach/ask_text"]
    assert await say(app, "Vergeet je bonnetjes niet!") == ["coach/ask_when"]
    assert await press(app, "rem:now") == ["coach/confirm"]
    assert await press(app, "rem:ok") == ["coach/created"]
    sent = await pushes_to(app)
    assert [s[0] for s in sent] == ["Ayla Voorbeeld", "Bram Voorbeeld"]
    assert all("bonnetjes" in s[1] for s in sent)
    assert await press(app, "rem:ok") == ["common/stale_button"]  # a double tap sends nothing
    assert len(await pushes_to(app)) == 2
    async with app.services.db.read() as tx:
        audited = await tx.scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'coach.push.sent'"
        )
    assert audited == 2


async def test_a_planned_push_goes_out_at_its_time_once_and_can_be_cancelled(app: App) -> None:
    await caseload(app, NOW)
    await app.dispatcher.handle(command(COACH, "/herinnering"), now=NOW)
    toggles = await app.dispatcher.handle(command(COACH, "/herinnering"), now=NOW)
    ayla = toggles.replies[0].buttons[0][0].data
    assert await press(app, ayla) == ["coach/choose"]
    await press(app, "rem:next")
    await say(app, "Tot morgen bij de workshop.")
    assert await press(app, "rem:once") == ["coach/ask_datetime"]
    assert await say(app, "gisteren") == ["coach/bad_datetime"]
    assert await say(app, "1-12-2026 10:00") == ["coach/in_past"]
    assert await say(app, "14-12-2026 22:30") == ["coach/confirm"]
    assert await press(app, "rem:ok") == ["coach/created"]
    listed = await app.dispatcher.handle(command(COACH, "/herinneringen"), now=NOW)
    assert listed.replies[0].key == "coach/list"
    assert len(listed.replies[0].ctx["pushes"]) == 1

    at = datetime(2026, 12, 14, 21, 30, tzinfo=UTC)  # 22:30 in Amsterdam: quiet hours
    for _ in range(2):
        await run_job(app.services, "coach_pushes", at)
    sent = await pushes_to(app)
    assert [(s[0], s[2]) for s in sent] == [("Ayla Voorbeeld", "2026-12-15T07:00:00+00:00")]

    # A weekly one, cancelled before it ever goes out.
    await app.dispatcher.handle(command(COACH, "/herinnering"), now=NOW)
    await press(app, "rem:all")
    await press(app, "rem:next")
    await say(app, "Weekstart!")
    await press(app, "rem:weekly")
    assert await press(app, "rem:wd:0") == ["coach/ask_time"]
    assert await say(app, "9:00") == ["coach/confirm"]
    await press(app, "rem:ok")
    listed = await app.dispatcher.handle(command(COACH, "/herinneringen"), now=NOW)
    cancel = listed.replies[0].buttons[-1][0].data
    assert await press(app, cancel) == ["coach/cancelled"]
    await run_job(app.services, "coach_pushes", datetime(2026, 12, 7, 8, 0, tzinfo=UTC))
    assert len(await pushes_to(app)) == 1


async def test_a_coach_never_reaches_someone_elses_participant(app: App) -> None:
    await caseload(app, NOW)
    await bind(app, "Cor Collega", Role.COACH, "9010", NOW)
    await bind(
        app,
        "Dex Ander",
        Role.PARTICIPANT,
        "9011",
        NOW,
        klantmanager="Kim Klantmanager",
        coach="Cor Collega",
        start_date=NOW.date(),
        household=Household.ALLEENSTAANDE,
    )
    async with app.services.db.read() as tx:
        dex = await tx.scalar("SELECT id FROM people WHERE name = 'Dex Ander'")
    await app.dispatcher.handle(command(COACH, "/herinnering"), now=NOW)
    await press(app, f"rem:t:{dex}")  # a forged button: ignored
    assert await press(app, "rem:next") == ["coach/choose_none"]
    # A forged push id from the other coach cannot be cancelled.
    await app.dispatcher.handle(command("9010", "/herinnering"), now=NOW)
    for data in ("rem:all", "rem:next"):
        await app.dispatcher.handle(button("9010", data), now=NOW)
    await app.dispatcher.handle(text("9010", "Hoi Dex"), now=NOW)
    await app.dispatcher.handle(button("9010", "rem:weekly"), now=NOW)
    await app.dispatcher.handle(button("9010", "rem:wd:2"), now=NOW)
    await app.dispatcher.handle(text("9010", "10:00"), now=NOW)
    await app.dispatcher.handle(button("9010", "rem:ok"), now=NOW)
    async with app.services.db.read() as tx:
        push_id = await tx.scalar("SELECT id FROM coach_pushes")
    assert await press(app, f"rem:x:{push_id}") == ["common/not_allowed"]
    participant = await app.dispatcher.handle(command("9003", "/herinnering"), now=NOW)
    assert participant.replies[0].key == "common/not_allowed"


async def _plan(app: App, now: datetime, when: list[str]) -> tuple[str, str]:
    """Plan a push to all own participants at `now`; the confirm and the created text (nl)."""
    from messages import render

    await app.dispatcher.handle(command(COACH, "/herinnering"), now=now)
    await press(app, "rem:all", now)
    await press(app, "rem:next", now)
    await say(app, "Vergeet je bonnetjes niet!", now)
    outcome = None
    for step in when:
        if step.startswith("rem:"):
            outcome = await app.dispatcher.handle(button(COACH, step), now=now)
        else:
            outcome = await app.dispatcher.handle(text(COACH, step), now=now)
    assert outcome is not None
    assert outcome.replies[0].key == "coach/confirm"
    confirm = render("coach/confirm", "nl", **outcome.replies[0].ctx)
    created = await app.dispatcher.handle(button(COACH, "rem:ok"), now=now)
    assert created.replies[0].key == "coach/created"
    done = render("coach/created", "nl", **created.replies[0].ctx)
    done_en = render("coach/created", "en", **created.replies[0].ctx)
    return confirm, done + "\n" + done_en


async def test_a_push_now_held_by_quiet_hours_says_it_goes_at_eight(app: App) -> None:
    await caseload(app, NOW)
    night = datetime(2026, 12, 3, 22, 15, tzinfo=UTC)  # 23:15 in Amsterdam: quiet hours
    confirm, created = await _plan(app, night, ["rem:now"])
    assert "nu meteen" not in confirm + created
    assert "right now" not in created
    assert "4 december 2026, 08:00" in confirm
    assert "gaat op 4 december 2026, 08:00 (niet meteen" in created
    assert "goes on 4 December 2026, 08:00 (not right away" in created
    sent = await pushes_to(app)
    assert {s[2] for s in sent} == {"2026-12-04T07:00:00+00:00"}  # what the outbox holds


async def test_a_push_now_by_day_goes_right_away(app: App) -> None:
    await caseload(app, NOW)
    confirm, created = await _plan(app, NOW, ["rem:now"])  # 11:00 in Amsterdam
    assert "nu meteen" in confirm
    assert "gaat nu meteen" in created
    assert "goes right now" in created
    assert {s[2] for s in await pushes_to(app)} == {"2026-12-03T10:00:00+00:00"}


async def test_a_planned_push_at_night_says_when_it_really_goes(app: App) -> None:
    await caseload(app, NOW)
    confirm, created = await _plan(app, NOW, ["rem:once", "14-12-2026 22:30"])
    assert "op 15 december 2026, 08:00 (je koos 14 december 2026, 22:30" in confirm
    assert "gaat op 15 december 2026, 08:00" in created
    await run_job(app.services, "coach_pushes", datetime(2026, 12, 14, 21, 30, tzinfo=UTC))
    assert {s[2] for s in await pushes_to(app)} == {"2026-12-15T07:00:00+00:00"}
    _, weekly = await _plan(app, NOW, ["rem:weekly", "rem:wd:0", "23:00"])
    assert "elke maandag om 23:00 (maar dat is 's nachts: hij gaat dan pas om 08:00)" in weekly
    _, by_day = await _plan(app, NOW, ["rem:weekly", "rem:wd:0", "9:00"])
    assert "elke maandag om 09:00." in by_day
