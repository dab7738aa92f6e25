"""Frozen models of the people the assistant serves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Role(StrEnum):
    """What a person does in PTO."""

    PARTICIPANT = "participant"
    KLANTMANAGER = "klantmanager"
    COACH = "coach"
    ADMIN = "admin"


class Household(StrEnum):
    """Leefvorm: decides the applicable benefit norm."""

    ALLEENSTAANDE = "alleenstaande"
    ALLEENSTAANDE_OUDER = "alleenstaande_ouder"
    GEHUWDEN = "gehuwden"


class ParticipantStatus(StrEnum):
    """Whether a participant is in an active trajectory."""

    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


LOCALES = ("nl", "en", "ar", "tr")  # Dutch first: the default and the language of record
DEFAULT_LOCALE = "nl"


@dataclass(frozen=True)
class Person:
    """Anyone who talks to the assistant."""

    id: int
    name: str
    role: Role
    locale: str
    email: str | None = None  # lowercased and trimmed (bot/domain/email.py); None when none


@dataclass(frozen=True)
class Participant:
    """A person with PTO permission, linked to their klantmanager and coach."""

    person_id: int
    name: str
    klantmanager_id: int | None
    coach_id: int | None
    start_date: date
    household: Household
    status: ParticipantStatus


@dataclass(frozen=True)
class Identity:
    """A chat address on one channel, bound to a person."""

    id: int
    channel: str
    address: str
    person_id: int
    blocked: bool
