"""The monthly declaration through the dispatcher: what the participant sees and what is stored."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest

from bot.app import App, open_app
from bot.clock import FixedClock
from bot.config import Settings
from bot.contract import FileIn, Inbound, Kind
from bot.dispatcher import Outcome
from bot.domain.answers import DraftAnswers
from bot.domain.models import Household, Role
from bot.storage import participants, people
from tests.conftest import NOW

JPEG = b"\xff\xd8\xff\xe0" + b"bonnetje van de groothandel" * 10
CHANNEL = "test"
ADDRESS = "ayla"


class Chat:
    """One participant's chat with the assistant, with fresh update ids."""

    def __init__(self, app: App, now: datetime = NOW) -> None:
        self.app = app
        self.now = now
        self.ids = itertools.count(1000)
        self.last: Outcome | None = None

    async def send(self, inbound: Inbound) -> Outcome:
        self.last = await self.app.dispatcher.handle(inbound, now=self.now)
        return self.last

    def _id(self) -> str:
        return str(next(self.ids))

    async def say(self, text: str) -> Outcome:
        if text.startswith("/"):
            head, _, args = text.partition(" ")
            return await self.send(
                Inbound(CHANNEL, ADDRESS, Kind.COMMAND, self._id(), text, head[1:], args)
            )
        return await self.send(Inbound(CHANNEL, ADDRESS, Kind.TEXT, self._id(), text))

    async def tap(self, data: str, update_id: str | None = None) -> Outcome:
        return await self.send(
            Inbound(CHANNEL, ADDRESS, Kind.BUTTON, update_id or self._id(), button=data)
        )

    async def photo(self, data: bytes) -> Outcome:
        file = FileIn("photo", "image/jpeg", len(data), data)
        return await self.send(Inbound(CHANNEL, ADDRESS, Kind.FILE, self._id(), file=file))

    def keys(self) -> list[str]:
        return [r.key for r in self.last.replies] if self.last else []

    def buttons(self) -> list[str]:
        if self.last is None:
            return []
        return [b.data for r in self.last.replies for row in r.buttons for b in row]

    def reply(self, key: str) -> dict[str, object]:
        found = [r for r in (self.last.replies if self.last else []) if r.key == key]
        assert found, f"no {key} in {self.keys()}"
        return dict(found[-1].ctx)


async def _people(app: App, start: date = date(2026, 11, 1)) -> int:
    async with app.services.db.transaction() as tx:
        km = await people.insert_person(tx, "Kim Klantmanager", Role.KLANTMANAGER, NOW)
        pid = await people.insert_person(tx, "Ayla Voorbeeld", Role.PARTICIPANT, NOW)
        await participants.insert_participant(tx, pid, km, None, start, Household.ALLEENSTAANDE)
        await people.bind_identity(tx, CHANNEL, ADDRESS, pid, NOW)
    return pid


@pytest.fixture
async def chat(app: App) -> Chat:
    await _people(app)
    return Chat(app)


def _read(path: Path) -> bytes:
    return path.read_bytes()


async def _rows(app: App, sql: str, params: tuple[object, ...] = ()) -> list[dict[str, object]]:
    async with app.services.db.read() as tx:
        return [dict(r) for r in await tx.all(sql, params)]


async def _fill_november(chat: Chat) -> None:
    """Answer every question for November 2026 up to the review (six ISO weeks)."""
    await chat.say("/opgave")
    assert chat.keys() == ["declaration/ask_worked"]
    assert chat.reply("declaration/ask_worked")["period"] == "2026-11"
    await chat.tap("decl:worked:yes")
    await chat.say("€ 1.250,50")
    assert chat.keys() == ["declaration/ask_costs"]
    await chat.tap("decl:cost:inkoop")
    await chat.say("45,99")
    await chat.tap("decl:cost:telefoon")
    await chat.say("1250,-")  # over the yearly cap: a warning, not a block
    assert chat.keys()[0] == "declaration/cost_warning"
    await chat.tap("decl:costs:done")
    assert chat.reply("declaration/ask_hours")["week"] == 44
    for typed in ("2", "12,5", "12.5"):
        await chat.say(typed)
    await chat.tap("decl:hours:25")  # one busy week: a friendly nudge
    assert chat.keys()[0] == "declaration/week_nudge"
    await chat.tap("decl:hours:8")
    await chat.say("0")
    assert chat.keys() == ["declaration/ask_proof"]
    await chat.photo(JPEG)
    assert chat.reply("declaration/proof_received")["count"] == 1
    await chat.tap("decl:proof:done")
    await chat.say("Eén factuur betaalt de klant pas in december.")
    assert chat.keys() == ["declaration/review"]


