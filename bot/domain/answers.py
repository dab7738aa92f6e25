"""A stored declaration and the one serializer of a month's answers.

The answers of a month (`Answers`: worked, omzet, kosten per category, hours per ISO week, note,
proof) are written as JSON in exactly one shape, by `answers_to_data`, and read back by
`answers_from_data`: the draft, the stored declaration, the klantmanager's card, the export, the
dossier and the digest all go through these two functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from bot.domain.declaration import Answers

Flag = Mapping[str, Any]


def answers_to_data(answers: Answers) -> dict[str, Any]:
    """The answers as stored JSON data (without period, worked and omzet: those are columns)."""
    return {
        "costs": [
            {"category": k, "amount_cents": v} for k, v in answers.costs.items() if answers.worked
        ],
        "weeks": [
            {"week": k, "hours": float(v)} for k, v in answers.weeks.items() if answers.worked
        ],
        "note": answers.note,
        "proof_count": answers.proof_count,
        "no_proof": answers.no_proof,
    }


def answers_from_data(
    period: str, worked: bool, revenue_cents: int, data: Mapping[str, Any]
) -> Answers:
    """The answers `answers_to_data` wrote, with the columns stored beside them."""
    return Answers(
        period=period,
        worked=worked,
        revenue_cents=revenue_cents,
        costs={str(c["category"]): int(c["amount_cents"]) for c in data.get("costs") or []},
        weeks={str(w["week"]): Decimal(str(w["hours"])) for w in data.get("weeks") or []},
        note=data.get("note"),
        proof_count=int(data.get("proof_count") or 0),
        no_proof=bool(data.get("no_proof")),
    )


@dataclass(frozen=True)
class Declaration:
    """One submitted version of a month's declaration (immutable once stored)."""

    id: int
    participant_id: int
    period: str
    version: int
    reference: str
    answers: Answers
    costs_cents: int
    hours: Decimal
    reason: str | None
    submitted_at: datetime
    flags: tuple[Flag, ...] = field(default_factory=tuple)

    @property
    def worked(self) -> bool:
        """Whether the participant worked for the business this month."""
        return self.answers.worked

    @property
    def revenue_cents(self) -> int:
        """Omzet."""
        return self.answers.revenue_cents

    @property
    def profit_cents(self) -> int:
        """Omzet minus kosten; negative for a loss."""
        return self.answers.revenue_cents - self.costs_cents


@dataclass
class Draft:
    """A declaration being filled in; `data` is plain JSON."""

    participant_id: int
    period: str
    nonce: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None

    @property
    def mode(self) -> str:
        """'new', or 'correction' of an earlier version."""
        return str(self.data.get("mode", "new"))

    def answers(self, proof_count: int) -> Answers:
        """The draft as domain answers."""
        return Answers(
            period=self.period,
            worked=bool(self.data.get("worked")),
            revenue_cents=int(self.data.get("revenue_cents") or 0),
            costs={k: int(v) for k, v in (self.data.get("costs") or {}).items()},
            weeks={k: Decimal(str(v)) for k, v in (self.data.get("weeks") or {}).items()},
            note=self.data.get("note"),
            proof_count=proof_count,
            no_proof=bool(self.data.get("no_proof")),
        )
