"""Sample contexts for the queue's, the digest's and the dossier's messages (invented people)."""

from typing import Any

from messages.samples.outcomes import OUTCOME_YEARS

_DECL = {
    "declaration_id": 7,
    "period": "2026-11",
    "reference": "PTO-2026-11-0042",
    "version": 2,
    "worked": True,
    "revenue_cents": 125050,
    "costs_cents": 20000,
    "profit_cents": 105050,
    "norm_cents": 140150,
    "share_pct": 75,
    "hours": 62.5,
    "proof_count": 3,
    "no_proof": False,
    "reason": "Factuur vergeten",
    "submitted_at": "2026-12-03T10:00:00+00:00",
    "costs": [
        {"category": "telefoon", "names": {"nl": "Telefoon", "en": "Phone"}, "amount_cents": 2500}
    ],
    "weeks": [{"week": "2026-W45", "hours": 12.5}],
    "note": "Factuur erbij",
}
_DIGEST_INDEX = {
    "week": "2026-W49",
    "day": "2026-12-03",
    "pages": [
        {
            "klantmanager": "Kim Klantmanager",
            "file": "kim-klantmanager.html",
            "participants": 12,
            "exceptions": 3,
        },
        {
            "klantmanager": "Karin Klantmanager",
            "file": "karin-klantmanager.html",
            "participants": 1,
            "exceptions": 1,
        },
    ],
}
_FLAGS = [
    {"code": "no_proof"},
    {"code": "cost_over_cap", "category": "telefoon", "total_cents": 30000, "cap_cents": 25000},
]
_DIGEST: dict[str, Any] = {
    "klantmanager": "Kim Klantmanager",
    "municipality": "Voorbeeldgemeente",
    "week": "2026-W49",
    "day": "2026-12-03",
    "generated_at": "2026-12-03T10:00:00+00:00",
    "exception_count": 6,
    "exceptions": {
        "late": [{"name": "Bram Voorbeeld", "periods": ["2026-10"], "days_late": 23}],
        "hours": [
            {
                "name": "Noor Voorbeeld",
                "average": 24.5,
                "weeks": 4,
                "cap": 20.0,
                "over_average": True,
                "pace": 1274,
                "annual_cap": 1040.0,
                "flags": [{"code": "average_over_cap", "hours": 24.5}],
                "flag_lines": ["Gemiddeld 24,5 uur per week"],
            }
        ],
        "corrections": [
            {
                "name": "Ayla Voorbeeld",
                "period": "2026-10",
                "since": "2026-11-20T10:00:00+00:00",
                "days": 13,
            }
        ],
        "changes": [
            {
                "name": "Ayla Voorbeeld",
                "period": "2026-11",
                "previous_cents": 20000,
                "current_cents": 90000,
                "up": True,
            }
        ],
        "ending": [{"name": "Noor Voorbeeld", "end": "2027-01-15", "days": 43}],
        "covering": [
            {
                "name": "Ayla Voorbeeld",
                "periods": ["2026-09", "2026-10", "2026-11"],
                "average_share": 104,
            }
        ],
        "reported": [
            {
                "name": "Bram Voorbeeld",
                "kind": "buitenland",
                "names": {"nl": "Verblijf in het buitenland", "en": "Staying abroad"},
                "happens_on": "2027-01-10",
                "reference": "WIJZ-2026-12-0001",
                "since": "2026-12-01T09:00:00+00:00",
            }
        ],
    },
    "kpi": {"threshold": 30, "reached": 1, "total": 3, "target": 50},
    "outcome_years": OUTCOME_YEARS,  # issue 17
    "rows": [
        {
            "name": "Ayla Voorbeeld",
            "last_period": "2026-11",
            "status": "submitted",
            "late_periods": [],
            "period": "2026-11",
            "profit_cents": 90000,
            "share_pct": 64,
            "kpi_share": 41,
            "hours_avg": 12.5,
            "open_items": 1,
            "end": "2027-06-01",
        },
        {
            "name": "Bram Voorbeeld",
            "last_period": "2026-11",
            "status": "late",
            "late_periods": ["2026-10", "2026-11"],
            "period": None,
            "profit_cents": None,
            "share_pct": None,
            "kpi_share": None,
            "hours_avg": 0.0,
            "open_items": 0,
            "end": "2027-03-01",
        },
    ],
}

