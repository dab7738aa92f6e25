"""Municipal policy as data: loaded from TOML, validated with errors that name the field."""

from __future__ import annotations

import itertools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

from bot.domain.circumstances import ChangeKind, parse_change_kinds
from bot.domain.feestdagen import ALGEMENE_TERMIJNENWET, FEESTDAGEN
from bot.domain.models import LOCALES, Household
from bot.domain.named import missing_names, named_tables
from bot.domain.outcome_kinds import OutcomeKind, parse_outcomes
from bot.domain.push_templates import PushTemplates, TemplateError, parse_templates

HOUR_MODES = ("weekly_strict", "weekly_averaged", "annual")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class PolicyError(ValueError):
    """The policy file is unusable; the message names the field and the problem."""


@dataclass(frozen=True)
class CostCategory:
    """A kind of business cost the municipality recognises."""

    key: str
    names: dict[str, str]
    yearly_cap_cents: int | None = None
    needs_prior_approval: bool = False
    investment: bool = False

    def name(self, locale: str) -> str:
        """The category's name in `locale`, Dutch when missing."""
        return self.names.get(locale) or self.names["nl"]


@dataclass(frozen=True)
class NormRow:
    """Monthly benefit norms per household type, valid from a date."""

    valid_from: date
    cents: dict[Household, int]


@dataclass(frozen=True)
class WeeklyTime:
    """A weekday and a local time, e.g. Sunday 18:00."""

    weekday: int  # Monday = 0
    at: time


@dataclass(frozen=True)
class Policy:
    """Everything a municipality decides; no municipal number lives in code."""

    name: str
    municipality: str
    hour_cap_per_week: Decimal
    hour_mode: str
    rolling_weeks: int
    annual_hour_cap: Decimal
    max_hours_per_week: Decimal
    due_day: int
    feestdagen: tuple[str, ...]  # names in bot.domain.feestdagen.FEESTDAGEN
    amount_ceiling_cents: int
    remind_days_before_due: tuple[int, ...]
    remind_days_after_due: tuple[int, ...]
    escalate_days_after_due: int
    reminder_time: time
    draft_retention_days: int
    investment_cap_cents: int
    investment_needs_prior_approval: bool
    costs: tuple[CostCategory, ...]
    norms: tuple[NormRow, ...]
    kpi_threshold_pct: int
    kpi_target_participants: int
    big_change_cents: int
    big_change_pct: int
    trajectory_months: int
    checkin_months: tuple[int, ...]
    warn_days_before_end: tuple[int, ...]
    quiet_start: time
    quiet_end: time
    hours_checkin: WeeklyTime
    digest: WeeklyTime
    max_pushes_per_day: int
    declarations_retention_years: int
    vrijlating_applies: bool
    whatsapp_templates: PushTemplates = field(default_factory=PushTemplates)
    outcomes: tuple[OutcomeKind, ...] = ()  # how a trajectory can end (issue 17)
    # Changes in circumstances a participant reports with /wijziging (bot/domain/circumstances.py).
    change_kinds: tuple[ChangeKind, ...] = ()

    def change_kind(self, key: str) -> ChangeKind | None:
        """The kind of change with this key."""
        return next((k for k in self.change_kinds if k.key == key), None)

    def cost(self, key: str) -> CostCategory | None:
        """The cost category with this key."""
        return next((c for c in self.costs if c.key == key), None)

    def outcome(self, code: str) -> OutcomeKind | None:
        """The trajectory outcome with this code."""
        return next((o for o in self.outcomes if o.code == code), None)

    def missing_names(self) -> list[str]:
        """The names a participant reads (cost categories, kinds of change) that a language
        lacks: 'costs.inkoop.name.tr'; they are shown in Dutch."""
        sections: dict[str, Mapping[str, Mapping[str, str]]] = {
            "costs": {c.key: c.names for c in self.costs},
            "changes": {k.key: k.names for k in self.change_kinds},
        }
        return missing_names(sections, LOCALES)

    def norm_cents(self, household: Household, on: date) -> int | None:
        """The benefit norm that applies on `on`, or None before the first dated row."""
        applicable = [row for row in self.norms if row.valid_from <= on]
        if not applicable:
            return None
        return applicable[-1].cents[household]


def _get(data: dict[str, Any], path: str, default: Any = ...) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            if default is ...:
                raise PolicyError(f"{path}: missing")
            return default
        node = node[part]
    return node


