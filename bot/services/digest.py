"""The klantmanager's weekly digest: exceptions first, then the KPI, then a table per participant.

Entry point for the scheduler (the Monday job):

    async def weekly_digests(db: Database, policy: Policy, now: datetime) -> int

It enqueues each klantmanager's chat digest (split to fit Telegram's 4,096 characters) into the
outbox, exactly once per klantmanager and ISO week (dedupe_key f"digest:{km_id}:{iso_week}"), and
returns how many klantmanagers got one. A re-run in the same week does nothing.

`build_digest` gathers the figures for one klantmanager (own caseload plus delegated caseloads);
`render_chat_parts` and `render_html` turn them into chat messages or a standalone A4 page.
Heuristics that are not municipal policy (what counts as a big change) are constants below.

Speed (issue 6, P4): `weekly_digests` works through the klantmanagers in batches of
`BATCH_KLANTMANAGERS`. Per batch, one short read (a few set-based queries in the database thread)
loads every caseload of the batch, the digests are computed and rendered on the event loop (which
yields between klantmanagers, so other chats keep getting answers), and one short write stores all
their chat parts with executemany. The database is never held while computing or rendering. The
templates are rendered in an overlay of the message environment whose Babel filters are memoised
(and money is formatted without Babel's pattern machinery); `tests/unit/test_digest_batched.py`
shows the text is the same as the one-klantmanager path with the plain environment.
"""

from __future__ import annotations

import asyncio
import gc
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache, partial
from itertools import chain
from operator import itemgetter
from typing import Any

from jinja2 import Environment, TemplateNotFound

from bot.clock import AMSTERDAM, parse_utc, to_local, utc_iso
from bot.domain.models import Person, Role
from bot.domain.periods import due_date, period_of, previous_period
from bot.domain.policy import Policy
from bot.services import access
from bot.services.caseload import (
    FactRows,
    Facts,
    iso_week,
    load_caseload_rows,
    load_facts,
    months_back,
    week_monday,
)
from bot.services.queue import CORRECTIE_GEVRAAGD
from bot.storage import people
from bot.storage.unit import Database, Tx
from messages.flags import flag_line
from messages.render import DEFAULT_LOCALE, LOCALES, environment

CHAT_LIMIT = 4000  # Telegram allows 4,096; leave room for the channel's own additions
CORRECTION_WAIT = timedelta(days=7)
ENDING_DAYS_DEFAULT = 60
HOUR_FLAGS = ("average_over_cap", "year_pace_over_cap")
LOOKBACK_MONTHS = 12
BATCH_KLANTMANAGERS = 25  # per database round trip: ~1,250 participants, tens of ms of SQLite


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


@lru_cache(maxsize=256)
def _due(period: str, due_day: int) -> date:
    return due_date(period, due_day)


@lru_cache(maxsize=256)
def _back(period: str, count: int) -> tuple[str, ...]:
    return tuple(months_back(period, count))


@dataclass(frozen=True)
class _Calendar:
    """The periods and weeks every participant's figures are measured against on one day."""

    day: date
    due_day: int
    closed: tuple[str, ...]  # the closed months of the look-back, oldest first
    lookback_first: str
    recent: tuple[str, ...]  # the two months before this one
    kpi_periods: tuple[str, ...]  # the three months before this one
    last: str  # the month before this one
    last_late: bool  # its deadline has passed
    rolling: tuple[str, ...]  # the last `rolling_weeks` ISO weeks before this one, newest first
    year: str  # 'YYYY-W' of this ISO year
    this_week: str
    done_weeks: int
    since_week: str  # the oldest week any figure uses

    @classmethod
    def of(cls, policy: Policy, day: date) -> _Calendar:
        """Everything that depends on the day only, computed once per digest run."""
        period = period_of(day)
        monday = day - timedelta(days=day.weekday())
        rolling = tuple(
            iso_week(monday - timedelta(weeks=n)) for n in range(1, policy.rolling_weeks + 1)
        )
        year = f"{monday.isocalendar()[0]:04d}-W"
        last = previous_period(period)
        return cls(
            day=day,
            due_day=policy.due_day,
            closed=_back(period, LOOKBACK_MONTHS + 1)[:-1],
            lookback_first=_back(period, LOOKBACK_MONTHS)[0],
            recent=_back(period, 3)[:-1],
            kpi_periods=_back(period, 4)[:-1],
            last=last,
            last_late=_due(last, policy.due_day) < day,
            rolling=rolling,
            year=year,
            this_week=iso_week(monday),
            done_weeks=max(0, monday.isocalendar()[1] - 1),
            since_week=min((*rolling, year)),
        )

    @property
    def since_period(self) -> str:
        """The oldest month any figure uses (each participant's newest month comes too)."""
        return _back(period_of(self.day), LOOKBACK_MONTHS + 1)[0]


