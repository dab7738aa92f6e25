"""Sample contexts for the privacy messages (invented people)."""

from typing import Any

SAMPLES: dict[str, dict[str, Any]] = {
    "privacy/export_ready": {"proofs": 2, "missing": 1},
    "privacy/export_proof": {"name": "bon-bouwmarkt.pdf", "period": "2026-11"},
}
