"""SQLite-only SQL of the caseload reads: a figure read out of a declaration's JSON data.

Called through `bot.storage.caseload`, never directly by services.
"""

from __future__ import annotations

# The proof count the participant gave in the declaration's answers (`declarations d`).
PROOF_COUNT_IN_DATA = "json_extract(NULLIF(d.data, ''), '$.proof_count')"