def _late(f: Facts, cal: _Calendar) -> dict[str, Any] | None:
    first = max(period_of(f.start_date), cal.lookback_first)
    missing = [
        p
        for p in cal.closed
        if p >= first and p not in f.months and _due(p, cal.due_day) < cal.day
    ]
    if not missing:
        return None
    days = (cal.day - _due(missing[0], cal.due_day)).days
    return {"name": f.name, "periods": missing, "days_late": days}


def _average(f: Facts, cal: _Calendar) -> float:
    return sum(f.weeks.get(w, 0.0) for w in cal.rolling) / len(cal.rolling)


def _hours(
    f: Facts, policy: Policy, cal: _Calendar, average: float, recent: list[str]
) -> dict[str, Any] | None:
    cap = float(policy.hour_cap_per_week)
    ytd = sum(h for w, h in f.weeks.items() if w.startswith(cal.year) and w < cal.this_week)
    pace = ytd / cal.done_weeks * 52 if cal.done_weeks >= policy.rolling_weeks else None
    flags = [fl for p in recent for fl in f.months[p].flags if fl.get("code") in HOUR_FLAGS]
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


def _change(f: Facts, policy: Policy, recent: list[str]) -> dict[str, Any] | None:
    if not recent:
        return None
    latest = f.months[recent[-1]]
    before = f.months.get(previous_period(latest.period))
    if before is None:
        return None
    delta = latest.profit_cents - before.profit_cents
    base = max(abs(before.profit_cents), 1)
    if abs(delta) < policy.big_change_cents or abs(delta) * 100 < policy.big_change_pct * base:
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


def _covering(f: Facts, recent: list[str]) -> dict[str, Any] | None:
    if not recent:
        return None
    run = list(_back(recent[-1], 3))
    months = [f.months.get(p) for p in run]
    if any(m is None or m.norm_cents is None or m.profit_cents < m.norm_cents for m in months):
        return None
    shares = [m.share_pct or 0 for m in months if m is not None]
    return {"name": f.name, "periods": run, "average_share": round(sum(shares) / 3)}


def _kpi_share(f: Facts, cal: _Calendar) -> int | None:
    shares = [
        share
        for p in cal.kpi_periods
        if (m := f.months.get(p)) is not None and (share := m.share_pct) is not None
    ]
    return round(sum(shares) / len(shares)) if shares else None


def _row(f: Facts, cal: _Calendar, open_items: int, average: float) -> dict[str, Any]:
    last = cal.last
    latest = max(f.months) if f.months else None
    month = f.months.get(latest) if latest else None
    if last in f.months:
        status = "submitted"
    elif cal.last_late:
        status = "late"
    else:
        status = "open"
    return {
        "name": f.name,
        "last_period": last,
        "status": status,
        "period": latest,
        "profit_cents": month.profit_cents if month else None,
        "share_pct": month.share_pct if month else None,
        "kpi_share": _kpi_share(f, cal),
        "hours_avg": round(average, 1),
        "open_items": open_items,
        "end": f.trajectory_end.isoformat(),
    }


@dataclass(frozen=True)
class _Waiting:
    """A correction request waiting on the participant."""

    participant_id: int
    name: str
    period: str
    updated_at: str