async def test_a_whole_declaration_is_stored_queued_audited_and_receipted(
    chat: Chat, app: App, settings: Settings
) -> None:
    await _fill_november(chat)
    review = chat.reply("declaration/review")
    assert review["revenue_cents"] == 125_050
    assert review["costs_cents"] == 4_599 + 125_000
    assert review["hours"] == 60
    assert {f["code"] for f in review["flags"]} >= {"cost_over_cap"}  # type: ignore[attr-defined]

    # Edit one field from the review: back at the review with the new value.
    await chat.tap("decl:edit:revenue")
    assert chat.keys() == ["declaration/ask_revenue"]
    await chat.say("1 500")
    assert chat.keys() == ["declaration/review"]
    assert chat.reply("declaration/review")["revenue_cents"] == 150_000
    assert chat.reply("declaration/review")["share_pct"] == 15  # € 204,01 of € 1.401,50
    send = next(b for b in chat.buttons() if b.startswith("decl:send:"))

    await chat.tap(send)
    receipt = chat.reply("declaration/receipt")
    assert receipt["reference"] == "PTO-2026-11-0001"
    assert receipt["at"] == "2026-12-03T10:00:00+00:00"

    [decl] = await _rows(app, "SELECT * FROM declarations")
    assert (decl["period"], decl["version"], decl["worked"]) == ("2026-11", 1, 1)
    assert (decl["revenue_cents"], decl["costs_cents"], decl["hours"]) == (150_000, 129_599, 60)
    data = json.loads(str(decl["data"]))
    assert data["costs"] == [
        {"category": "inkoop", "amount_cents": 4_599},
        {"category": "telefoon", "amount_cents": 125_000},
    ]
    assert data["weeks"][1] == {"week": "2026-W45", "hours": 12.5}
    assert data["note"].startswith("Eén factuur")
    assert (data["proof_count"], data["no_proof"]) == (1, False)
    assert "cost_over_cap" in {f["code"] for f in json.loads(str(decl["flags"]))}

    [proof] = await _rows(app, "SELECT * FROM proofs")
    assert proof["declaration_id"] == decl["id"]
    assert _read(Path(str(proof["path"]))) == JPEG
    assert Path(str(proof["path"])).is_relative_to(settings.proof_dir)

    [item] = await _rows(app, "SELECT * FROM queue_items")
    assert (item["kind"], item["declaration_id"], item["period"]) == (
        "declaration_submitted",
        decl["id"],
        "2026-11",
    )
    audit = await _rows(app, "SELECT * FROM audit_log WHERE action = 'declaration.submitted'")
    assert json.loads(str(audit[0]["details"]))["reference"] == "PTO-2026-11-0001"
    weeks = await _rows(app, "SELECT week, hours, source FROM weekly_hours ORDER BY week")
    assert {"week": "2026-W47", "hours": 25.0, "source": "declaration"} in weeks
    assert await _rows(app, "SELECT * FROM declaration_drafts") == []


async def test_a_double_tap_on_send_submits_once(chat: Chat, app: App) -> None:
    await _fill_november(chat)
    send = next(b for b in chat.buttons() if b.startswith("decl:send:"))
    await chat.tap(send)
    assert chat.keys() == ["declaration/receipt"]
    await chat.tap(send)
    assert chat.keys() == ["declaration/already_sent"]
    assert chat.reply("declaration/already_sent")["reference"] == "PTO-2026-11-0001"
    assert len(await _rows(app, "SELECT * FROM declarations")) == 1
    assert len(await _rows(app, "SELECT * FROM queue_items")) == 1


async def test_a_redelivered_update_submits_nothing_twice(chat: Chat, app: App) -> None:
    await _fill_november(chat)
    send = next(b for b in chat.buttons() if b.startswith("decl:send:"))
    await chat.tap(send, update_id="same-update")
    again = await chat.tap(send, update_id="same-update")
    assert again.duplicate
    assert len(await _rows(app, "SELECT * FROM declarations")) == 1
    assert len(await _rows(app, "SELECT * FROM audit_log WHERE action LIKE 'declaration.%'")) == 1


