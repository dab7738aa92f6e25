"""A month's answers: stored (`Declaration`) or being filled in (`Draft`), and their one JSON.

The answers of a month (`Answers`: worked, omzet, kosten per category, hours per ISO week, note,
proof) are written as JSON in exactly one shape, by `answers_to_data`, and read back by
`answers_from_data`: the draft (through `DraftAnswers.to_data/from_data`, which add the draft's
own bookkeeping beside them), the stored declaration, the klantmanager's card, the export, the
dossier and the digest all go through these two functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from bot.domain.declaration import Answers
from bot.domain.hours import typed_form

Flag = Mapping[str, Any]
NEW = "new"
CORRECTION = "correction"


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


@dataclass(frozen=True)
class DraftAnswers:
    """What a draft holds: the month's answers so far and where the flow is inside a step.

    Invariant kept by the flow: costs and weeks are empty unless `worked`.
    """

    mode: str = NEW  # NEW, or CORRECTION of version `base_version`
    base_version: int = 0
    reason: str | None = None  # why a correction
    worked: bool = False
    revenue_cents: int | None = None  # None until answered
    costs: Mapping[str, int] = field(default_factory=dict)  # category key → cents
    weeks: Mapping[str, Decimal] = field(default_factory=dict)  # '2026-W49' → hours
    note: str | None = None
    no_proof: bool = False
    earlier_proofs: int = 0  # proof files of the version being corrected
    cost_key: str | None = None  # the category whose amount is being asked
    week_index: int = 0  # the week whose hours are being asked
    editing: bool = False  # changing one part from the review: go back there after it

    @property
    def correction(self) -> bool:
        """True when this draft corrects a declaration already sent."""
        return self.mode == CORRECTION

    def month(self, period: str, proof_count: int) -> Answers:
        """The answers as they would be submitted, with the proof files of the draft."""
        return Answers(
            period=period,
            worked=self.worked,
            revenue_cents=self.revenue_cents or 0,
            costs=self.costs,
            weeks=self.weeks,
            note=self.note,
            proof_count=proof_count,
            no_proof=self.no_proof,
        )

    @classmethod
    def correcting(cls, declaration: Declaration) -> DraftAnswers:
        """A correction's starting point: the answers of the version it corrects."""
        answers = declaration.answers
        return cls(
            mode=CORRECTION,
            base_version=declaration.version,
            worked=answers.worked,
            revenue_cents=answers.revenue_cents,
            costs=dict(answers.costs),
            weeks={k: typed_form(v) for k, v in answers.weeks.items()},
            note=answers.note,
            no_proof=answers.no_proof,
            earlier_proofs=answers.proof_count,
        )

    def to_data(self) -> dict[str, Any]:
        """The draft as JSON data: the submitted part as `answers_to_data` writes it."""
        month = answers_to_data(self.month("", 0))
        del month["proof_count"]  # a draft's files are counted, not stored
        return {
            "mode": self.mode,
            "base_version": self.base_version,
            "reason": self.reason,
            "worked": self.worked,
            "revenue_cents": self.revenue_cents,
            **month,
            "earlier_proofs": self.earlier_proofs,
            "cost_key": self.cost_key,
            "week_index": self.week_index,
            "editing": self.editing,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> DraftAnswers:
        """The answers `to_data` wrote, or a draft saved before it (costs and weeks as maps)."""
        costs, weeks = data.get("costs"), data.get("weeks")
        if isinstance(costs, dict) or isinstance(weeks, dict):  # JSON objects: the old format
            data = {
                **data,
                "costs": [{"category": k, "amount_cents": v} for k, v in (costs or {}).items()],
                "weeks": [{"week": k, "hours": v} for k, v in (weeks or {}).items()],
            }
        revenue = data.get("revenue_cents")
        month = answers_from_data("", bool(data.get("worked")), int(revenue or 0), data)
        return cls(
            mode=CORRECTION if data.get("mode") == CORRECTION else NEW,
            base_version=int(data.get("base_version") or 0),
            reason=data.get("reason"),
            worked=month.worked,
            revenue_cents=None if revenue is None else int(revenue),
            costs=month.costs,
            weeks={k: typed_form(v) for k, v in month.weeks.items()} if month.weeks else {},
            note=month.note,
            no_proof=month.no_proof,
            earlier_proofs=int(data.get("earlier_proofs") or 0),
            cost_key=data.get("cost_key"),
            week_index=int(data.get("week_index") or 0),
            editing=bool(data.get("editing")),
        )


@dataclass(frozen=True)
class Draft:
    """A declaration being filled in: one per participant, kept across /stop and restarts."""

    participant_id: int
    period: str
    nonce: str  # spent by the one submit it allows
    step: str  # the question being asked
    answers: DraftAnswers = field(default_factory=DraftAnswers)
    updated_at: datetime | None = None

    @property
    def correction(self) -> bool:
        """True when this draft corrects a declaration already sent."""
        return self.answers.correction

    def month(self, proof_count: int) -> Answers:
        """The month's answers as they would be submitted."""
        return self.answers.month(self.period, proof_count)
