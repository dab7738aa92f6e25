"""Pages of the web inbox: HTML5 in the person's language, escaped by Jinja's autoescape.

The markup is in messages/templates/web/<page>.j2; every word a person reads comes from
messages/templates/web/words.j2 (Dutch msgids, translated by the catalogs), imported as `w`.
Money, dates and percentages use the same Babel filters as the chat (messages/render.py); the
weekly overview is the digest's own page (messages/digest.py).
"""

from __future__ import annotations

from typing import Any

from messages.render import DEFAULT_LOCALE, LOCALES, environment


def render_page(page: str, locale: str, **ctx: Any) -> str:
    """Render `web/<page>.j2` in `locale` (Dutch when unknown)."""
    if locale not in LOCALES:
        locale = DEFAULT_LOCALE
    template = environment(locale).get_template(f"web/{page}.j2")
    return template.render(**ctx)