def _cents(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PolicyError(f"{field}: must be an amount in euros, got {value!r}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise PolicyError(f"{field}: must be an amount in euros, got {value!r}") from None
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise PolicyError(f"{field}: must be ≥ 0 with at most two decimals, got {value!r}")
    return int(amount * 100)


def _int(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PolicyError(f"{field}: must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise PolicyError(f"{field}: must be between {low} and {high}, got {value}")
    return value


def _ints(value: Any, field: str, low: int, high: int) -> tuple[int, ...]:
    if not isinstance(value, list):
        raise PolicyError(f"{field}: must be a list of whole numbers, got {value!r}")
    return tuple(_int(v, f"{field}[{i}]", low, high) for i, v in enumerate(value))


def _hours(value: Any, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PolicyError(f"{field}: must be a number of hours, got {value!r}")
    if not 0 < value <= 168 * 53:
        raise PolicyError(f"{field}: must be a positive number of hours, got {value}")
    return Decimal(str(value))


def _time(value: Any, field: str) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise PolicyError(f"{field}: must be a time like 09:00, got {value!r}") from None


def _weekly(value: Any, field: str) -> WeeklyTime:
    parts = str(value).split()
    if len(parts) != 2 or parts[0].lower() not in WEEKDAYS:
        raise PolicyError(f"{field}: must look like 'sun 18:00', got {value!r}")
    return WeeklyTime(WEEKDAYS.index(parts[0].lower()), _time(parts[1], field))


def _bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise PolicyError(f"{field}: must be true or false, got {value!r}")
    return value


def _feestdagen(value: Any, field: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise PolicyError(f"{field}: must be a list of feestdag names, got {value!r}")
    known = ", ".join(FEESTDAGEN)
    for i, name in enumerate(value):
        if not isinstance(name, str) or name not in FEESTDAGEN:
            raise PolicyError(f"{field}[{i}]: unknown feestdag {name!r}; known: {known}")
        if name in value[:i]:
            raise PolicyError(f"{field}[{i}]: {name!r} appears twice")
    return tuple(value)


def _costs(raw: Any) -> tuple[CostCategory, ...]:
    if not isinstance(raw, list) or not raw:
        raise PolicyError("costs: at least one cost category is needed")
    result = []
    try:
        tables = list(named_tables(raw, "costs"))
    except ValueError as exc:
        raise PolicyError(str(exc)) from None
    for where, item, key, names in tables:
        cap = item.get("yearly_cap")
        result.append(
            CostCategory(
                key=key,
                names=names,
                yearly_cap_cents=None if cap is None else _cents(cap, f"{where}.yearly_cap"),
                needs_prior_approval=_bool(
                    item.get("needs_prior_approval", False), f"{where}.needs_prior_approval"
                ),
                investment=_bool(item.get("investment", False), f"{where}.investment"),
            )
        )
    return tuple(result)


def _norms(raw: Any) -> tuple[NormRow, ...]:
    if not isinstance(raw, list) or not raw:
        raise PolicyError("norms: at least one dated row of benefit norms is needed")
    rows = []
    for i, item in enumerate(raw):
        field = f"norms[{i}]"
        if not isinstance(item, dict):
            raise PolicyError(f"{field}: must be a table")
        valid_from = item.get("valid_from")
        if not isinstance(valid_from, date):
            raise PolicyError(f"{field}.valid_from: must be a date like 2026-01-01")
        cents = {}
        for household in Household:
            if household.value not in item:
                raise PolicyError(f"{field}.{household.value}: missing")
            cents[household] = _cents(item[household.value], f"{field}.{household.value}")
        rows.append(NormRow(valid_from, cents))
    rows.sort(key=lambda r: r.valid_from)
    for a, b in itertools.pairwise(rows):
        if a.valid_from == b.valid_from:
            raise PolicyError(f"norms: two rows valid from {a.valid_from}")
    return tuple(rows)


def parse_policy(data: dict[str, Any]) -> Policy:
    """Validate a parsed TOML document into a Policy."""
    mode = _get(data, "hours.mode")
    if mode not in HOUR_MODES:
        raise PolicyError(f"hours.mode: must be one of {', '.join(HOUR_MODES)}, got {mode!r}")
    costs = _costs(data.get("costs"))
    for category in costs:
        for locale in category.names:
            if locale not in LOCALES:
                raise PolicyError(f"costs.{category.key}.name: unknown language {locale!r}")
    return Policy(
        name=str(_get(data, "name", "PTO")),
        municipality=str(_get(data, "municipality", "")),
        hour_cap_per_week=_hours(_get(data, "hours.cap_per_week"), "hours.cap_per_week"),
        hour_mode=mode,
        rolling_weeks=_int(_get(data, "hours.rolling_weeks", 4), "hours.rolling_weeks", 1, 13),
        annual_hour_cap=_hours(_get(data, "hours.annual_cap"), "hours.annual_cap"),
        max_hours_per_week=_hours(_get(data, "hours.max_per_week", 80), "hours.max_per_week"),
        due_day=_int(_get(data, "declaration.due_day"), "declaration.due_day", 1, 28),
        feestdagen=_feestdagen(
            _get(data, "deadline.feestdagen", list(ALGEMENE_TERMIJNENWET)), "deadline.feestdagen"
        ),
        amount_ceiling_cents=_cents(
            _get(data, "declaration.amount_ceiling"), "declaration.amount_ceiling"
        ),
        remind_days_before_due=_ints(
            _get(data, "declaration.remind_days_before_due", [3, 1, 0]),
            "declaration.remind_days_before_due",
            0,
            27,
        ),
        remind_days_after_due=_ints(
            _get(data, "declaration.remind_days_after_due", [5]),
            "declaration.remind_days_after_due",
            1,
            27,
        ),
        escalate_days_after_due=_int(
            _get(data, "declaration.escalate_days_after_due", 1),
            "declaration.escalate_days_after_due",
            0,
            27,
        ),
        reminder_time=_time(
            _get(data, "declaration.reminder_time", "09:00"), "declaration.reminder_time"
        ),
        draft_retention_days=_int(
            _get(data, "declaration.draft_retention_days", 30),
            "declaration.draft_retention_days",
            1,
            3650,
        ),
        investment_cap_cents=_cents(_get(data, "investment.cap"), "investment.cap"),
        investment_needs_prior_approval=_bool(
            _get(data, "investment.needs_prior_approval", True),
            "investment.needs_prior_approval",
        ),
        costs=costs,
        norms=_norms(data.get("norms")),
        kpi_threshold_pct=_int(_get(data, "kpi.threshold_pct"), "kpi.threshold_pct", 1, 100),
        kpi_target_participants=_int(
            _get(data, "kpi.target_participants", 0), "kpi.target_participants", 0, 10**6
        ),
        big_change_cents=_cents(
            _get(data, "digest.big_change_amount", 250), "digest.big_change_amount"
        ),
        big_change_pct=_int(
            _get(data, "digest.big_change_pct", 50), "digest.big_change_pct", 0, 1000
        ),
        trajectory_months=_int(_get(data, "trajectory.months"), "trajectory.months", 1, 120),
        checkin_months=_ints(
            _get(data, "trajectory.checkin_months", []), "trajectory.checkin_months", 1, 120
        ),
        warn_days_before_end=_ints(
            _get(data, "trajectory.warn_days_before_end", []),
            "trajectory.warn_days_before_end",
            1,
            365,
        ),
        quiet_start=_time(_get(data, "quiet_hours.start"), "quiet_hours.start"),
        quiet_end=_time(_get(data, "quiet_hours.end"), "quiet_hours.end"),
        hours_checkin=_weekly(_get(data, "schedule.hours_checkin"), "schedule.hours_checkin"),
        digest=_weekly(_get(data, "schedule.digest"), "schedule.digest"),
        max_pushes_per_day=_int(
            _get(data, "schedule.max_pushes_per_day", 1), "schedule.max_pushes_per_day", 1, 10
        ),
        declarations_retention_years=_int(
            _get(data, "retention.declarations_years", 10), "retention.declarations_years", 1, 50
        ),
        vrijlating_applies=_bool(_get(data, "vrijlating.applies", False), "vrijlating.applies"),
        whatsapp_templates=_templates(data.get("whatsapp_templates")),
        outcomes=_outcomes(data.get("outcomes")),
        change_kinds=_change_kinds(data.get("changes")),
    )


def _outcomes(raw: Any) -> tuple[OutcomeKind, ...]:
    try:
        return parse_outcomes(raw)
    except ValueError as exc:
        raise PolicyError(str(exc)) from None


def _change_kinds(raw: Any) -> tuple[ChangeKind, ...]:
    try:
        return parse_change_kinds(raw)
    except ValueError as exc:
        raise PolicyError(str(exc)) from None


def _templates(raw: Any) -> PushTemplates:
    try:
        return parse_templates(raw, LOCALES)
    except TemplateError as exc:
        raise PolicyError(str(exc)) from None


def default_policy_text() -> str:
    """The TOML text of the shipped default policy."""
    return resources.files("bot.domain").joinpath("default_policy.toml").read_text("utf-8")


def load_policy(path: Path | None = None) -> Policy:
    """Load and validate the policy at `path`, or the shipped default."""
    if path is None:
        text, where = default_policy_text(), "default policy"
    else:
        try:
            text, where = path.read_text(encoding="utf-8"), str(path)
        except OSError as exc:
            raise PolicyError(f"PTO_POLICY: cannot read {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{where}: not valid TOML: {exc}") from None
    try:
        return parse_policy(data)
    except PolicyError as exc:
        raise PolicyError(f"{where}: {exc}") from None