SAMPLES: dict[str, dict[str, Any]] = {
    "queue/card": {
        "item_id": 1,
        "kind": "declaration_corrected",
        "state": "nieuw",
        "name": "Ayla Voorbeeld",
        "period": "2026-11",
        "decl": _DECL,
        "flags": _FLAGS,
        "answers_request": True,
        "fresh": True,
        "owner": "Karin Klantmanager",
        "since": "2026-12-03T10:00:00+00:00",
        "reason": None,
        "replaced_by": None,
        "updated": False,
        "actions": ["done", "fix", "proof"],
        "changes": [
            {"field": "revenue_cents", "key": None, "was": 100000, "now": 125050},
            {"field": "cost", "key": "telefoon", "was": None, "now": 2500},
            {"field": "hours", "key": "2026-W45", "was": 10.0, "now": 12.5},
            {"field": "proof_count", "key": None, "was": 1, "now": 3},
            {"field": "no_proof", "key": None, "was": True, "now": False},
            {"field": "worked", "key": None, "was": False, "now": True},
            {"field": "note", "key": None, "was": None, "now": "Factuur erbij"},
        ],
    },
    "queue/change": {
        "c": {"field": "revenue_cents", "key": None, "was": 100000, "now": 125050},
    },
    "queue/item_button": {
        "name": "Ayla Voorbeeld",
        "period": "2026-11",
        "kind": "declaration_overdue",
        "state": "correctie_gevraagd",
    },
    "queue/all_button": {"closed": 4},
    "queue/remind_push": {"period": "2026-11", "klantmanager": "Kim Klantmanager"},
    "queue/remind_sent": {
        "name": "Ayla Voorbeeld",
        "period": "2026-11",
        "at": "2026-12-04T07:00:00+00:00",
        "held": True,
    },
    "queue/remind_already": {
        "name": "Ayla Voorbeeld",
        "period": "2026-11",
        "at": "2026-12-04T07:00:00+00:00",
        "held": False,
    },
    "queue/correction_unchanged": {"period": "2026-11"},
    "queue/kind": {"kind": "hours_over_cap"},
    "queue/state": {"state": "correctie_gevraagd"},
    "queue/flag_plain": {"code": "amount_unusual"},
    "queue/list": {
        "items": [
            {
                "id": 1,
                "kind": "declaration_submitted",
                "state": "nieuw",
                "period": "2026-11",
                "created_at": "2026-12-03T10:00:00+00:00",
                "name": "Ayla Voorbeeld",
            }
        ],
        "counts": {"declaration_submitted": 1, "declaration_overdue": 2},
        "states": {"nieuw": 2, "correctie_gevraagd": 1},
        "closed": 2,
        "everything": False,
        "total": 3,
        "page": 1,
        "pages": 1,
    },
    "queue/ask_reason": {"name": "Ayla Voorbeeld"},
    "queue/fix_reason_long": {"limit": 1000},
    "queue/fix_not_now": {"state": "afgehandeld"},
    "queue/fix_sent": {"name": "Ayla Voorbeeld", "period": "2026-11"},
    "queue/correction_requested": {
        "period": "2026-11",
        "reason": "De kosten voor de telefoon missen een bon.",
        "klantmanager": "Kim Klantmanager",
    },
    "queue/proof_file": {"number": 1, "total": 2},
    "queue/proof_missing": {"name": "bon.jpg"},
    "queue/participant_unknown": {"query": "Ayla"},
    "queue/participant_ambiguous": {"names": ["Ayla Voorbeeld", "Ayla Anders"]},
    "queue/participant": {
        "name": "Ayla Voorbeeld",
        "trajectory_end": "2027-06-01",
        "open_items": 1,
        "open_states": {"nieuw": 1},
        "months": [
            {
                "period": "2026-11",
                "version": 2,
                "versions": 2,
                "worked": True,
                "revenue_cents": 125050,
                "costs_cents": 20000,
                "profit_cents": 105050,
                "share_pct": 75,
                "hours": 62.5,
                "proof_count": 3,
                "flags": [
                    {
                        "code": "cost_over_cap",
                        "category": "telefoon",
                        "names": {"nl": "Telefoon", "en": "Phone"},
                        "total_cents": 130000,
                        "cap_cents": 60000,
                    }
                ],
            }
        ],
    },
    "queue/participant_progress": {
        "name": "Ayla Voorbeeld",
        "trajectory_end": "2027-06-01",
        "average_hours": 12.5,
        "average_weeks": 3,
        "weeks": 4,
        "cap": 20.0,
        "months": [
            {
                "period": "2026-11",
                "submitted": True,
                "on_time": False,
                "overdue": False,
                "hours": 50.0,
            },
            {
                "period": "2026-10",
                "submitted": False,
                "on_time": False,
                "overdue": True,
                "hours": None,
            },
        ],
    },
    "queue/delegated": {"colleague": "Karin Klantmanager", "until": "2026-12-24"},
    "queue/cli_not_klantmanager": {"name": "Cas Coach"},
    "queue/cli_delegate_past": {"until": "2026-01-01"},
    "queue/cli_unknown_participant": {"name": "Ayla Voorbeeld"},
    "queue/cli_ambiguous": {
        "name": "Ayla",
        "role": "participant",
        "names": ["Ayla Voorbeeld", "Ayla de Vries"],
    },
    "queue/cli_delegation_unknown": {"source": "Kim Klantmanager", "target": "Karin Klantmanager"},
    "queue/cli_digest_index": _DIGEST_INDEX,
    "queue/cli_digest_index_text": _DIGEST_INDEX,
    "buttons/queue_item": {
        "name": "Ayla Voorbeeld",
        "period": "2026-11",
        "kind": "declaration_submitted",
    },
    "digest/status": {"status": "late"},
    "digest/chat": _DIGEST,
    "digest/chat_part": {"text": "<b>Weekoverzicht 2026-W49</b>"},
    "digest/page": _DIGEST,
    "digest/dossier": {
        "name": "Ayla Voorbeeld",
        "klantmanager": "Kim Klantmanager",
        "household": "alleenstaande",
        "start_date": "2026-06-01",
        "status": "active",
        "generated_at": "2026-12-03T10:00:00+00:00",
        "declarations": [
            {
                "reference": "PTO-2026-11-0042",
                "period": "2026-11",
                "version": 2,
                "submitted_at": "2026-12-03T10:00:00+00:00",
                "worked": True,
                "revenue_cents": 125050,
                "costs_cents": 20000,
                "profit_cents": 105050,
                "share_pct": 75,
                "hours": 62.5,
                "reason": "Factuur vergeten",
                "proof_files": 2,
                "flag_lines": ["Telefoon boven het jaarbedrag"],
            }
        ],
        "history": [
            {
                "at": "2026-12-03T10:00:00+00:00",
                "item_id": 1,
                "kind": "declaration_submitted",
                "period": "2026-11",
                "from_state": "nieuw",
                "to_state": "correctie_gevraagd",
                "actor": "Kim Klantmanager",
                "note": "De bon ontbreekt.",
            }
        ],
        "proofs": [
            {
                "period": "2026-11",
                "name": "bon.jpg",
                "mime": "image/jpeg",
                "size": 20480,
                "reference": "PTO-2026-11-0042",
                "created_at": "2026-12-02T10:00:00+00:00",
            }
        ],
    },
}
