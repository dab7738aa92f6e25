"""What every benchmark shares: results, the machine, the table and the JSON file."""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import telegram

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
TOKEN = "123456:BENCH-token-not-secret"  # noqa: S105 - the fake accepts only this


@dataclass
class Result:
    """One measured number, its target and whether it was met (None: no target or not measured)."""

    id: str
    name: str
    value: float | None
    unit: str
    target: str = ""
    met: bool | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def shown(self) -> str:
        """The value for the table."""
        if self.value is None:
            return "n/a"
        if abs(self.value) >= 100:
            return f"{self.value:,.0f} {self.unit}".strip()
        if abs(self.value) >= 10:
            return f"{self.value:.1f} {self.unit}".strip()
        return f"{self.value:.2f} {self.unit}".strip()


def unavailable(id_: str, name: str, why: str, target: str = "") -> Result:
    """A measurement that could not be taken (a feature is missing)."""
    return Result(id_, name, None, "", target, None, f"not available: {why}")


def check(value: float, limit: float, *, at_most: bool = True) -> bool:
    """Whether `value` meets a target of at most (or at least) `limit`."""
    return value <= limit if at_most else value >= limit


def machine() -> dict[str, Any]:
    """The machine and software the numbers were measured on."""
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(terse=True),
        "python_telegram_bot": telegram.__version__,
        "sqlite": __import__("sqlite3").sqlite_version,
    }


def table(results: Iterable[Result], info: dict[str, Any]) -> str:
    """The results as a Markdown table with the machine underneath."""
    rows = [("id", "measure", "value", "target", "met", "note")]
    for r in results:
        met = "yes" if r.met else ("no" if r.met is False else "-")
        rows.append((r.id, r.name, r.shown(), r.target, met, r.note))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append(
            "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        )
        if n == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines.append("")
    lines.append(
        f"Machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}, "
        f"python-telegram-bot {info['python_telegram_bot']}, SQLite {info['sqlite']} "
        f"({info['platform']})."
    )
    return "\n".join(lines)


def save(results: list[Result], info: dict[str, Any], path: Path, args: dict[str, Any]) -> None:
    """Write the results as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": info,
        "arguments": args,
        "results": [asdict(r) for r in results],
    }
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


def python() -> str:
    """The interpreter running the benchmark (also used for child processes)."""
    return sys.executable