async def test_a_nil_declaration_still_goes_through_review_and_confirm(
    chat: Chat, app: App
) -> None:
    await chat.say("/opgave")
    await chat.say("nee")
    review = chat.reply("declaration/review")
    assert (review["worked"], review["revenue_cents"], review["hours"]) == (False, 0, 0)
    send = next(b for b in chat.buttons() if b.startswith("decl:send:"))
    await chat.tap(send)
    assert chat.keys() == ["declaration/receipt"]
    [decl] = await _rows(app, "SELECT * FROM declarations")
    assert (decl["worked"], decl["revenue_cents"], decl["costs_cents"], decl["hours"]) == (
        0,
        0,
        0,
        0,
    )
    assert json.loads(str(decl["flags"])) == []
    assert len(await _rows(app, "SELECT * FROM queue_items")) == 1


async def test_a_correction_stores_a_second_version_with_its_reason(chat: Chat, app: App) -> None:
    await chat.say("/opgave")
    await chat.tap("decl:worked:no")
    await chat.tap(next(b for b in chat.buttons() if b.startswith("decl:send:")))

    await chat.say("/opgave")  # nothing open: offers to change what was sent
    assert chat.keys() == ["declaration/all_sent"]
    assert "decl:fix:2026-11" in chat.buttons()
    await chat.tap("decl:fix:2026-11")
    assert chat.keys() == ["declaration/ask_reason"]
    await chat.say("Ik was een factuur vergeten")
    assert chat.keys() == ["declaration/review"]
    await chat.tap("decl:edit:worked")
    await chat.tap("decl:worked:yes")
    await chat.say("300")
    await chat.tap("decl:costs:none")
    for _ in range(6):
        await chat.tap("decl:hours:4")
    await chat.tap("decl:proof:none")
    await chat.tap("decl:note:skip")
    review = chat.reply("declaration/review")
    assert (review["correction"], review["revenue_cents"]) == (True, 30_000)
    await chat.tap(next(b for b in chat.buttons() if b.startswith("decl:send:")))
    assert chat.reply("declaration/receipt")["version"] == 2

    rows = await _rows(app, "SELECT * FROM declarations ORDER BY version")
    assert [(r["version"], r["revenue_cents"], r["reason"]) for r in rows] == [
        (1, 0, None),
        (2, 30_000, "Ik was een factuur vergeten"),
    ]
    assert rows[0]["reference"] != rows[1]["reference"]
    kinds = [r["kind"] for r in await _rows(app, "SELECT kind FROM queue_items ORDER BY id")]
    assert kinds == ["declaration_submitted", "declaration_corrected"]


async def test_restart_in_the_middle_resumes_at_the_same_question(
    settings: Settings, clock: FixedClock
) -> None:
    async with open_app(settings, clock) as first:
        await _people(first)
        chat = Chat(first)
        await chat.say("/opgave")
        await chat.tap("decl:worked:yes")
        await chat.say("800")
        await chat.tap("decl:costs:none")
        await chat.say("3")
        assert chat.reply("declaration/ask_hours")["week"] == 45
    async with open_app(settings, clock) as second:
        chat = Chat(second, NOW + timedelta(days=2))
        chat.ids = itertools.count(5000)
        await chat.say("7,5")  # the answer to the question asked before the restart
        assert chat.reply("declaration/ask_hours")["week"] == 46
        await chat.say("/stop")
        await chat.say("/opgave")
        assert chat.keys() == ["declaration/resume"]
        await chat.tap("decl:resume")
        assert chat.reply("declaration/ask_hours")["week"] == 46
        await chat.say("/hulp")  # help in the middle keeps the place
        assert chat.reply("common/help")["in_flow"] == "declaration"
        await chat.say("6")
        assert chat.reply("declaration/ask_hours")["week"] == 47


async def test_bad_input_gets_a_clear_reask_and_changes_nothing(chat: Chat) -> None:
    await chat.say("/opgave")
    await chat.tap("decl:worked:yes")
    await chat.say("-20")
    assert chat.keys() == ["declaration/refuse_negative"]
    await chat.say("veel geld")
    assert chat.keys() == ["declaration/refuse_not_number"]
    await chat.say("12,345")
    assert chat.keys() == ["declaration/refuse_decimals"]
    await chat.say("99999")
    assert chat.keys() == ["declaration/refuse_too_high"]
    await chat.tap("decl:worked:no")  # a button of an earlier question
    assert chat.keys() == ["declaration/stale_button", "declaration/ask_revenue"]
    await chat.send(
        Inbound(CHANNEL, ADDRESS, Kind.FILE, "f1", file=FileIn("document", "text/plain", 9, None))
    )
    assert chat.keys() == ["declaration/proof_wrong_type"]