def _waiting(row: Any) -> _Waiting:
    return _Waiting(int(row["participant_id"]), row["name"], row["period"], row["updated_at"])


def _assemble(
    policy: Policy,
    klantmanager: Person,
    window: Window,
    cal: _Calendar,
    facts: Sequence[Facts],
    waiting: Iterable[_Waiting],
    open_count: dict[int, int],
) -> dict[str, Any]:
    """The digest's template context from the caseload's active participants (by name)."""
    day = cal.day
    late: list[dict[str, Any]] = []
    hours: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    ending: list[dict[str, Any]] = []
    covering: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for f in facts:  # one pass; each list keeps the participants' order (by name)
        average = _average(f, cal)
        recent = [p for p in cal.recent if p in f.months]
        if x := _late(f, cal):
            late.append(x)
        if x := _hours(f, policy, cal, average, recent):
            hours.append(x)
        if x := _change(f, policy, recent):
            changes.append(x)
        if x := _ending(f, policy, day):
            ending.append(x)
        if x := _covering(f, recent):
            covering.append(x)
        rows.append(_row(f, cal, open_count.get(f.id, 0), average))
    exceptions: dict[str, list[dict[str, Any]]] = {
        "late": late,
        "hours": hours,
        "corrections": [
            {
                "name": w.name,
                "period": w.period,
                "since": w.updated_at,
                "days": (window.as_of - parse_utc(w.updated_at)).days,
            }
            for w in waiting
        ],
        "changes": changes,
        "ending": ending,
        "covering": covering,
    }
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


async def build_digest(
    tx: Tx, policy: Policy, klantmanager: Person, window: Window
) -> dict[str, Any]:
    """Everything the digest shows for this klantmanager's caseloads (as a template context).

    The one-klantmanager path (`ptobot digest`): it reads through the access checks and the full
    participant facts; `weekly_digests` reaches the same figures with set-based batch queries.
    """
    viewer = Person(klantmanager.id, klantmanager.name, Role.KLANTMANAGER, klantmanager.locale)
    visible = await access.visible_participants(tx, viewer, window.as_of)
    facts = [
        f for f in await load_facts(tx, policy, [p[0] for p in visible]) if f.status == "active"
    ]
    ids = [f.id for f in facts]
    marks = ", ".join("?" for _ in ids) or "NULL"
    waiting = await tx.all(
        "SELECT q.participant_id, q.period, q.updated_at, p.name FROM queue_items q "  # noqa: S608
        f"JOIN people p ON p.id = q.participant_id WHERE q.participant_id IN ({marks}) "
        "AND q.state = ? AND q.updated_at <= ? ORDER BY q.updated_at, q.id",
        [*ids, CORRECTIE_GEVRAAGD, utc_iso(window.as_of - CORRECTION_WAIT)],
    )
    open_rows = await tx.all(
        "SELECT participant_id, COUNT(*) AS n FROM queue_items WHERE participant_id IN "  # noqa: S608
        f"({marks}) AND state != 'afgehandeld' GROUP BY participant_id",
        ids,
    )
    open_count = {int(r["participant_id"]): int(r["n"]) for r in open_rows}
    return _assemble(
        policy,
        klantmanager,
        window,
        _Calendar.of(policy, window.day),
        facts,
        [_waiting(r) for r in waiting],
        open_count,
    )


