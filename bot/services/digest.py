"""The klantmanager's weekly digest: exceptions first, then the KPI, then a table per participant.

Entry point for the scheduler (the Monday job):

    async def weekly_digests(db: Database, policy: Policy, now: datetime) -> int

It enqueues each klantmanager's chat digest (split to fit Telegram's 4,096 characters) into the
outbox, exactly once per klantmanager and ISO week (dedupe_key f"digest:{km_id}:{iso_week}"), and
returns how many klantmanagers got one. A re-run in the same week does nothing.

`build_digest` gathers the figures for one klantmanager (own caseload plus delegated caseloads);
`render_chat_parts` and `render_html` turn them into chat messages or a standalone A4 page.
Heuristics that are not municipal policy (what counts as a big change) are constants below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bot.clock import AMSTERDAM, parse_utc, to_local, utc_iso
from bot.domain.models import Person, Role
from bot.domain.periods import due_date, period_of, previous_period
from bot.domain.policy import Policy
from bot.services import access
from bot.services.caseload import Facts, iso_week, load_facts, months_back, week_monday
from bot.services.queue import CORRECTIE_GEVRAAGD, flag_line
from bot.storage import repo
from bot.storage.db import Database, Tx
from messages import render

CHAT_LIMIT = 4000  # Telegram allows 4,096; leave room for the channel's own additions
BIG_CHANGE_MIN_CENTS = 25_000  # profit moved at least € 250 ...
BIG_CHANGE_MIN_PCT = 50  # ... and at least half of the month before
CORRECTION_WAIT = timedelta(days=7)
ENDING_DAYS_DEFAULT = 60
HOUR_FLAGS = ("average_over_cap", "year_pace_over_cap")
LOOKBACK_MONTHS = 12


@dataclass(frozen=True)
class Window:
    """The moment a digest describes."""

    week: str
    as_of: datetime

    @property
    def day(self) -> date:
        """The local day of the digest."""
        return to_local(self.as_of).date()


def window_for(policy: Policy, now: datetime, week: str | None = None) -> Window:
    """The digest window: now's week, or the given week's Monday at the digest time."""
    if week is None:
        return Window(iso_week(to_local(now).date()), now)
    monday = week_monday(week)
    moment = datetime.combine(monday, policy.digest.at, tzinfo=AMSTERDAM)
    return Window(week, moment)


def _late(f: Facts, policy: Policy, day: date) -> dict[str, Any] | None:
    first = max(period_of(f.start_date), months_back(period_of(day), LOOKBACK_MONTHS)[0])
    closed = [p for p in months_back(period_of(day), LOOKBACK_MONTHS + 1)[:-1] if p >= first]
    missing = [p for p in closed if p not in f.months and due_date(p, policy.due_day) < day]
    if not missing:
        return None
    days = (day - due_date(missing[0], policy.due_day)).days
    return {"name": f.name, "periods": missing, "days_late": days}


def _hours(f: Facts, policy: Policy, day: date) -> dict[str, Any] | None:
    monday = day - timedelta(days=day.weekday())
    weeks = [iso_week(monday - timedelta(weeks=n)) for n in range(1, policy.rolling_weeks + 1)]
    average = sum(f.weeks.get(w, 0.0) for w in weeks) / len(weeks)
    cap = float(policy.hour_cap_per_week)
    year = f"{monday.isocalendar()[0]:04d}-W"
    done_weeks = max(0, monday.isocalendar()[1] - 1)
    ytd = sum(h for w, h in f.weeks.items() if w.startswith(year) and w < iso_week(monday))
    pace = ytd / done_weeks * 52 if done_weeks >= policy.rolling_weeks else None
    recent = [f.months[p] for p in months_back(period_of(day), 3)[:-1] if p in f.months]
    flags = [fl for m in recent for fl in m.flags if fl.get("code") in HOUR_FLAGS]
    over_pace = pace is not None and pace > float(policy.annual_hour_cap)
    if average <= cap and not over_pace and not flags:
        return None
    return {
        "name": f.name,
        "average": round(average, 1),
        "weeks": policy.rolling_weeks,
        "cap": cap,
        "over_average": average > cap,
        "pace": round(pace) if over_pace and pace is not None else None,
        "annual_cap": float(policy.annual_hour_cap),
        "flags": flags,
    }


def _change(f: Facts, day: date) -> dict[str, Any] | None:
    recent = [p for p in months_back(period_of(day), 3)[:-1] if p in f.months]
    if not recent:
        return None
    latest = f.months[recent[-1]]
    before = f.months.get(previous_period(latest.period))
    if before is None:
        return None
    delta = latest.profit_cents - before.profit_cents
    base = max(abs(before.profit_cents), 1)
    if abs(delta) < BIG_CHANGE_MIN_CENTS or abs(delta) * 100 < BIG_CHANGE_MIN_PCT * base:
        return None
    return {
        "name": f.name,
        "period": latest.period,
        "previous_cents": before.profit_cents,
        "current_cents": latest.profit_cents,
        "up": delta > 0,
    }


def _ending(f: Facts, policy: Policy, day: date) -> dict[str, Any] | None:
    horizon = max(policy.warn_days_before_end, default=ENDING_DAYS_DEFAULT)
    days = (f.trajectory_end - day).days
    if not 0 <= days <= horizon:
        return None
    return {"name": f.name, "end": f.trajectory_end.isoformat(), "days": days}


def _covering(f: Facts, day: date) -> dict[str, Any] | None:
    recent = [p for p in months_back(period_of(day), 3)[:-1] if p in f.months]
    if not recent:
        return None
    run = months_back(recent[-1], 3)
    months = [f.months.get(p) for p in run]
    if any(m is None or m.norm_cents is None or m.profit_cents < m.norm_cents for m in months):
        return None
    shares = [m.share_pct or 0 for m in months if m is not None]
    return {"name": f.name, "periods": run, "average_share": round(sum(shares) / 3)}


def _kpi_share(f: Facts, day: date) -> int | None:
    shares = [
        f.months[p].share_pct
        for p in months_back(period_of(day), 4)[:-1]
        if p in f.months and f.months[p].share_pct is not None
    ]
    return round(sum(s for s in shares if s is not None) / len(shares)) if shares else None


def _row(f: Facts, policy: Policy, day: date, open_items: int) -> dict[str, Any]:
    last = previous_period(period_of(day))
    latest = max(f.months) if f.months else None
    month = f.months.get(latest) if latest else None
    if last in f.months:
        status = "submitted"
    elif due_date(last, policy.due_day) < day:
        status = "late"
    else:
        status = "open"
    monday = day - timedelta(days=day.weekday())
    weeks = [iso_week(monday - timedelta(weeks=n)) for n in range(1, policy.rolling_weeks + 1)]
    return {
        "name": f.name,
        "last_period": last,
        "status": status,
        "period": latest,
        "profit_cents": month.profit_cents if month else None,
        "share_pct": month.share_pct if month else None,
        "kpi_share": _kpi_share(f, day),
        "hours_avg": round(sum(f.weeks.get(w, 0.0) for w in weeks) / len(weeks), 1),
        "open_items": open_items,
        "end": f.trajectory_end.isoformat(),
    }


async def build_digest(
    tx: Tx, policy: Policy, klantmanager: Person, window: Window
) -> dict[str, Any]:
    """Everything the digest shows for this klantmanager's caseloads (as a template context)."""
    viewer = Person(klantmanager.id, klantmanager.name, Role.KLANTMANAGER, klantmanager.locale)
    visible = await access.visible_participants(tx, viewer, window.as_of)
    facts = [
        f for f in await load_facts(tx, policy, [p[0] for p in visible]) if f.status == "active"
    ]
    ids = [f.id for f in facts]
    marks = ", ".join("?" for _ in ids) or "NULL"
    waiting = await tx.all(
        "SELECT q.period, q.updated_at, p.name FROM queue_items q "  # noqa: S608
        f"JOIN people p ON p.id = q.participant_id WHERE q.participant_id IN ({marks}) "
        "AND q.state = ? AND q.updated_at <= ? ORDER BY q.updated_at",
        [*ids, CORRECTIE_GEVRAAGD, utc_iso(window.as_of - CORRECTION_WAIT)],
    )
    open_rows = await tx.all(
        "SELECT participant_id, COUNT(*) AS n FROM queue_items WHERE participant_id IN "  # noqa: S608
        f"({marks}) AND state != 'afgehandeld' GROUP BY participant_id",
        ids,
    )
    open_count = {int(r["participant_id"]): int(r["n"]) for r in open_rows}
    day = window.day
    exceptions: dict[str, list[dict[str, Any]]] = {
        "late": [x for f in facts if (x := _late(f, policy, day))],
        "hours": [x for f in facts if (x := _hours(f, policy, day))],
        "corrections": [
            {
                "name": r["name"],
                "period": r["period"],
                "since": r["updated_at"],
                "days": (window.as_of - parse_utc(r["updated_at"])).days,
            }
            for r in waiting
        ],
        "changes": [x for f in facts if (x := _change(f, day))],
        "ending": [x for f in facts if (x := _ending(f, policy, day))],
        "covering": [x for f in facts if (x := _covering(f, day))],
    }
    rows = [_row(f, policy, day, open_count.get(f.id, 0)) for f in facts]
    reached = sum(1 for r in rows if (r["kpi_share"] or 0) >= policy.kpi_threshold_pct)
    return {
        "klantmanager": klantmanager.name,
        "municipality": policy.municipality,
        "week": window.week,
        "day": day.isoformat(),
        "generated_at": utc_iso(window.as_of),
        "exceptions": exceptions,
        "exception_count": sum(len(v) for v in exceptions.values()),
        "kpi": {
            "threshold": policy.kpi_threshold_pct,
            "reached": reached,
            "total": len(rows),
            "target": policy.kpi_target_participants,
        },
        "rows": rows,
    }


