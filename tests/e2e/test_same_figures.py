"""One set of declarations, every view: the same profit, share of the norm and hours everywhere.

A participant declares five months by chat - a loss, a month without work, 25 on a norm of
1.000 (2.5 %, rounded half up to 3 %), a month corrected once, and a month with hours in every
week - and the test reads each view as its reader gets it: the review and /overzicht (the
participant), the klantmanager's card and /deelnemer, the weekly digest in chat and as HTML, the
CSV export and the dossier (the command line). Each must show the figures of docs/domain.md.
"""

from __future__ import annotations

import asyncio
import csv
import html
import io
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

import bot.app
from bot import cli
from bot.app import App, open_app
from bot.channels.base import html_to_text, render_reply
from bot.clock import FixedClock
from bot.config import Settings
from bot.contract import Inbound, Kind, Reply
from bot.dispatcher import Outcome
from bot.domain.models import Household, Role
from bot.domain.policy import default_policy_text
from bot.storage import participants, people
from messages.render import environment

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)  # Thursday of ISO week 2026-W49
CHANNEL = "test"
AYLA, KIM = "ayla", "kim"
NAME = "Ayla Voorbeeld"


@dataclass(frozen=True)
class Month:
    """What Ayla declares for one month, and the figures every view must show for it."""

    period: str
    worked: bool
    revenue: str = "0"
    costs: tuple[tuple[str, str], ...] = ()
    week_hours: str = "0"
    corrected_revenue: str | None = None  # a second version with this omzet
    profit_cents: int = 0
    share_pct: int = 0
    hours: Decimal = Decimal(0)


MONTHS = (
    Month("2026-07", True, "100", (("inkoop", "300"),), profit_cents=-20_000, share_pct=0),
    Month("2026-08", False, profit_cents=0, share_pct=0),
    Month("2026-09", True, "25", profit_cents=2_500, share_pct=3),
    Month("2026-10", True, "500", corrected_revenue="600", profit_cents=60_000, share_pct=60),
    Month(
        "2026-11",
        True,
        "€ 1.250,50",
        (("telefoon", "50,-"),),
        week_hours="10",
        profit_cents=120_050,
        share_pct=120,
        hours=Decimal(60),
    ),
)


class Chat:
    """One person's chat, with fresh update ids; keeps every reply it got."""

    ids = iter(range(10_000, 99_999))

    def __init__(self, app: App, address: str) -> None:
        self.app, self.address = app, address
        self.last: Outcome | None = None

    async def send(self, kind: Kind, text: str = "", button: str | None = None) -> list[Reply]:
        command = args = None
        if kind == Kind.COMMAND:
            head, _, args = text.partition(" ")
            command = head[1:]
        inbound = Inbound(
            CHANNEL,
            self.address,
            kind,
            str(next(self.ids)),
            text=text,
            command=command,
            args=args or "",
            button=button,
        )
        self.last = await self.app.dispatcher.handle(inbound, now=NOW)
        assert all(r.key != "common/error" for r in self.last.replies)
        return self.last.replies

    async def say(self, text: str) -> list[Reply]:
        return await self.send(Kind.COMMAND if text.startswith("/") else Kind.TEXT, text)

    async def tap(self, data: str) -> list[Reply]:
        return await self.send(Kind.BUTTON, button=data)


def buttons(replies: list[Reply]) -> list[str]:
    """The data of every button in `replies`."""
    return [b.data for r in replies for row in r.buttons for b in row]


def text(replies: list[Reply], key: str | None = None) -> str:
    """The replies (or those with `key`) as the person reads them, without markup."""
    return "\n".join(
        html_to_text(render_reply(r, "nl").text) for r in replies if key in (None, r.key)
    )