class _Fields:
    """A dict's entries as attributes: what the templates read, without Jinja's detour of a
    failed getattr before the item lookup (no key of the digest is a dict method's name)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _localised(digest: dict[str, Any], locale: str) -> dict[str, Any]:
    """The digest with hour flags rendered as lines in `locale`, ready for the templates."""
    exceptions = {
        kind: [_Fields(x) for x in found] for kind, found in digest["exceptions"].items()
    }
    exceptions["hours"] = [
        _Fields(h | {"flag_lines": [flag_line(f, locale) for f in h["flags"]]})
        for h in digest["exceptions"]["hours"]
    ]
    return digest | {
        "exceptions": _Fields(exceptions),
        "kpi": _Fields(digest["kpi"]),
        "rows": [_Fields(r) for r in digest["rows"]],
    }


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


_MONEY_PROBE = re.compile(r"(\D*)1(?P<group>\D+)234(?P=group)567(\D+)89(\D*)")
_MONEY_CHECKS = (0, 1, 9, 10, 99, 100, 101, 999, 1000, 99_999, 100_000, 123_456, 1_234_567, 10**12)
_MEMO_LIMIT = 20_000
_EXACT = frozenset({str, int, type(None)})  # equal values of these types format the same


def _fast_money(babel_money: Callable[..., str]) -> Callable[..., str]:
    """The `money` filter for whole cents without Babel's per-call pattern work.

    The locale's prefix, separators and suffix are read from what Babel itself makes of a probe,
    and the result is checked against Babel on a range of amounts; anything unusual (or a locale
    whose pattern does not fit) goes to Babel.
    """
    found = [_MONEY_PROBE.fullmatch(babel_money(sign * 123_456_789)) for sign in (1, -1)]
    positive, negative = found
    if positive is None or negative is None:
        return babel_money
    if positive.group(2, 3) != negative.group(2, 3):
        return babel_money
    group, decimal = positive.group(2), positive.group(3)
    shapes = {1: positive.group(1, 4), -1: negative.group(1, 4)}

    def money(cents: Any = None, *args: Any, **kwargs: Any) -> str:
        if type(cents) is not int or args or kwargs:
            return babel_money(cents, *args, **kwargs)
        prefix, suffix = shapes[1 if cents >= 0 else -1]
        whole, rest = divmod(abs(cents), 100)
        return f"{prefix}{whole:,}".replace(",", group) + f"{decimal}{rest:02d}{suffix}"

    if any(money(sign * v) != babel_money(sign * v) for v in _MONEY_CHECKS for sign in (1, -1)):
        return babel_money
    return money


def _memoised(fn: Callable[..., str]) -> Callable[..., str]:
    """A filter that formats each distinct value once.

    Keys hold the type, and the repr where equal values may print differently (1.0 and -0.0 are
    not 1 and 0; Decimal('1.0') is not Decimal('1')).
    """
    memo: dict[tuple[Any, ...], str] = {}

    def memo_filter(*args: Any, **kwargs: Any) -> str:
        if kwargs:
            return fn(*args, **kwargs)
        key: tuple[Any, ...]
        if len(args) == 1:
            kind = args[0].__class__
            key = (kind, args[0] if kind in _EXACT else repr(args[0]))
        else:
            key = tuple((a.__class__, a if a.__class__ in _EXACT else repr(a)) for a in args)
        found = memo.get(key)
        if found is None:
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            found = memo[key] = fn(*args)
        return found

    return memo_filter


@lru_cache(maxsize=len(LOCALES))
def _environment(locale: str) -> Environment:
    """The message environment of `locale` with memoised Babel filters (same text, less CPU)."""
    base = environment(locale)
    env = base.overlay(cache_size=64)  # its own template cache: templates bind their filters
    env.filters = dict(base.filters)
    for name in ("date", "moment", "month", "pct", "number"):
        env.filters[name] = _memoised(base.filters[name])
    env.filters["money"] = _fast_money(base.filters["money"])
    return env


def _render(key: str, locale: str, context: dict[str, Any]) -> str:
    """`messages.render(key, locale, **context)`, through the memoised environment."""
    if locale not in LOCALES:
        locale = DEFAULT_LOCALE
    try:
        template = _environment(locale).get_template(f"{key}.j2")
    except TemplateNotFound:
        if locale == DEFAULT_LOCALE:
            raise
        template = _environment(DEFAULT_LOCALE).get_template(f"{key}.j2")
    return template.render(**context).strip()


def render_chat_parts(digest: dict[str, Any], locale: str) -> list[str]:
    """The digest as chat messages (Telegram HTML), each within the chat limit."""
    return split_parts(_render("digest/chat", locale, _localised(digest, locale)))


def render_html(digest: dict[str, Any], locale: str) -> str:
    """The digest as a standalone HTML5 page that prints on A4."""
    return _render("digest/page", locale, _localised(digest, locale)) + "\n"


def _key(klantmanager_id: int, week: str) -> str:
    return f"digest:{klantmanager_id}:{week}"


@dataclass
class _Batch:
    """One batch of klantmanagers (by id) and the facts of all the caseloads they work on."""

    last_id: int | None = None  # the highest klantmanager id looked at; None when none were left
    todo: list[Person] = field(default_factory=list)  # those without this week's digest yet
    owners: dict[int, list[int]] = field(default_factory=dict)  # whose caseloads each works on
    rows: FactRows = field(default_factory=lambda: FactRows([], [], []))
    waiting: list[_Waiting] = field(default_factory=list)  # corrections, oldest first
    open_count: dict[int, int] = field(default_factory=dict)
    _by_owner: dict[int, list[tuple[int, Facts]]] = field(default_factory=dict)

    def make_facts(self, policy: Policy) -> None:
        """Turn the rows into the active participants' Facts, by owner (outside the database)."""
        self._by_owner = {}
        for index, f in enumerate(self.rows.facts(policy)):
            if f.status == "active" and f.klantmanager_id is not None:
                self._by_owner.setdefault(f.klantmanager_id, []).append((index, f))

    def caseload(self, klantmanager_id: int) -> tuple[list[Facts], list[_Waiting]]:
        """One klantmanager's active participants (by name) and corrections (oldest first)."""
        owners = self.owners[klantmanager_id]
        found = [self._by_owner.get(owner, []) for owner in owners]
        if len(found) > 1:
            found = [sorted(chain.from_iterable(found), key=itemgetter(0))]
        facts = [f for _, f in found[0]]
        if not self.waiting:
            return facts, []
        ids = {f.id for f in facts}
        return facts, [w for w in self.waiting if w.participant_id in ids]


