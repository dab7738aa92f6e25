"""The klantmanager's queue as data: item kinds and states, an item, a card's figures.

States: nieuw → in_behandeling → afgehandeld; correctie_gevraagd waits on the participant and
returns to nieuw when the corrected version arrives. See docs/domain.md (the queue).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

# Item kinds (DOMAIN.md §8; issue 4).
SUBMITTED = "declaration_submitted"
CORRECTED = "declaration_corrected"
OVERDUE = "declaration_overdue"
HOURS_OVER_CAP = "hours_over_cap"
UNREACHABLE = "participant_unreachable"
CHANGE_REPORTED = "change_reported"
TRAJECTORY_ENDING = "trajectory_ending"
DELIVERY_FAILED = "delivery_failed"
KINDS = (
    SUBMITTED,
    CORRECTED,
    OVERDUE,
    HOURS_OVER_CAP,
    UNREACHABLE,
    CHANGE_REPORTED,
    TRAJECTORY_ENDING,
    DELIVERY_FAILED,
)

# Item states.
NIEUW = "nieuw"
IN_BEHANDELING = "in_behandeling"
AFGEHANDELD = "afgehandeld"
CORRECTIE_GEVRAAGD = "correctie_gevraagd"
OPEN_STATES = (NIEUW, IN_BEHANDELING, CORRECTIE_GEVRAAGD)

# The longest reason a klantmanager may give when asking for a correction.
REASON_MAX = 1000

Flag = Mapping[str, Any]


@dataclass(frozen=True)
class QueueItem:
    """One item in a klantmanager's queue."""

    id: int
    klantmanager_id: int
    participant_id: int
    kind: str
    state: str
    declaration_id: int | None
    period: str | None
    dedupe_key: str | None
    created_at: datetime
    updated_at: datetime
    details: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def answers(self) -> tuple[int, ...]:
        """The correction requests (item ids) this item is the answer to."""
        return tuple(int(i) for i in self.details.get("answers", []))


@dataclass(frozen=True)
class QueueEntry:
    """One line of the queue's list: an open item with the participant's name."""

    id: int
    kind: str
    state: str
    period: str | None
    created_at: datetime
    name: str


@dataclass(frozen=True)
class QueuePage:
    """One page of open items, oldest first, with counts per kind over all open items."""

    items: tuple[QueueEntry, ...]
    counts: dict[str, int]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class Figures:
    """A declaration version as the figures a klantmanager reads (amounts included)."""

    declaration_id: int
    period: str
    reference: str
    version: int
    worked: bool
    revenue_cents: int
    costs_cents: int
    profit_cents: int
    norm_cents: int | None
    share_pct: int | None
    hours: float
    proof_count: int
    no_proof: bool
    reason: str | None
    submitted_at: str
    flags: tuple[Flag, ...] = field(default=(), compare=False)

    def data(self) -> dict[str, Any]:
        """The figures as plain data, without the flags (a card shows those apart)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "flags"}


@dataclass(frozen=True)
class CardData:
    """What an item's card shows: participant, period, figures, flags (raw, rendered later)."""

    item_id: int
    kind: str
    state: str
    name: str
    period: str | None
    figures: Figures | None
    answers_request: bool

    def context(self, *, fresh: bool = False, owner: str | None = None) -> dict[str, Any]:
        """The card as plain template data; `fresh` for a push, `owner` when standing in."""
        return {
            "item_id": self.item_id,
            "kind": self.kind,
            "state": self.state,
            "name": self.name,
            "period": self.period,
            "decl": self.figures.data() if self.figures else None,
            "flags": [dict(f) for f in self.figures.flags] if self.figures else [],
            "answers_request": self.answers_request,
            "fresh": fresh,
            "owner": owner,
        }
