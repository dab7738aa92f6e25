"""What a backend reports about its tables (shared by `schema.py` and each dialect's answer)."""

from __future__ import annotations

from dataclasses import dataclass

PERSON_KEYS = ("participant_id", "person_id")  # a column that says whose row it is


@dataclass(frozen=True)
class PersonTable:
    """A table with a row-per-person column: its name, that column and all its columns."""

    name: str
    key: str
    columns: tuple[str, ...]
