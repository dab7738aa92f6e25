"""Trajectory outcomes (issue 17): the "traject loopt af" card's buttons through the dispatcher,
/deelnemer, corrections, access, the extension moving the end, and the digest's year figures."""

from __future__ import annotations

from datetime import date

from bot.app import App
from bot.clock import FixedClock
from bot.domain.models import Person, Role
from bot.services import digest, outcomes, queue
from messages import render
from tests import factories as f
from tests import factories_queue as fq
from tests.factories_queue import AYLA, BRAM, CHATS, DIRK, KARIN, KIM


async def _ending_item(app: App, now: object, participant_id: int) -> int:
    async with app.services.db.transaction() as tx:
        item_id = await queue.open_item(
            tx,
            now,  # type: ignore[arg-type]
            participant_id,
            queue.TRAJECTORY_ENDING,
            dedupe_key=f"trajectory-end:{participant_id}:test:end-30",
            details={"end": "2027-06-01", "days": 30},
            policy=app.services.policy,
        )
    assert item_id is not None
    return item_id


async def _rows(app: App, sql: str, *params: object) -> list[tuple[object, ...]]:
    async with app.services.db.read() as tx:
        return [tuple(r) for r in await tx.all(sql, params)]


async def test_the_card_records_an_outcome_and_a_correction_keeps_the_history(
    app: App, clock: FixedClock
) -> None:
    now = clock.now()
    ids = await fq.caseloads(app, now)
    item_id = await _ending_item(app, now, ids[AYLA])
    transport = fq.RecordingTransport()
    await fq.drain(app, transport, now)
    (card,) = transport.to(CHATS[KIM])
    assert ("Uitkomst vastleggen", f"outcome:item:{item_id}") in [
        b for row in card.buttons for b in row
    ]

    shown = await app.dispatcher.handle(f.button(CHATS[KIM], f"outcome:item:{item_id}"), now=now)
    (reply,) = shown.replies
    assert reply.key == "outcomes/choose"
    first_page = [b.data for row in reply.buttons for b in row]
    assert f"outcome:set:{ids[AYLA]}:employment" in first_page
    assert f"outcome:page:{ids[AYLA]}:2" in first_page  # six outcomes, four a page
    second = await app.dispatcher.handle(
        f.button(CHATS[KIM], f"outcome:page:{ids[AYLA]}:2"), now=now
    )
    assert f"outcome:set:{ids[AYLA]}:other" in [
        b.data for row in second.replies[0].buttons for b in row
    ]

    done = await app.dispatcher.handle(
        f.button(CHATS[KIM], f"outcome:set:{ids[AYLA]}:bbz"), now=now
    )
    assert [r.key for r in done.replies] == ["outcomes/recorded"]
    assert "Doorstroom naar Bbz" in render("outcomes/recorded", "nl", **done.replies[0].ctx)

    # Corrected: the latest counts, the first stays as history; both audited.
    fixed = await app.dispatcher.handle(
        f.button(CHATS[KIM], f"outcome:set:{ids[AYLA]}:employment"), now=now
    )
    assert fixed.replies[0].ctx["corrected"] is True
    assert await _rows(
        app, "SELECT code FROM trajectory_outcomes WHERE participant_id = ? ORDER BY id", ids[AYLA]
    ) == [("bbz",), ("employment",)]
    audited = await _rows(
        app, "SELECT subject_id FROM audit_log WHERE action = 'outcome.recorded'"
    )
    assert audited == [(ids[AYLA],), (ids[AYLA],)]


async def test_another_caseload_cannot_record_and_forged_data_is_refused(
    app: App, clock: FixedClock
) -> None:
    now = clock.now()
    ids = await fq.caseloads(app, now)
    item_id = await _ending_item(app, now, ids[AYLA])
    for data in (
        f"outcome:item:{item_id}",
        f"outcome:set:{ids[AYLA]}:bbz",
        f"outcome:start:{ids[AYLA]}",
        f"outcome:set:{ids[DIRK]}x:bbz",
    ):
        refused = await app.dispatcher.handle(f.button(CHATS[KARIN], data), now=now)
        assert [r.key for r in refused.replies] != ["outcomes/recorded"], data
        assert refused.replies[0].key.startswith("common/"), refused.replies[0].key
    assert await _rows(app, "SELECT id FROM trajectory_outcomes") == []


