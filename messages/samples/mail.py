"""Sample contexts for the e-mail messages and the people commands (invented people)."""

from typing import Any

_URGENT = {
    "kind": "participant_unreachable",
    "participant": "Ayla Voorbeeld",
    "url": "http://127.0.0.1:8080/item/7",
}
_DIGEST = {
    "week": "2026-W49",
    "url": "http://127.0.0.1:8080/weekoverzicht",
    "text": "<b>Weekoverzicht 2026-W49</b>\nGeen uitzonderingen.",
    "html": "<!DOCTYPE html><html><body><h1>Weekoverzicht</h1></body></html>",
}
_LOGIN = {"url": "http://127.0.0.1:8080/login/abc"}

SAMPLES: dict[str, dict[str, Any]] = {
    "mail/digest": _DIGEST,
    "mail/digest_subject": _DIGEST,
    "mail/digest_html": _DIGEST,
    "mail/login_link": _LOGIN,
    "mail/login_link_subject": _LOGIN,
    "mail/login_link_html": _LOGIN | {"subject": "Inloggen"},
    "mail/urgent": _URGENT,
    "mail/urgent_subject": _URGENT,
    "mail/urgent_html": _URGENT | {"subject": "Deelnemer niet bereikbaar"},
    "mail/layout": {"subject": "PTO"},
    "people/bad_email": {"address": "kim@"},
    "people/email_taken": {"address": "kim@gemeente.example"},
    "people/unknown_person": {"name": "Zora"},
    "people/ambiguous": {"name": "A", "names": ["Ayla Voorbeeld", "Ad Beheer"]},
}
