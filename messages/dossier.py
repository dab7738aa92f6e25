"""One participant on paper and in chat: the operator's HTML dossier and the `/deelnemer` reply.

The services (`bot.services.exports`, `bot.services.caseload`) hand over data with each month's
flags as stored; the flag lines are rendered here, in the reader's language.
"""

from __future__ import annotations

from typing import Any

from messages.render import flag_line, render


def _with_flag_lines(month: dict[str, Any], locale: str) -> dict[str, Any]:
    """A month (or version) with its flags as lines in `locale` (`flag_lines`) instead."""
    lines = [flag_line(f, locale) for f in month["flags"]]
    return {k: v for k, v in month.items() if k != "flags"} | {"flag_lines": lines}


def render_dossier(context: dict[str, Any], locale: str) -> str:
    """The dossier (`bot.services.exports.dossier_context`) as a standalone HTML5 page."""
    declarations = [_with_flag_lines(d, locale) for d in context["declarations"]]
    return render("digest/dossier", locale, **(context | {"declarations": declarations})) + "\n"
