"""`render(key, locale, **ctx)`: one Jinja2 template per message, its sentences from gettext.

Templates live in `messages/templates/<feature>/<key>.j2` and produce Telegram HTML. They hold the
layout; every sentence is a `{% trans %}` block (or `_()`) whose Dutch text is the msgid, and the
other languages come from the catalogs in `messages/locale/<locale>/LC_MESSAGES/messages.po`
(compiled to `.mo`, read by the standard library's gettext: no Babel on this path). See
docs/translations.md and `python -m messages.catalogs`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from gettext import GNUTranslations, NullTranslations
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
    UndefinedError,
)
from markupsafe import Markup, escape

from bot.clock import parse_utc
from bot.domain.localtime import local_day
from bot.domain.models import DEFAULT_LOCALE as DEFAULT_LOCALE
from bot.domain.models import LOCALES as LOCALES
from messages import formats
from messages.bidi import RTL_LOCALES, html_dir, isolate_ltr

TEMPLATES = Path(__file__).parent / "templates"
CATALOGS = Path(__file__).parent / "locale"
# The source language (its sentences are the msgids) and every language spoken: bot.domain.models.
# Dutch stays the language of record (docs/translations.md): a participant reading one of these
# languages gets what has legal weight in Dutch too — these whole messages (receipts, deadlines, a
# correction request's reason) below their own, and the "indicatie, geen besluit" notice inline
# (`in_dutch` in the templates).
RECORD_LOCALES = frozenset({"ar", "tr"})
RECORD_KEYS = frozenset(
    {
        "declaration/receipt",
        "declaration/already_sent",
        "changes/receipt",
        "changes/already_sent",
        "reminders/push",
        "reminders/decl_before",
        "reminders/decl_due_today",
        "reminders/decl_late",
        "reminders/decl_open",
        "queue/correction_requested",
    }
)


def translations(locale: str) -> NullTranslations:
    """The compiled catalog of `locale` (Dutch, the source language, needs none)."""
    if locale == DEFAULT_LOCALE:
        return NullTranslations()
    with (CATALOGS / locale / "LC_MESSAGES" / "messages.mo").open("rb") as mo:
        return GNUTranslations(mo)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return local_day(value)
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _make_env(locale: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        cache_size=1000,
    )

    # Babel's patterns, written by `messages.formats` without loading its locale data.
    def money(cents: int | None) -> str:
        return "–" if cents is None else formats.money(cents, locale)

    def day(value: Any, fmt: str = "long") -> str:
        pattern = "d MMMM yyyy" if fmt == "long" else fmt
        written = formats.day(_as_date(value), pattern, locale)
        if written is None:
            from babel.dates import format_date

            babel_locale = formats.BABEL_LOCALES[locale]
            written = str(format_date(_as_date(value), pattern, locale=babel_locale))
        return written

    def moment(value: Any) -> str:
        return formats.moment(parse_utc(value) if isinstance(value, str) else value, locale)

    def month(period: str) -> str:
        return formats.month(date.fromisoformat(period + "-01"), locale)

    def pct(value: float | Decimal | None) -> str:
        return "–" if value is None else formats.percent(value, locale)

    def number(value: float | Decimal | int, digits: int = 1) -> str:
        return formats.number(value, digits, locale)

    def day_span(first: Any, last: Any) -> str:
        """The days of a week within a month: "3 nov." or "2–8 nov." ("d MMM")."""
        if first == last:
            return day(last, "d MMM")
        return f"{day(first, 'd')}–{day(last, 'd MMM')}"

    def weekday(index: int, width: str = "wide") -> str:
        """The name of a weekday, Monday = 0 ("maandag", "ma")."""
        return formats.weekday(int(index), width, locale)

    def flag_lines(flags: Iterable[Any]) -> list[str]:
        return [flag_line(flag, locale) for flag in flags]

    env.filters.update(money=money, date=day, moment=moment, month=month, pct=pct, number=number)
    env.filters["weekday"] = weekday
    env.globals["day_span"] = day_span
    env.globals["html_dir"] = html_dir
    env.filters["flag_lines"] = flag_lines
    env.globals["locale"] = locale

    def in_dutch(text: str) -> Markup:
        """A Dutch sentence of record (its msgid, Telegram HTML) on a line of its own."""
        if locale not in RECORD_LOCALES:
            return Markup("")
        return Markup("\n🇳🇱 " + text)  # noqa: S704 - a literal of our own templates

    env.globals["in_dutch"] = in_dutch
    env.newstyle_gettext = True  # type: ignore[attr-defined]  # the i18n extension's setting
    env.globals.update(_fast_gettext(translations(locale)))
    return env


def _fast_gettext(catalog: NullTranslations) -> dict[str, Any]:
    """Jinja's newstyle `gettext`/`ngettext` for autoescaped templates, without its per-call
    context lookups and `Markup.__mod__` (a helper object per value): the same text — the
    translation with each value escaped — in about a third of the time, which a digest with
    50,000 rows of several sentences each notices (bench P4)."""
    lookup, plural = catalog.gettext, catalog.ngettext

    def gettext(__string: str, **variables: Any) -> Markup:
        text = lookup(__string)
        if not variables:
            return Markup(text % variables)  # noqa: S704 - a catalog's text: "%%" becomes "%"
        return Markup(text % {k: escape(v) for k, v in variables.items()})  # noqa: S704

    def ngettext(__singular: str, __plural: str, __num: int, **variables: Any) -> Markup:
        variables.setdefault("num", __num)
        text = plural(__singular, __plural, __num)
        return Markup(text % {k: escape(v) for k, v in variables.items()})  # noqa: S704

    return {"gettext": gettext, "_": gettext, "ngettext": ngettext}


@lru_cache(maxsize=len(LOCALES))
def environment(locale: str) -> Environment:
    """The cached Jinja2 environment of one locale."""
    return _make_env(locale if locale in LOCALES else DEFAULT_LOCALE)


@lru_cache(maxsize=4096)
def _template(locale: str, key: str) -> Template:
    return environment(locale).get_template(f"{key}.j2")


def render(key: str, locale: str, **ctx: Any) -> str:
    """Render message `key` in `locale` (Dutch when the locale is unknown).

    Right-to-left text gets its left-to-right runs (names, amounts, dates, references, commands)
    isolated (messages/bidi.py); messages of record get their Dutch text below (RECORD_KEYS).
    """
    if locale not in LOCALES:
        locale = DEFAULT_LOCALE
    text = _template(locale, key).render(**ctx).strip()
    if locale in RECORD_LOCALES and key in RECORD_KEYS:
        dutch = _template(DEFAULT_LOCALE, key).render(**ctx).strip()
        heading = _template(locale, "common/record_dutch").render().strip()
        text = f"{text}\n\n{heading}\n{dutch}"
    if locale in RTL_LOCALES:
        text = isolate_ltr(text)
    return text


@lru_cache(maxsize=1024)
def _label(key: str, locale: str) -> str:
    """A button label without context: the same text every time, so rendered once."""
    return render(key, locale)


def button_label(button: Any, locale: str) -> str:
    """The text a `Button` shows in `locale`."""
    if button.text is not None:
        return str(button.text)
    if button.ctx:
        return render(button.label_key, locale, **button.ctx)
    return _label(button.label_key, locale)


def render_buttons(rows: Sequence[Sequence[Any]], locale: str) -> list[list[tuple[str, str]]]:
    """Turn rows of `Button`s into rows of (label, data)."""
    return [[(button_label(b, locale), b.data) for b in row] for row in rows]


def template_keys(locale: str = DEFAULT_LOCALE) -> Iterable[str]:
    """Every message key (one template each, the same for every locale; web pages excluded)."""
    for path in sorted(TEMPLATES.rglob("*.j2")):
        key = path.relative_to(TEMPLATES).with_suffix("").as_posix()
        if not key.startswith("web/"):
            yield key


def flag_line(flag: Mapping[str, Any], locale: str) -> str:
    """One flag as a short line (Telegram HTML); its plain code when no template fits."""
    code = str(flag.get("code", "?"))
    params = {k: v for k, v in flag.items() if k != "code"}
    try:
        return render(f"flags/{code}", locale, **params)
    except (TemplateNotFound, UndefinedError, TypeError, ValueError):
        return render("queue/flag_plain", locale, code=code)