async def _load_batch(tx: Tx, window: Window, cal: _Calendar, after_id: int, size: int) -> _Batch:
    """The next `size` klantmanagers after `after_id` and their caseloads, set-based."""
    rows = await tx.all(
        "SELECT * FROM people WHERE role = ? AND id > ? ORDER BY id LIMIT ?",
        ("klantmanager", after_id, size),
    )
    if not rows:
        return _Batch()
    klantmanagers = [people.person_from_row(r) for r in rows]
    batch = _Batch(last_id=klantmanagers[-1].id)
    keys = [_key(p.id, window.week) for p in klantmanagers]
    marks = ", ".join("?" for _ in keys)
    done = await tx.all(
        f"SELECT dedupe_key FROM outbox WHERE dedupe_key IN ({marks})",  # noqa: S608
        keys,
    )
    sent = {r["dedupe_key"] for r in done}
    batch.todo = [p for p, key in zip(klantmanagers, keys, strict=True) if key not in sent]
    if not batch.todo:
        return batch
    ids = [p.id for p in batch.todo]
    marks = ", ".join("?" for _ in ids)
    delegated = await tx.all(
        "SELECT to_id, from_id FROM delegations WHERE to_id IN "  # noqa: S608
        f"({marks}) AND until >= ? ORDER BY to_id, from_id",
        [*ids, access.local_day(window.as_of).isoformat()],
    )
    batch.owners = {i: [i] for i in ids}
    for r in delegated:
        batch.owners[int(r["to_id"])].append(int(r["from_id"]))
    owners = sorted({o for found in batch.owners.values() for o in found})
    batch.rows = await load_caseload_rows(tx, owners, cal.since_period, cal.since_week)
    marks = ", ".join("?" for _ in owners)
    waiting = await tx.all(
        "SELECT q.participant_id, q.period, q.updated_at, p.name "  # noqa: S608
        "FROM participants pa JOIN queue_items q ON q.participant_id = pa.person_id "
        f"JOIN people p ON p.id = q.participant_id WHERE pa.klantmanager_id IN ({marks}) "
        "AND q.state = ? AND q.updated_at <= ? ORDER BY q.updated_at, q.id",
        [*owners, CORRECTIE_GEVRAAGD, utc_iso(window.as_of - CORRECTION_WAIT)],
    )
    batch.waiting = [_waiting(r) for r in waiting]
    open_rows = await tx.all(
        "SELECT q.participant_id, COUNT(*) AS n FROM participants pa "  # noqa: S608
        "JOIN queue_items q ON q.participant_id = pa.person_id "
        f"WHERE pa.klantmanager_id IN ({marks}) AND q.state != 'afgehandeld' "
        "GROUP BY q.participant_id",
        owners,
    )
    batch.open_count = {int(r["participant_id"]): int(r["n"]) for r in open_rows}
    return batch


