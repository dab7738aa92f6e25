"""`ptobot export --outcomes --year YYYY`: every participant's outcome of a year as CSV rows.

The columns are documented in docs/export.md ("Outcomes"); keep the two in step. An operator
tool (the command line), so it reads everything without a chat person's access check; the
command audits what it hands out.
"""

from __future__ import annotations

from datetime import date

from bot.clock import utc_iso
from bot.domain import outcomes as rules
from bot.domain.policy import Policy
from bot.services.exports import safe_text
from bot.storage import outcomes as store
from bot.storage.unit import Tx

COLUMNS = (
    "year",
    "participant_id",
    "participant",
    "klantmanager",
    "outcome_code",
    "outcome_on",
    "new_end_date",
    "note",
    "recorded_at",
    "recordings",
    "year_share_of_norm_pct",
    "kpi_reached",
)


async def outcome_rows(tx: Tx, policy: Policy, year: int) -> list[dict[str, str]]:
    """One row per participant whose latest outcome took effect in `year`, by day."""
    found = await store.latest_in(tx, date(year, 1, 1), date(year, 12, 31))
    months = await store.all_months(tx, f"{year:04d}-01", f"{year:04d}-12")
    totals = rules.year_totals(policy, year, months)
    rows = []
    for outcome, participant, klantmanager in found:
        recordings = len(await store.history(tx, outcome.participant_id))
        share = totals.share(outcome.participant_id)
        rows.append(
            {
                "year": str(year),
                "participant_id": str(outcome.participant_id),
                "participant": safe_text(participant),
                "klantmanager": safe_text(klantmanager),
                "outcome_code": outcome.code,
                "outcome_on": outcome.on.isoformat(),
                "new_end_date": outcome.new_end.isoformat() if outcome.new_end else "",
                "note": safe_text(outcome.note),
                "recorded_at": utc_iso(outcome.recorded_at),
                "recordings": str(recordings),
                "year_share_of_norm_pct": "" if share is None else str(share),
                "kpi_reached": ""
                if share is None
                else ("1" if rules.reaches(policy, share) else "0"),
            }
        )
    return rows