def _localised(digest: dict[str, Any], locale: str) -> dict[str, Any]:
    """The digest with hour flags rendered as lines in `locale`."""
    hours = [
        h | {"flag_lines": [flag_line(f, locale) for f in h["flags"]]}
        for h in digest["exceptions"]["hours"]
    ]
    return digest | {"exceptions": digest["exceptions"] | {"hours": hours}}


def split_parts(text: str, limit: int = CHAT_LIMIT) -> list[str]:
    """Split at blank lines, then at line ends, so every part fits one chat message."""
    parts: list[str] = []
    current = ""
    for block in text.split("\n\n"):
        lines = [block] if len(block) <= limit else block.split("\n")
        for index, piece in enumerate(lines):
            joiner = "\n\n" if index == 0 else "\n"
            candidate = f"{current}{joiner}{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
                continue
            if current:
                parts.append(current)
            current = piece[:limit]
    if current.strip():
        parts.append(current)
    return parts


def render_chat_parts(digest: dict[str, Any], locale: str) -> list[str]:
    """The digest as chat messages (Telegram HTML), each within the chat limit."""
    return split_parts(render("digest/chat", locale, **_localised(digest, locale)))


def render_html(digest: dict[str, Any], locale: str) -> str:
    """The digest as a standalone HTML5 page that prints on A4."""
    return render("digest/page", locale, **_localised(digest, locale)) + "\n"


async def weekly_digests(db: Database, policy: Policy, now: datetime) -> int:
    """Enqueue every klantmanager's digest for now's ISO week, exactly once; returns how many."""
    window = window_for(policy, now)
    async with db.read() as tx:
        rows = await tx.all("SELECT * FROM people WHERE role = ? ORDER BY id", ("klantmanager",))
    sent = 0
    for row in rows:
        klantmanager = repo.person_from_row(row)
        key = f"digest:{klantmanager.id}:{window.week}"
        async with db.transaction() as tx:
            if await tx.scalar("SELECT 1 FROM outbox WHERE dedupe_key = ?", (key,)):
                continue
            digest = await build_digest(tx, policy, klantmanager, window)
            if not digest["rows"]:
                continue
            parts = render_chat_parts(digest, klantmanager.locale)
            for number, part in enumerate(parts):
                inserted = await repo.enqueue(
                    tx,
                    klantmanager.id,
                    "digest/chat_part",
                    now,
                    context={"text": part},
                    dedupe_key=key if number == 0 else f"{key}:{number}",
                )
                if inserted is None:
                    break
                if number == 0:
                    sent += 1
    return sent