async def test_an_extension_asks_the_new_end_and_moves_the_trajectory(
    app: App, clock: FixedClock
) -> None:
    now = clock.now()
    ids = await fq.caseloads(app, now)  # Ayla started 2026-06-01: the end is 2027-06-01
    asked = await app.dispatcher.handle(
        f.button(CHATS[KIM], f"outcome:set:{ids[AYLA]}:extension"), now=now
    )
    assert [r.key for r in asked.replies] == ["outcomes/ask_end_date"]
    early = await app.dispatcher.handle(f.text(CHATS[KIM], "01-05-2027"), now=now)
    assert [r.key for r in early.replies] == ["outcomes/end_date_early"]
    bad = await app.dispatcher.handle(f.text(CHATS[KIM], "volgend jaar"), now=now)
    assert [r.key for r in bad.replies] == ["outcomes/end_date_bad"]
    done = await app.dispatcher.handle(f.text(CHATS[KIM], "31-12-2027"), now=now)
    assert [r.key for r in done.replies] == ["outcomes/recorded"]
    assert done.replies[0].ctx["new_end"] == "2027-12-31"
    async with app.services.db.read() as tx:
        end = await outcomes.trajectory_end(tx, app.services.policy, ids[AYLA])
    assert end == date(2027, 12, 31)
    shown = await app.dispatcher.handle(f.command(CHATS[KIM], "/deelnemer ayla"), now=now)
    assert shown.replies[0].ctx["trajectory_end"] == "2027-12-31"  # the overview follows


async def test_anders_needs_a_note_which_is_bsn_masked(app: App, clock: FixedClock) -> None:
    now = clock.now()
    ids = await fq.caseloads(app, now)
    shown = await app.dispatcher.handle(f.command(CHATS[KIM], "/deelnemer ayla"), now=now)
    assert [b.data for row in shown.replies[0].buttons for b in row] == [
        f"outcome:start:{ids[AYLA]}"
    ]
    await app.dispatcher.handle(f.button(CHATS[KIM], f"outcome:set:{ids[AYLA]}:other"), now=now)
    done = await app.dispatcher.handle(
        f.text(CHATS[KIM], "Verhuisd naar Groningen, BSN 111222333"), now=now
    )
    assert [r.key for r in done.replies] == ["privacy/bsn_warning", "outcomes/recorded"]
    (note,) = await _rows(app, "SELECT note FROM trajectory_outcomes")
    assert "111222333" not in str(note[0])
    assert "Groningen" in str(note[0])


async def test_the_digest_shows_outcomes_per_year_next_to_the_kpi(
    app: App, clock: FixedClock
) -> None:
    now = clock.now()
    ids = await fq.caseloads(app, now)
    # Ayla: € 466 profit on the 2026 norm of an alleenstaande, three months.
    for period in ("2026-09", "2026-10", "2026-11"):
        await fq.submit(app, now, ids[AYLA], period, revenue=66600, costs=20000)
    await app.dispatcher.handle(f.button(CHATS[KIM], f"outcome:set:{ids[AYLA]}:bbz"), now=now)
    async with app.services.db.read() as tx:
        kim = Person(ids[KIM], KIM, Role.KLANTMANAGER, "nl")
        figures = await digest.build_digest(
            tx, app.services.policy, kim, digest.window_for(app.services.policy, now)
        )
    this_year = figures["outcome_years"][0]
    assert this_year["year"] == 2026
    assert {o["code"]: o["count"] for o in this_year["outcomes"]}["bbz"] == 1
    assert this_year["kpi"]["participants"] == 1
    assert this_year["kpi"]["avg_profit_cents"] == 46600
    text = render("digest/chat", "nl", **figures)
    assert "Uitkomsten 2026" in text
    assert "Doorstroom naar Bbz: 1" in text


async def test_an_extension_moves_the_end_warning_of_the_reminder_sweep(
    app: App, clock: FixedClock
) -> None:
    from datetime import UTC, datetime

    from bot.services import reminders

    now = clock.now()
    ids = await fq.caseloads(app, now)  # Ayla's trajectory ends 2027-06-01: warnings 60 and 30
    db, policy = app.services.db, app.services.policy

    async def ending_items() -> list[tuple[object, ...]]:
        return await _rows(
            app,
            "SELECT participant_id, details FROM queue_items WHERE kind = ? ORDER BY id",
            queue.TRAJECTORY_ENDING,
        )

    await app.dispatcher.handle(
        f.button(CHATS[KIM], f"outcome:set:{ids[AYLA]}:extension"), now=now
    )
    await app.dispatcher.handle(f.text(CHATS[KIM], "31-12-2027"), now=now)
    old_warning = datetime(2027, 4, 2, 10, 0, tzinfo=UTC)  # 60 days before 2027-06-01
    await reminders.trajectory_milestones(db, policy, old_warning)
    first = [pid for pid, _ in await ending_items()]
    assert ids[BRAM] in first  # Bram (same start) was not extended: warned
    assert ids[AYLA] not in first
    new_warning = datetime(2027, 11, 1, 10, 0, tzinfo=UTC)  # 60 days before 2027-12-31
    await reminders.trajectory_milestones(db, policy, new_warning)
    found = await ending_items()
    assert [pid for pid, _ in found][len(first) :] == [ids[AYLA]]  # only Ayla, once
    assert '"end": "2027-12-31"' in str(found[-1][1])