async def declare(chat: Chat, month: Month, *, revenue: str, reason: str | None) -> str:
    """Answer every question for `month` and send it; returns the review as read."""
    replies = await chat.say(f"/opgave {month.period}")
    if reason is not None:
        fix = f"decl:fix:{month.period}"
        assert fix in buttons(replies)
        replies = await chat.tap(fix)
    costs = list(month.costs)
    edited = reason is None
    review = ""
    for _ in range(60):
        key = replies[-1].key
        if key == "declaration/ask_worked":
            replies = await chat.tap(f"decl:worked:{'yes' if month.worked else 'no'}")
        elif key == "declaration/ask_revenue":
            replies = await chat.say(revenue)
        elif key == "declaration/ask_costs":
            if costs:
                replies = await chat.tap(f"decl:cost:{costs[0][0]}")
            else:
                done = [b for b in buttons(replies) if b in ("decl:costs:done", "decl:costs:none")]
                replies = await chat.tap(done[0])
        elif key == "declaration/ask_cost_amount":
            replies = await chat.say(costs.pop(0)[1])
        elif key == "declaration/ask_hours":
            replies = await chat.say(month.week_hours)
        elif key == "declaration/ask_proof":
            replies = await chat.tap("decl:proof:none")
        elif key == "declaration/ask_note":
            replies = await chat.tap("decl:note:skip")
        elif key == "declaration/ask_reason":
            replies = await chat.say(reason or "")
        elif key == "declaration/review" and not edited:
            edited = True  # the correction: change the omzet from the review
            replies = await chat.tap("decl:edit:revenue")
        elif key == "declaration/review":
            review = text(replies, "declaration/review")
            [send] = [b for b in buttons(replies) if b.startswith("decl:send:")]
            replies = await chat.tap(send)
        elif key == "declaration/receipt":
            return review
        else:
            pytest.fail(f"unexpected reply {key} while declaring {month.period}")
    pytest.fail(f"declaring {month.period} did not finish")


def page_text(page: str) -> str:
    """An HTML page as lines of text: a line per table row, list item, paragraph or heading."""
    page = re.sub(r"(?i)</(tr|li|p|h[1-6]|div)>|<br\s*/?>", "\n", page)
    page = html.unescape(re.sub(r"<[^>]+>", " ", page))
    lines = (re.sub(r"[ \t\r]+", " ", line).strip() for line in page.splitlines())
    return "\n".join(line for line in lines if line)


def money(cents: int) -> str:
    return html_to_text(environment("nl").filters["money"](cents))


def pct(share: int) -> str:
    return html_to_text(environment("nl").filters["pct"](share))


def number(value: Decimal) -> str:
    return str(environment("nl").filters["number"](value))


def month_name(period: str) -> str:
    return str(environment("nl").filters["month"](period))


def shows(view: str, where: str, month: Month, *, hours: bool = True) -> None:
    """`view` (the part of a view about `month`) shows its profit, share and hours.

    A month without work may instead say so without any amount: then it shows no other
    amount or share either.
    """
    if not month.worked and money(0) not in view:
        assert "€" not in view, f"{where}: {month.period}\n{view}"
        assert "%" not in view, f"{where}: {month.period}\n{view}"
        return
    assert money(month.profit_cents) in view, f"{where}: profit of {month.period}\n{view}"
    assert pct(month.share_pct) in view, f"{where}: share of {month.period}\n{view}"
    if hours:
        h = re.escape(number(month.hours))
        assert re.search(rf"\b{h} uur|Uren:? {h}\b", view), (
            f"{where}: hours of {month.period}\n{view}"
        )


def block(view: str, period: str) -> str:
    """The lines of `view` from the heading of `period` up to the next month's heading."""
    names = {month_name(m.period).lower() for m in MONTHS}
    lines = view.splitlines()
    out: list[str] = []
    inside = False
    for line in lines:
        lowered = line.lower()
        starts = any(lowered.startswith(n) for n in names)
        if starts:
            inside = lowered.startswith(month_name(period).lower())
        if inside:
            out.append(line)
    assert out, f"no part about {period} in\n{view}"
    return "\n".join(out)


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    """The default policy with a norm of € 1.000,00 for a single person."""
    path = tmp_path / "policy.toml"
    path.write_text(
        re.sub(r"(?m)^alleenstaande = [0-9.]+$", "alleenstaande = 1000.00", default_policy_text()),
        encoding="utf-8",
    )
    return path


@pytest.fixture
async def app(tmp_path: Path, policy_file: Path) -> AsyncIterator[App]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'pto.db'}",
        proof_dir=tmp_path / "proof",
        policy_path=policy_file,
        flood_limit_per_minute=10_000,
        demo=False,
    )
    async with open_app(settings, FixedClock(NOW)) as running:
        async with running.services.db.transaction() as tx:
            km = await people.insert_person(tx, "Kim Klantmanager", Role.KLANTMANAGER, NOW)
            pid = await people.insert_person(tx, NAME, Role.PARTICIPANT, NOW)
            await participants.insert_participant(
                tx, pid, km, None, date(2026, 7, 1), Household.ALLEENSTAANDE
            )
            await people.bind_identity(tx, CHANNEL, AYLA, pid, NOW)
            await people.bind_identity(tx, CHANNEL, KIM, km, NOW)
        yield running


