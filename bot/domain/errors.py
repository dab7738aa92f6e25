"""Domain errors carry a message key, so they become a friendly reply."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule said no; `key` names the message that explains it to the person."""

    def __init__(self, key: str, **context: Any) -> None:
        super().__init__(key)
        self.key = key
        self.context = context


class AccessDenied(DomainError):
    """The person may not see or do this (we never say whether the object exists)."""

    def __init__(self) -> None:
        super().__init__("common/not_allowed")
