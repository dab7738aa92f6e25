"""Changes in circumstances (the *inlichtingenplicht*): what can change, and a reported change.

A participant must report on their own initiative every change that may affect the benefit
(Participatiewet art. 17; docs/domain.md, "Changes in circumstances"). Which kinds of change the
assistant offers is policy data (`[[changes]]` in the policy file, a stable key and a name per
language); this module parses that list, holds a reported change, and recognises a change
mentioned in a declaration's note (`mentions_change`), so the bot can point at `/wijziging`.
Pure: no I/O, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.domain.models import LOCALES
from bot.domain.named import named_tables

# The longest explanation a participant may type (a few sentences; details go to the klantmanager).
EXPLANATION_MAX = 500
# The prefix of a change's reference: WIJZ-2026-12-0001 (one running number per month).
REFERENCE_PREFIX = "WIJZ"


@dataclass(frozen=True)
class ChangeKind:
    """A kind of change the municipality wants reported: a stable key, names per language."""

    key: str
    names: Mapping[str, str]
    days_per_year: int | None = None  # a yearly threshold that matters (abroad: 28 days)

    def name(self, locale: str) -> str:
        """The kind's name in `locale`, Dutch when missing."""
        return self.names.get(locale) or self.names["nl"]


def parse_change_kinds(raw: Any) -> tuple[ChangeKind, ...]:
    """The `[[changes]]` tables of the policy; ValueError names the field and the problem."""
    if raw is None:
        return ()
    kinds = []
    for field, item, key, names in named_tables(raw, "changes"):
        for locale in names:
            if locale not in LOCALES:
                raise ValueError(f"{field}.name: unknown language {locale!r}")
        days = item.get("days_per_year")
        if days is not None and (
            isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 366
        ):
            raise ValueError(f"{field}.days_per_year: must be a number of days, got {days!r}")
        kinds.append(ChangeKind(key, names, days))
    return tuple(kinds)


@dataclass(frozen=True)
class Document:
    """The one file sent with a change as proof (stored like a declaration's receipts)."""

    path: str
    mime: str
    size: int
    sha256: str
    name: str | None = None


@dataclass(frozen=True)
class ChangeReport:
    """A change a participant reports: a draft until `sent_at`, then fixed with a reference."""

    id: int
    participant_id: int
    kind: str
    happens_on: date | None
    explanation: str | None
    document: Document | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None = None
    reference: str | None = None

    @property
    def complete(self) -> bool:
        """Whether it has what a review needs: a kind, a date and an explanation."""
        return self.happens_on is not None and bool(self.explanation)


def reference(period: str, number: int) -> str:
    """The reference of the `number`th change reported in `period` (YYYY-MM)."""
    return f"{REFERENCE_PREFIX}-{period}-{number:04d}"


# Words in a declaration's note that suggest a change to report (Dutch and English, lower case).
# Deliberately plain: a hit only earns a friendly pointer to /wijziging, never a judgement.
_CUES = re.compile(
    r"\b(?:"
    r"samenwon\w*|samen\s+(?:gaan\s+)?wonen|trouw(?:en|t)|getrouwd|huwelijk|geregistreerd"
    r"\s+partner\w*|verhuis\w*|verhuiz\w*|ander\s+adres|nieuw\s+adres|erfenis|geërfd|geerfd"
    r"|(?:auto|car)\s+(?:gekocht|gekregen|bought)|nieuwe\s+auto|"
    r"stop(?:pen|t)?\s+met\s+(?:mijn|m'n|het|de)\s+(?:bedrijf|zaak|onderneming)"
    r"|(?:bedrijf|zaak|onderneming)\s+(?:stopt|stoppen|opheffen|opgeheven|verkocht)"
    r"|uitschrijven\s+(?:bij\s+de\s+)?kvk|uitgeschreven|kvk[\s-]inschrijving"
    r"|\d+\s+(?:maanden|maand|weken|week)\s+naar|naar\s+het\s+buitenland|buitenland"
    r"|ander\s+inkomen|andere\s+inkomsten|baan\s+gevonden|in\s+loondienst"
    r"|moving\s+in\s+together|get(?:ting)?\s+married|moving\s+house|inheritance|abroad"
    r")",
    re.IGNORECASE,
)


def mentions_change(note: str | None) -> bool:
    """Whether a declaration's note mentions something that may be a change to report."""
    return bool(note) and _CUES.search(note or "") is not None


@dataclass(frozen=True)
class ReportedChange:
    """A sent change still open in the klantmanager's queue (a line of the weekly digest)."""

    participant_id: int
    kind: str
    happens_on: date | None
    reference: str
    sent_at: str  # UTC ISO


def digest_lines(
    kinds: tuple[ChangeKind, ...], names: Mapping[int, str], reported: list[ReportedChange]
) -> list[dict[str, Any]]:
    """The digest's lines for open reported changes of the participants in `names` (id → name),
    in the caseload's order, oldest report first per participant."""
    by_key = {k.key: k for k in kinds}
    order = {pid: index for index, pid in enumerate(names)}
    lines = []
    for r in sorted(
        (r for r in reported if r.participant_id in names),
        key=lambda r: (order[r.participant_id], r.sent_at),
    ):
        kind = by_key.get(r.kind)
        lines.append(
            {
                "name": names[r.participant_id],
                "kind": r.kind,
                "names": dict(kind.names) if kind else {"nl": r.kind, "en": r.kind},
                "happens_on": r.happens_on.isoformat() if r.happens_on else None,
                "reference": r.reference,
                "since": r.sent_at,
            }
        )
    return lines