async def test_reminder_button_for_a_month_that_is_not_declarable(chat: Chat) -> None:
    await chat.tap("decl:start:2026-12")
    assert chat.keys() == ["declaration/period_not_yet"]
    await chat.tap("decl:start:2026-10")
    assert chat.keys() == ["declaration/period_before_start"]
    await chat.tap("decl:start:2026-11")
    assert chat.keys() == ["declaration/ask_worked"]


async def test_overview_shows_status_profit_share_and_next_deadline(chat: Chat) -> None:
    await chat.say("/overzicht")
    view = chat.reply("declaration/overview")
    assert view["months"] == [{"period": "2026-11", "status": "open"}]
    assert (view["next_period"], view["next_due"]) == ("2026-11", "2026-12-10")
    await chat.say("/opgave")
    await chat.tap("decl:worked:no")
    await chat.tap(next(b for b in chat.buttons() if b.startswith("decl:send:")))
    await chat.say("/overzicht")
    months = cast("list[dict[str, Any]]", chat.reply("declaration/overview")["months"])
    [month] = months
    assert (month["status"], month["profit_cents"], month["share_pct"]) == ("sent", 0, 0)


async def test_a_month_can_be_named_after_opgave(chat: Chat) -> None:
    await chat.say("/opgave november")
    assert chat.keys() == ["declaration/ask_worked"]
    assert chat.reply("declaration/ask_worked")["period"] == "2026-11"
    await chat.say("/stop")
    await chat.say("/opgave december")  # the running month (3 December 2026): not yet
    assert chat.keys() == ["declaration/period_not_yet"]
    await chat.say("/opgave december 2025")  # before the start date
    assert chat.keys() == ["declaration/period_before_start"]


# A draft as the version before DraftAnswers stored it: costs and weeks as plain maps, hours as
# text (typed) or numbers (copied from the corrected version), bookkeeping keys beside them.
OLD_DRAFT = {
    "mode": "new",
    "costs": {"inkoop": 4599},
    "weeks": {"2026-W44": "2", "2026-W45": "12.5", "2026-W46": 8.0},
    "worked": True,
    "editing": False,
    "week_index": 3,
    "revenue_cents": 125050,
}


def test_draft_answers_read_the_old_format_and_round_trip() -> None:
    old = DraftAnswers.from_data(OLD_DRAFT)
    assert old == DraftAnswers(
        worked=True,
        revenue_cents=125_050,
        costs={"inkoop": 4_599},
        weeks={"2026-W44": Decimal(2), "2026-W45": Decimal("12.5"), "2026-W46": Decimal(8)},
        week_index=3,
    )
    assert str(old.weeks["2026-W46"]) == "8"  # typed form, as a button carries it
    assert DraftAnswers.from_data(old.to_data()) == old
    assert DraftAnswers.from_data({}) == DraftAnswers()
    correction = DraftAnswers.from_data(
        {"mode": "correction", "base_version": 1, "reason": "vergeten", "earlier_proofs": 2}
    )
    assert (correction.correction, correction.base_version, correction.reason) == (
        True,
        1,
        "vergeten",
    )
    assert DraftAnswers.from_data(correction.to_data()) == correction


def test_the_draft_json_keeps_the_stored_declaration_shape() -> None:
    data = DraftAnswers.from_data(OLD_DRAFT).to_data()
    assert data["costs"] == [{"category": "inkoop", "amount_cents": 4_599}]
    assert data["weeks"][1] == {"week": "2026-W45", "hours": 12.5}
    assert "proof_count" not in data


