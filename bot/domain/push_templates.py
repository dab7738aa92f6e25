"""Approved message templates for pushes outside a messenger's free window (WhatsApp: 24 hours
after the person's last message). Named per message key and language in the policy file:

    [whatsapp_templates."reminders/push"]
    nl = "pto_herinnering"      # the template's name as approved by Meta, per language
    en = "pto_reminder"
    parameters = ["name"]       # the push's context values, in the order {{1}}, {{2}} …
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

FREE_WINDOW = timedelta(hours=24)
PARAMETER_LIMIT = 200  # characters of one parameter value (Meta rejects long ones)


class TemplateError(ValueError):
    """The templates section of the policy is unusable (the message names the field)."""


@dataclass(frozen=True)
class PushTemplate:
    """One approved template: its name per language and the context values it takes."""

    names: Mapping[str, str]
    parameters: tuple[str, ...] = ()

    def name(self, locale: str) -> str | None:
        """The template's name in `locale`, else in Dutch (the first language), else None."""
        return self.names.get(locale) or self.names.get("nl")

    def language(self, locale: str) -> str:
        """The language code the template is sent with."""
        return locale if locale in self.names else "nl"

    def values(self, context: Mapping[str, Any]) -> list[str]:
        """The parameter values from a push's context, as short single-line texts."""
        found = []
        for name in self.parameters:
            value = " ".join(str(context.get(name, "") or "-").split())
            found.append(value[:PARAMETER_LIMIT] or "-")
        return found


@dataclass(frozen=True)
class PushTemplates:
    """Message key → its template."""

    by_key: Mapping[str, PushTemplate] = field(default_factory=dict)

    def get(self, message_key: str) -> PushTemplate | None:
        """The template for a push, None when none is registered."""
        return self.by_key.get(message_key)


def window_open(last_inbound: datetime | None, now: datetime) -> bool:
    """Whether a free message may go now: the person wrote within the last 24 hours."""
    return last_inbound is not None and now - last_inbound < FREE_WINDOW


def parse_templates(raw: Any, locales: tuple[str, ...]) -> PushTemplates:
    """Validate the `[whatsapp_templates]` table of a policy."""
    if raw is None:
        return PushTemplates()
    if not isinstance(raw, dict):
        raise TemplateError("whatsapp_templates: must be a table of message keys")
    found: dict[str, PushTemplate] = {}
    for key, item in raw.items():
        where = f'whatsapp_templates."{key}"'
        if not isinstance(item, dict):
            raise TemplateError(f"{where}: must be a table")
        parameters = item.get("parameters", [])
        if not isinstance(parameters, list) or not all(isinstance(p, str) for p in parameters):
            raise TemplateError(f"{where}.parameters: must be a list of context names")
        names = {k: v for k, v in item.items() if k != "parameters"}
        for locale, name in names.items():
            if locale not in locales:
                raise TemplateError(f"{where}.{locale}: unknown language")
            if not isinstance(name, str) or not name.strip():
                raise TemplateError(f"{where}.{locale}: must be a template name")
        if not names:
            raise TemplateError(f"{where}: needs a template name per language (nl = ...)")
        found[str(key)] = PushTemplate(names, tuple(parameters))
    return PushTemplates(found)
