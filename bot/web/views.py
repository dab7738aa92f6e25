"""View models of the inbox: ages, versions side by side, and the participant's chart.

The chart is an inline SVG drawn on the server: profit per month as bars (negative below the
axis) and hours per month as a line with dots, on two scales, with a text alternative.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.domain.localtime import local_day
from bot.services.inbox import Version

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 48, 16, 36


def age_days(created: datetime, now: datetime) -> int:
    """Whole days an item has waited (Amsterdam days)."""
    return max(0, (local_day(now) - local_day(created)).days)


def version_rows(versions: Sequence[Version]) -> dict[str, Any]:
    """The versions of a month as columns, the changed fields of each marked."""
    columns: list[dict[str, Any]] = []
    for v in versions:
        figures = v.figures.data() | {"flags": [dict(f) for f in v.figures.flags]}
        changed = {c["field"] for c in v.changes}
        changed_keys = {(c["field"], c["key"]) for c in v.changes}
        columns.append(
            {
                "decl": figures,
                "changes": list(v.changes),
                "changed": sorted(changed),
                "changed_costs": sorted(k or "" for f, k in changed_keys if f == "cost"),
                "changed_weeks": sorted(k or "" for f, k in changed_keys if f == "hours"),
            }
        )
    categories: list[dict[str, Any]] = []
    seen: set[str] = set()
    weeks: set[str] = set()
    for column in columns:
        for cost in column["decl"]["costs"]:
            if cost["category"] not in seen:
                seen.add(cost["category"])
                categories.append(dict(cost))
        weeks.update(w["week"] for w in column["decl"]["weeks"])
        column["cost_of"] = {c["category"]: c["amount_cents"] for c in column["decl"]["costs"]}
        column["hours_of"] = {w["week"]: w["hours"] for w in column["decl"]["weeks"]}
    return {"columns": columns, "categories": categories, "weeks": sorted(weeks)}


def _scale(values: Sequence[float], floor_zero: bool = True) -> tuple[float, float]:
    low = min([0.0, *values]) if floor_zero else min(values)
    high = max([1.0, *values])
    return low, high


def chart(months: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """Coordinates for the SVG: a bar of profit and a dot of hours per month."""
    if not months:
        return None
    profits = [m["profit_cents"] / 100 for m in months]
    hours = [float(m["hours"]) for m in months]
    low, high = _scale(profits)
    hours_high = max([1.0, *hours])
    inner_w = WIDTH - LEFT - RIGHT
    inner_h = HEIGHT - TOP - BOTTOM
    step = inner_w / len(months)

    def y_money(value: float) -> float:
        return TOP + inner_h * (high - value) / (high - low)

    def y_hours(value: float) -> float:
        return TOP + inner_h * (hours_high - value) / hours_high

    zero = y_money(0)
    bars, points = [], []
    for index, (m, profit, hour) in enumerate(zip(months, profits, hours, strict=True)):
        x = LEFT + step * index
        top = min(zero, y_money(profit))
        bars.append(
            {
                "x": round(x + step * 0.2, 1),
                "y": round(top, 1),
                "w": round(step * 0.6, 1),
                "h": round(max(abs(zero - y_money(profit)), 1), 1),
                "negative": profit < 0,
                "period": m["period"],
                "label_x": round(x + step / 2, 1),
            }
        )
        points.append({"x": round(x + step / 2, 1), "y": round(y_hours(hour), 1), "hours": hour})
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
        "zero": round(zero, 1),
        "money_high": int(high * 100),
        "money_low": int(low * 100),
        "hours_high": hours_high,
        "bars": bars,
        "points": points,
        "line": " ".join(f"{p['x']},{p['y']}" for p in points),
        "months": [asdict_safe(m) for m in months],
    }


def asdict_safe(month: dict[str, Any]) -> dict[str, Any]:
    """A month as the chart's text alternative reads it."""
    return {k: month[k] for k in ("period", "profit_cents", "hours")}


__all__ = ["age_days", "chart", "version_rows"]