_OUTBOX_INSERT = (
    "INSERT OR IGNORE INTO outbox (person_id, dedupe_key, message_key, context, buttons, "
    "attachment, created_at, not_before) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


def _outbox_rows(
    klantmanager_id: int, key: str, parts: list[str], now: datetime
) -> list[tuple[Any, ...]]:
    """The chat parts as outbox rows, the same as `outbox.enqueue` writes them."""
    at = utc_iso(now)
    return [
        (
            klantmanager_id,
            key if number == 0 else f"{key}:{number}",
            "digest/chat_part",
            json.dumps({"text": part}),
            "[]",
            None,
            at,
            at,
        )
        for number, part in enumerate(parts)
    ]


async def _store(tx: Tx, digests: list[tuple[str, list[tuple[Any, ...]]]]) -> int:
    """Write the digests not queued yet (checked again inside this transaction); how many."""
    marks = ", ".join("?" for _ in digests)
    done = await tx.all(
        f"SELECT dedupe_key FROM outbox WHERE dedupe_key IN ({marks})",  # noqa: S608
        [key for key, _ in digests],
    )
    sent = {r["dedupe_key"] for r in done}
    fresh = [rows for key, rows in digests if key not in sent]
    await tx.executemany(_OUTBOX_INSERT, chain.from_iterable(fresh))
    return len(fresh)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while one batch is worked on.

    A batch keeps ~50,000 small objects alive (rows, facts, months) until it ends, and the
    collector would walk them again and again (a tenth to a quarter of the P4 benchmark).
    Nothing here makes reference cycles, so reference counting frees it all; the collector is
    back as it was at the end of the batch, well within a second.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


async def weekly_digests(
    db: Database, policy: Policy, now: datetime, *, batch_size: int = BATCH_KLANTMANAGERS
) -> int:
    """Enqueue every klantmanager's digest for now's ISO week, exactly once; returns how many."""
    window = window_for(policy, now)
    cal = _Calendar.of(policy, window.day)
    sent = 0
    after: int | None = 0
    while after is not None:
        with _collector_paused():
            after, count = await _next_batch(db, policy, now, window, cal, after, batch_size)
        sent += count
    return sent


async def _next_batch(
    db: Database,
    policy: Policy,
    now: datetime,
    window: Window,
    cal: _Calendar,
    after: int,
    size: int,
) -> tuple[int | None, int]:
    """Digest the next batch of klantmanagers: (the last id looked at, None when done; sent).

    One read and one write round trip to the database; between klantmanagers the event loop
    serves other chats.
    """
    load = partial(_load_batch, window=window, cal=cal, after_id=after, size=size)
    batch = await db.run(load)
    if batch.last_id is None:
        return None, 0
    batch.make_facts(policy)
    digests: list[tuple[str, list[tuple[Any, ...]]]] = []
    for klantmanager in batch.todo:
        facts, waiting = batch.caseload(klantmanager.id)
        if not facts:
            continue
        figures = _assemble(policy, klantmanager, window, cal, facts, waiting, batch.open_count)
        parts = render_chat_parts(figures, klantmanager.locale)
        key = _key(klantmanager.id, window.week)
        digests.append((key, _outbox_rows(klantmanager.id, key, parts, now)))
        await asyncio.sleep(0)  # let other chats in between klantmanagers
    if not digests:
        return batch.last_id, 0
    return batch.last_id, await db.run(partial(_store, digests=digests))