async def test_a_draft_saved_before_the_upgrade_resumes_after_it(chat: Chat, app: App) -> None:
    pid = await _people_id(app)
    async with app.services.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO declaration_drafts (participant_id, period, nonce, step, data, "
            "created_at, updated_at) VALUES (?, '2026-11', 'abcd1234', 'hours', ?, ?, ?)",
            (pid, json.dumps(OLD_DRAFT), "2026-12-02T10:00:00+00:00", "2026-12-02T10:00:00+00:00"),
        )
        await tx.execute(
            "INSERT INTO conversation_state (person_id, flow, step, data, updated_at) "
            "VALUES (?, 'declaration', 'hours', '{\"period\":\"2026-11\"}', ?)",
            (pid, "2026-12-02T10:00:00+00:00"),
        )
    await chat.say("6")  # the answer to week 47, asked before the upgrade
    assert chat.reply("declaration/ask_hours")["week"] == 48
    await chat.tap("decl:hours:4")
    await chat.tap("decl:hours:0")
    await chat.tap("decl:proof:none")
    await chat.tap("decl:note:skip")
    review = chat.reply("declaration/review")
    assert (review["revenue_cents"], review["costs_cents"], review["hours"]) == (
        125_050,
        4_599,
        Decimal("32.5"),
    )
    await chat.tap("decl:send:2026-11:abcd1234")
    assert chat.reply("declaration/receipt")["reference"] == "PTO-2026-11-0001"
    [decl] = await _rows(app, "SELECT data FROM declarations")
    assert json.loads(str(decl["data"]))["weeks"] == [
        {"week": "2026-W44", "hours": 2.0},
        {"week": "2026-W45", "hours": 12.5},
        {"week": "2026-W46", "hours": 8.0},
        {"week": "2026-W47", "hours": 6.0},
        {"week": "2026-W48", "hours": 4.0},
        {"week": "2026-W49", "hours": 0.0},
    ]


async def _people_id(app: App) -> int:
    async with app.services.db.read() as tx:
        return int(await tx.scalar("SELECT id FROM people WHERE name = 'Ayla Voorbeeld'"))


async def test_changing_costs_or_hours_from_the_review_returns_to_it(chat: Chat) -> None:
    await _fill_november(chat)
    await chat.tap("decl:edit:costs")
    assert chat.keys() == ["declaration/ask_costs"]
    await chat.tap("decl:cost:inkoop")
    await chat.say("0")  # removes the category
    assert chat.keys() == ["declaration/ask_costs"]
    await chat.tap("decl:costs:done")
    assert chat.keys() == ["declaration/review"]
    assert chat.reply("declaration/review")["costs_cents"] == 125_000
    await chat.tap("decl:edit:hours")
    assert chat.reply("declaration/ask_hours")["number"] == 1
    assert "decl:hours:2" in chat.buttons()  # the answer given before, to keep
    for _ in range(6):
        await chat.tap("decl:hours:4")
    assert chat.keys() == ["declaration/review"]
    assert chat.reply("declaration/review")["hours"] == 24
    await chat.tap("decl:edit:nothing")
    assert chat.keys() == ["declaration/stale_button", "declaration/review"]


async def test_overview_judges_the_deadline_in_amsterdam_time(app: App) -> None:
    await _people(app)
    chat = Chat(app, datetime(2026, 12, 10, 23, 30, tzinfo=UTC))  # 00:30 on 11 December
    await chat.say("/overzicht")
    assert chat.reply("declaration/overview")["months"] == [
        {"period": "2026-11", "status": "late"}
    ]
    await chat.say("/opgave")
    await chat.tap("decl:worked:no")
    await chat.tap(next(b for b in chat.buttons() if b.startswith("decl:send:")))
    await chat.say("/overzicht")
    months = chat.reply("declaration/overview")["months"]
    assert isinstance(months, list)
    assert months[0]["status"] == "late_sent"  # on the UTC date it was still 10 December


async def test_a_check_in_of_20_hours_offers_a_20_button_that_works(chat: Chat) -> None:
    await chat.tap("hours:2026-W45:20")  # the weekly check-in of a week wholly in November
    assert chat.keys()[0] == "hours/thanks"
    await chat.say("/opgave")
    await chat.tap("decl:worked:yes")
    await chat.say("1000")
    await chat.tap("decl:costs:done")
    assert chat.reply("declaration/ask_hours")["week"] == 44  # one day in November: no prefill
    await chat.say("2")
    asked = chat.reply("declaration/ask_hours")
    assert (asked["week"], asked["suggested"], asked["from_checkin"]) == (45, 20, True)
    assert str(asked["suggested"]) == "20"
    assert "decl:hours:20" in chat.buttons()
    await chat.tap("decl:hours:20")  # "Ja, 20 uur"
    assert chat.keys() == ["declaration/ask_hours"]
    assert chat.reply("declaration/ask_hours")["week"] == 46