async def run_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *args: str) -> str:
    """Run `ptobot ARGS --out FILE` in its own thread and event loop; returns the file's text."""
    out = tmp_path / f"out-{next(Chat.ids)}"
    code = await asyncio.to_thread(cli.main, [*args, "--out", str(out)])
    assert code == 0, f"ptobot {' '.join(args)} failed"
    return out.read_text(encoding="utf-8")


async def test_every_view_shows_the_same_figures(
    app: App, tmp_path: Path, policy_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ayla, kim = Chat(app, AYLA), Chat(app, KIM)
    for month in MONTHS:
        review = await declare(ayla, month, revenue=month.revenue, reason=None)
        if month.corrected_revenue is not None:
            review = await declare(
                ayla, month, revenue=month.corrected_revenue, reason="Een factuur vergeten."
            )
        shows(review, "review", month)

    overview = text(await ayla.say("/overzicht"), "declaration/overview")
    for month in MONTHS:
        shows(block(overview, month.period), "/overzicht", month)

    # The klantmanager's cards, pushed through the outbox: the newest card per month.
    async with app.services.db.read() as tx:
        rows = await tx.all(
            "SELECT message_key, context FROM outbox WHERE message_key = 'queue/card' ORDER BY id"
        )
    cards: dict[str, str] = {}
    for stored in rows:
        context = json.loads(stored["context"])
        cards[context["period"]] = text([Reply(stored["message_key"], context)])
    for month in MONTHS:
        shows(cards[month.period], "card", month)

    deelnemer = text(await kim.say(f"/deelnemer {NAME}"), None)
    for month in MONTHS:
        shows(block(deelnemer, month.period), "/deelnemer", month)

    # The command line: the same database, the same (fixed) clock, in its own event loop.
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{app.services.settings.database_path}")
    monkeypatch.setenv("PTO_POLICY", str(policy_file))
    monkeypatch.setenv("PTO_PROOF_DIR", str(tmp_path / "proof"))
    monkeypatch.setenv("PTO_DEMO", "0")
    monkeypatch.setattr(bot.app, "SystemClock", lambda: FixedClock(NOW))

    november = MONTHS[-1]
    for fmt in ("text", "html"):
        digest = await run_cli(
            monkeypatch,
            tmp_path,
            "digest",
            "--klantmanager",
            "Kim Klantmanager",
            "--week",
            "2026-W49",
            "--format",
            fmt,
        )
        readable = page_text(digest) if fmt == "html" else digest
        # The participant's row in the table closes the digest (exceptions come first).
        row = [line for line in readable.splitlines() if NAME in line][-1]
        # The digest's row: the latest month's profit and share, and hours per week: ten in
        # every week of November, so an average of 10 (never 0 for someone who declared hours).
        shows(row, f"digest ({fmt})", november, hours=False)
        assert number(Decimal(10)) in row.split(pct(november.share_pct), 1)[1], (
            f"digest ({fmt}): hours per week\n{row}"
        )

    for month in MONTHS:
        exported = await run_cli(monkeypatch, tmp_path, "export", "--period", month.period)
        [line] = list(csv.DictReader(io.StringIO(exported)))
        assert Decimal(line["profit_eur"]) * 100 == month.profit_cents, line
        assert line["share_of_norm_pct"] == str(month.share_pct), line
        assert Decimal(line["hours"]) == month.hours, line

    dossier = page_text(await run_cli(monkeypatch, tmp_path, "dossier", "--participant", NAME))
    for month in MONTHS:
        [latest] = [
            line
            for line in dossier.splitlines()
            if month_name(month.period) in line
            and money(month.profit_cents) in line
            and line.count(month_name(month.period)) == 1
        ][:1] or [""]
        assert latest, f"dossier: no row for {month.period} with its profit\n{dossier}"
        assert pct(month.share_pct) in latest, f"dossier: share of {month.period}\n{latest}"
        assert number(month.hours) in latest.split(pct(month.share_pct), 1)[1], latest
