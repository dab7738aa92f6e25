"""What changed between two versions of a month, field by field ("was …, nu …").

Pure: compares the answers (`bot.domain.declaration.Answers`) of two versions, or of a stored
version and a correction being submitted. Proof is compared as files sent with a version.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bot.domain.answers import Declaration
from bot.domain.declaration import Answers

# Field names, in the order a card shows them.
WORKED, REVENUE, COST, HOURS, PROOF, NO_PROOF, NOTE = (
    "worked",
    "revenue_cents",
    "cost",
    "hours",
    "proof_count",
    "no_proof",
    "note",
)


@dataclass(frozen=True)
class Change:
    """One field that differs: `key` names the cost category or ISO week; None is "none"."""

    field: str
    was: Any
    now: Any
    key: str | None = None

    def data(self) -> dict[str, Any]:
        """As plain template data (hours as numbers)."""
        return {
            "field": self.field,
            "key": self.key,
            "was": _plain(self.was),
            "now": _plain(self.now),
        }


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def _note(text: str | None) -> str | None:
    return " ".join(text.split()) or None if text else None


def diff_answers(old: Answers, new: Answers, *, proof: bool = True) -> tuple[Change, ...]:
    """Every field of `new` that differs from `old`, in card order.

    A cost line or week present in one version only is compared with None. `proof` False leaves
    the proof count out (a correction's own files are compared apart).
    """
    found: list[Change] = []
    if old.worked != new.worked:
        found.append(Change(WORKED, old.worked, new.worked))
    if old.revenue_cents != new.revenue_cents:
        found.append(Change(REVENUE, old.revenue_cents, new.revenue_cents))
    for category in sorted(set(old.costs) | set(new.costs)):
        was, now = old.costs.get(category), new.costs.get(category)
        if (was or 0) != (now or 0):
            found.append(Change(COST, was, now, category))
    for week in sorted(set(old.weeks) | set(new.weeks)):
        was_h, now_h = old.weeks.get(week), new.weeks.get(week)
        if Decimal(was_h or 0) != Decimal(now_h or 0):
            found.append(Change(HOURS, was_h, now_h, week))
    if proof and old.proof_count != new.proof_count:
        found.append(Change(PROOF, old.proof_count, new.proof_count))
    if old.no_proof != new.no_proof:
        found.append(Change(NO_PROOF, old.no_proof, new.no_proof))
    if _note(old.note) != _note(new.note):
        found.append(Change(NOTE, _note(old.note), _note(new.note)))
    return tuple(found)


def diff(old: Declaration, new: Declaration) -> tuple[Change, ...]:
    """What changed from version `old` to version `new` of a month."""
    return diff_answers(old.answers, new.answers)


def unchanged(old: Answers, new: Answers, new_files: int) -> bool:
    """True when a correction changes nothing: the same answers and no new proof files."""
    return new_files == 0 and not diff_answers(old, new, proof=False)
