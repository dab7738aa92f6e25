"""Flags (what a klantmanager should look at) as short lines in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import TemplateNotFound, UndefinedError

from bot.domain.models import LOCALES
from messages.render import render


def flag_line(flag: Mapping[str, Any], locale: str) -> str:
    """One flag as a short line (Telegram HTML); its plain code when no template fits."""
    code = str(flag.get("code", "?"))
    params = {k: v for k, v in flag.items() if k != "code"}
    try:
        return render(f"flags/{code}", locale, **params)
    except (TemplateNotFound, UndefinedError, TypeError, ValueError):
        return render("queue/flag_plain", locale, code=code)


def flag_lines(flags: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Flag lines in every locale, so an outbox row can be rendered in whichever is current."""
    return {locale: [flag_line(f, locale) for f in flags] for locale in LOCALES}
