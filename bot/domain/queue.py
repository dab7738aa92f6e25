"""The klantmanager's queue as data: item kinds and states, an item, a card's figures.

States: nieuw → in_behandeling → afgehandeld; correctie_gevraagd waits on the participant. A newer
version of a month closes the earlier items of that month as vervangen (pointing at the new item).
Each kind has its own actions (`actions`). See docs/domain.md (the queue).
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
VERVANGEN = "vervangen"
OPEN_STATES = (NIEUW, IN_BEHANDELING, CORRECTIE_GEVRAAGD)
CLOSED_STATES = (AFGEHANDELD, VERVANGEN)
STATES = (*OPEN_STATES, *CLOSED_STATES)

# The kinds that carry a declaration version (a card with figures, correction and proof).
DECLARATION_KINDS = (SUBMITTED, CORRECTED)
# The kinds a newer version of the month closes as vervangen.
SUPERSEDED_KINDS = (SUBMITTED, CORRECTED, OVERDUE)

# What a klantmanager can do with an item (the card's buttons, in this order).
DONE, FIX, PROOF, REMIND = "done", "fix", "proof", "remind"


def actions(kind: str, state: str, has_proof: bool) -> tuple[str, ...]:
    """The actions an item of `kind` in `state` offers; a closed item offers none.

    A declaration (or correction) can be closed, sent back for a correction and its proof
    shown (only when there is proof); an overdue month can be reminded now or closed (never a
    correction or proof: there is no declaration); every other kind can be closed.
    """
    if state not in OPEN_STATES:
        return ()
    if kind in DECLARATION_KINDS:
        fix = (FIX,) if state != CORRECTIE_GEVRAAGD else ()
        return (DONE, *fix, *((PROOF,) if has_proof else ()))
    if kind == OVERDUE:
        return (REMIND, DONE)
    if kind == CHANGE_REPORTED:  # a reported change: closed, and its document shown if any
        return (DONE, *((PROOF,) if has_proof else ()))
    return (DONE,)


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
    replaced_by: int | None = None  # the newer item of the month, when vervangen

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
    updated_at: datetime | None = None  # since when it is in its state


@dataclass(frozen=True)
class QueuePage:
    """One page of items, oldest first, with counts per kind and per state over all of them.

    `everything` False: open items only (`closed` counts the rest); True: every item.
    """

    items: tuple[QueueEntry, ...]
    counts: dict[str, int]
    total: int
    page: int
    pages: int
    states: dict[str, int] = field(default_factory=dict)
    closed: int = 0
    everything: bool = False


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
    costs: tuple[Mapping[str, Any], ...] = ()  # {category, names, amount_cents} per cost line
    weeks: tuple[Mapping[str, Any], ...] = ()  # {week, hours} per ISO week
    note: str | None = None

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
    since: str | None = None  # when the item got its state (UTC ISO)
    reason: str | None = None  # the correction asked for, while correctie_gevraagd
    replaced_by: int | None = None  # the newer item, when vervangen
    changes: tuple[Mapping[str, Any], ...] = ()  # what changed since the previous version
    has_proof: bool = False  # stored proof files the Bewijs button can show
    change: Mapping[str, Any] | None = None  # a reported change (kind, day, explanation)

    def context(
        self, *, fresh: bool = False, owner: str | None = None, updated: bool = False
    ) -> dict[str, Any]:
        """The card as plain template data; `fresh` for a push, `owner` when standing in,
        `updated` when it replaces the card shown before (its state changed)."""
        return {
            "since": self.since,
            "reason": self.reason,
            "replaced_by": self.replaced_by,
            "changes": [dict(c) for c in self.changes],
            "actions": list(actions(self.kind, self.state, self.has_proof)),
            "updated": updated,
            "item_id": self.item_id,
            "kind": self.kind,
            "state": self.state,
            "name": self.name,
            "period": self.period,
            "decl": self.figures.data() if self.figures else None,
            "flags": [dict(f) for f in self.figures.flags] if self.figures else [],
            "answers_request": self.answers_request,
            "change": dict(self.change) if self.change else None,
            "fresh": fresh,
            "owner": owner,
        }
