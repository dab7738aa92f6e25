"""The weekly digest: exceptions first (exactly the seeded cases), KPI, table, chat and HTML."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

from bot.app import App
from bot.domain.models import Role
from bot.domain.weeks import iso_week
from bot.services import digest, queue
from bot.storage.unit import Tx
from messages.digest import render_chat_parts, render_html, split_parts
from tests import factories_queue as fq

MONDAY = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # 08:00 in Amsterdam, ISO week 2026-W50
WEEK = "2026-W50"


async def _months(tx: Tx, pid: int, periods: list[str], **kwargs: Any) -> None:
    for period in periods:
        await fq.declaration(tx, MONDAY - timedelta(days=40), pid, period, **kwargs)


async def _hours(tx: Tx, pid: int, per_week: float, weeks: int = 4) -> None:
    for back in range(1, weeks + 1):
        week = iso_week(MONDAY.date() - timedelta(weeks=back))
        await tx.execute(
            "INSERT INTO weekly_hours (participant_id, week, hours, source, updated_at) "
            "VALUES (?, ?, ?, 'checkin', ?)",
            (pid, week, per_week, MONDAY.isoformat()),
        )


JUN_OCT = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
MODEST = {"revenue": 50_000, "costs": 10_000, "hours": 40.0}  # € 400 profit: 29 % of the norm


async def _seed(app: App) -> dict[str, int]:
    now = MONDAY - timedelta(days=200)
    async with app.services.db.transaction() as tx:
        kim = await fq.person(tx, now, fq.KIM, Role.KLANTMANAGER, "7001")
        karin = await fq.person(tx, now, fq.KARIN, Role.KLANTMANAGER, "7002")

        async def participant(name: str, km: int, start: date) -> int:
            return await fq.person(tx, now, name, Role.PARTICIPANT, klantmanager=km, start=start)

        late = await participant("Lotte Laat", kim, date(2026, 6, 1))
        await _months(tx, late, JUN_OCT[:-1], **MODEST)  # october is missing, due 10 november
        await _hours(tx, late, 10)
        hours = await participant("Uri Uren", kim, date(2026, 6, 1))
        await _months(tx, hours, JUN_OCT, **MODEST)
        await _hours(tx, hours, 25)  # 4-week average 25 > 20
        ending = await participant("Eva Einde", kim, date(2026, 1, 20))  # ends 20 January 2027
        await _months(tx, ending, [f"2026-{m:02d}" for m in range(1, 11)], **MODEST)
        await _hours(tx, ending, 12)
        fine = await participant("Gijs Gewoon", kim, date(2026, 6, 1))
        await _months(tx, fine, JUN_OCT, revenue=60_000, costs=10_000, hours=40.0)  # 36 %
        await _hours(tx, fine, 20)  # exactly at the cap is not over it
        other = await participant("Karel Kwijt", karin, date(2026, 6, 1))  # late, not Kim's
    return {"kim": kim, "karin": karin, "other": other}


async def test_the_exceptions_are_exactly_the_seeded_cases(app: App) -> None:
    await _seed(app)
    kim = await fq.who(app, fq.KIM)
    window = digest.window_for(app.services.policy, MONDAY)
    async with app.services.db.read() as tx:
        result = await digest.build_digest(tx, app.services.policy, kim, window)
    names = {k: [x["name"] for x in v] for k, v in result["exceptions"].items()}
    assert names == {
        "late": ["Lotte Laat"],
        "hours": ["Uri Uren"],
        "corrections": [],
        "changes": [],
        "ending": ["Eva Einde"],
        "covering": [],
        "reported": [],
    }
    assert result["exceptions"]["late"][0]["periods"] == ["2026-10"]
    assert result["exceptions"]["late"][0]["days_late"] == 27
    assert result["exceptions"]["hours"][0]["average"] == 25.0
    assert result["exceptions"]["ending"][0]["end"] == "2027-01-20"
    assert result["week"] == WEEK
    assert result["kpi"] == {"threshold": 30, "reached": 1, "total": 4, "target": 50}
    assert [r["name"] for r in result["rows"]] == [
        "Eva Einde",
        "Gijs Gewoon",
        "Lotte Laat",
        "Uri Uren",
    ]
    text = "\n".join(render_chat_parts(result, "nl"))
    assert text.index("Lotte Laat") < text.index("<b>KPI</b>") < text.index("Per deelnemer")
    assert "Karel Kwijt" not in text
    assert "fraude" not in text.lower()


async def test_corrections_big_changes_and_covering_the_norm(app: App) -> None:
    start = MONDAY - timedelta(days=200)
    async with app.services.db.transaction() as tx:
        kim_id = await fq.person(tx, start, fq.KIM, Role.KLANTMANAGER, "7001")

        async def participant(name: str, since: date) -> int:
            return await fq.person(
                tx, start, name, Role.PARTICIPANT, klantmanager=kim_id, start=since
            )

        waiting = await participant("Cees Correctie", date(2026, 6, 1))
        await _months(tx, waiting, JUN_OCT[:-1], **MODEST)
        swing = await participant("Wim Wissel", date(2026, 9, 1))
        await fq.declaration(tx, start, swing, "2026-09", revenue=50_000, costs=10_000)
        await fq.declaration(tx, start, swing, "2026-10", revenue=150_000, costs=10_000)
        covers = await participant("Dora Dekt", date(2026, 8, 1))
        await _months(tx, covers, ["2026-08", "2026-09", "2026-10"], revenue=200_000, costs=0)
        recent = await participant("Rik Recent", date(2026, 6, 1))
        await _months(tx, recent, JUN_OCT, **MODEST)
    kim = await fq.who(app, fq.KIM)
    ten_days_ago = MONDAY - timedelta(days=10)
    three_days_ago = MONDAY - timedelta(days=3)
    _, old_item = await fq.submit(app, ten_days_ago, waiting, "2026-10", **MODEST)
    _, new_item = await fq.submit(app, three_days_ago, recent, "2026-11", **MODEST)
    async with app.services.db.transaction() as tx:
        assert old_item is not None
        assert new_item is not None
        await queue.request_correction(tx, ten_days_ago, kim, old_item, "Bon ontbreekt")
        await queue.request_correction(tx, three_days_ago, kim, new_item, "Uren kloppen niet")
    async with app.services.db.read() as tx:
        result = await digest.build_digest(
            tx, app.services.policy, kim, digest.window_for(app.services.policy, MONDAY)
        )
    names = {k: [x["name"] for x in v] for k, v in result["exceptions"].items()}
    assert names["corrections"] == ["Cees Correctie"]
    assert result["exceptions"]["corrections"][0]["days"] == 10
    assert names["changes"] == ["Wim Wissel"]
    assert names["covering"] == ["Dora Dekt"]
    assert names["late"] == []


class _Structure(HTMLParser):
    VOID = frozenset({"meta", "br", "hr", "img", "link", "input", "col", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.doctype: str | None = None
        self.stack: list[str] = []
        self.seen: list[str] = []
        self.errors: list[str] = []
        self.title = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "title":
            self.title += data


async def test_the_html_digest_is_a_valid_standalone_page(app: App) -> None:
    await _seed(app)
    kim = await fq.who(app, fq.KIM)
    async with app.services.db.read() as tx:
        result = await digest.build_digest(
            tx, app.services.policy, kim, digest.window_for(app.services.policy, MONDAY, WEEK)
        )
    for locale in ("nl", "en"):
        page = render_html(result, locale)
        parser = _Structure()
        parser.feed(page)
        parser.close()
        assert parser.doctype is not None
        assert parser.doctype.lower() == "doctype html"
        assert parser.errors == []
        assert parser.stack == []
        assert parser.seen[:2] == ["html", "head"]
        assert "body" in parser.seen
        assert parser.seen.index("title") < parser.seen.index("body")
        assert WEEK in parser.title
        assert "@page { size: A4" in page
        assert "<script" not in page
        assert "http" not in page  # standalone: nothing loaded from elsewhere
        assert page.index("Lotte Laat") < page.index("<h2>KPI</h2>")


def test_long_chat_digests_are_split_to_fit_telegram() -> None:
    rows = "\n".join(
        f"• Deelnemer {n:03d}: oktober 2026 ingediend · 12,5 u/week" for n in range(400)
    )
    text = f"<b>Weekoverzicht</b>\n\n<b>Per deelnemer</b>\n{rows}"
    parts = split_parts(text)
    assert len(parts) > 1
    assert all(len(p) <= 4096 for p in parts)
    assert "\n".join(parts).count("• Deelnemer") == 400


async def test_weekly_digests_go_out_exactly_once_per_week(app: App) -> None:
    ids = await _seed(app)
    assert (
        await digest.weekly_digests(
            app.services.db, app.services.policy, MONDAY, render=render_chat_parts
        )
        == 2
    )
    again = MONDAY + timedelta(hours=3)
    assert (
        await digest.weekly_digests(
            app.services.db, app.services.policy, again, render=render_chat_parts
        )
        == 0
    )
    async with app.services.db.read() as tx:
        keys = [r["dedupe_key"] for r in await tx.all("SELECT dedupe_key FROM outbox ORDER BY id")]
    assert f"digest:{ids['kim']}:{WEEK}" in keys
    assert f"digest:{ids['karin']}:{WEEK}" in keys
    transport = fq.RecordingTransport()
    await fq.drain(app, transport, again)
    kim_text = "\n".join(m.text for m in transport.to("7001"))
    assert "Weekoverzicht 2026-W50" in kim_text
    assert "Lotte Laat" in kim_text
    next_week = MONDAY + timedelta(days=7)
    assert (
        await digest.weekly_digests(
            app.services.db, app.services.policy, next_week, render=render_chat_parts
        )
        == 2
    )
