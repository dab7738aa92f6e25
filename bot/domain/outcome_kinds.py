"""How a trajectory can end (issue 17): the policy's list of outcomes, each with a stable code.

The list is policy data (`[[outcomes]]` in the policy TOML): a code that never changes (it goes
into the CSV export and the audit log), a name per language, and what the outcome asks for
besides the code: a new end date (a *verlenging*), a note (*anders*), or nothing. There is no
CBS code for PTO outflow, so municipalities keep their own list (docs/domain.md, "Outcomes").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.domain.models import LOCALES

ASKS_NOTHING = ""
ASKS_END_DATE = "end_date"
ASKS_NOTE = "note"
ASKS = (ASKS_NOTHING, ASKS_END_DATE, ASKS_NOTE)
CODE_MAX = 20


@dataclass(frozen=True)
class OutcomeKind:
    """One way a trajectory can end: a stable code, names per language, what it asks for."""

    code: str
    names: dict[str, str]
    asks: str = ASKS_NOTHING

    def name(self, locale: str) -> str:
        """The outcome's name in `locale`, Dutch when missing."""
        return self.names.get(locale) or self.names["nl"]


def parse_outcomes(raw: Any) -> tuple[OutcomeKind, ...]:
    """The `[[outcomes]]` tables; ValueError (naming the field) when one is unusable."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ValueError("outcomes: must be a list of tables")
    seen: set[str] = set()
    found = []
    for i, item in enumerate(raw):
        field = f"outcomes[{i}]"
        if not isinstance(item, dict):
            raise ValueError(f"{field}: must be a table")
        code = item.get("code")
        if not isinstance(code, str) or not code.isidentifier() or len(code) > CODE_MAX:
            raise ValueError(f"{field}.code: must be a short name of letters, got {code!r}")
        if code in seen:
            raise ValueError(f"{field}.code: {code!r} appears twice")
        seen.add(code)
        names = item.get("name")
        if not isinstance(names, dict) or not isinstance(names.get("nl"), str):
            raise ValueError(f"{field}.name: needs at least a Dutch name (nl)")
        for locale in names:
            if locale not in LOCALES:
                raise ValueError(f"{field}.name: unknown language {locale!r}")
        asks = item.get("asks", ASKS_NOTHING)
        if asks not in ASKS:
            raise ValueError(
                f"{field}.asks: must be one of 'end_date', 'note' or '', got {asks!r}"
            )
        found.append(OutcomeKind(code, {str(k): str(v) for k, v in names.items()}, asks))
    return tuple(found)
