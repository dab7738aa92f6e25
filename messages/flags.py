"""Flags (what a klantmanager should look at) as short lines in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.domain.models import LOCALES
from messages.render import flag_line

__all__ = ["flag_line", "flag_lines"]


def flag_lines(flags: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Flag lines in every locale, so an outbox row can be rendered in whichever is current."""
    return {locale: [flag_line(f, locale) for f in flags] for locale in LOCALES}
