"""The translation catalogs: extract, update, compile and check, without make.

    python -m messages.catalogs update   # templates → messages.pot → each .po → .mo
    python -m messages.catalogs compile  # each .po → .mo (what the bot reads)
    python -m messages.catalogs check    # what tests/unit/test_catalogs.py checks, as a report

Dutch is the source language: the templates' `{% trans %}` blocks and `_()` calls hold the Dutch
sentence, which is the msgid. Babel extracts them with Jinja2's own extractor (the same
`trim_blocks`/`lstrip_blocks` as messages/render.py, so the msgids are the strings the templates
ask for). Translators edit `messages/locale/<locale>/LC_MESSAGES/messages.po` in Poedit, Weblate or
Crowdin; docs/translations.md says how to add a language.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message, TranslationError
from babel.messages.checkers import python_format
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from messages.render import CATALOGS, DEFAULT_LOCALE, LOCALES, TEMPLATES

TEMPLATE_FILE = CATALOGS / "messages.pot"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
PROJECT = "PTO-assistent"
# Header line of the catalogs a native speaker has not reviewed yet (README, "Languages").
NEEDS_REVIEW = "NEEDS REVIEW by a native speaker before use"
# Catalogs whose texts for klantmanagers and coaches may stay untranslated (issue 18: only what a
# participant reads must be complete; the rest falls back to Dutch).
PARTICIPANT_ONLY = frozenset({"ar", "tr"})
PARTICIPANT_FOLDERS = (
    "buttons/",
    "changes/",
    "common/",
    "declaration/",
    "flags/",
    "hours/",
    "menu/",
    "onboarding/",
    "privacy/",
    "reminders/",
    "whatsapp/",
    # participants' messages kept beside the klantmanager's or coach's flow
    "coach/push.",
    "queue/correction_requested.",
    "queue/correction_unchanged.",
    "queue/remind_push.",
)
_JINJA_OPTIONS = {
    "extensions": "jinja2.ext.i18n",
    "trim_blocks": "true",
    "lstrip_blocks": "true",
    "newstyle_gettext": "true",
    "silent": "false",
}


def catalog_path(locale: str, suffix: str = "po") -> Path:
    return CATALOGS / locale / "LC_MESSAGES" / f"messages.{suffix}"


def translated_locales() -> tuple[str, ...]:
    return tuple(locale for locale in LOCALES if locale != DEFAULT_LOCALE)


def extract() -> Catalog:
    """Every sentence of the templates, with the template names it occurs in."""
    catalog = Catalog(project=PROJECT, locale=DEFAULT_LOCALE, charset="utf-8")
    found = extract_from_dir(
        str(TEMPLATES),
        method_map=[("**.j2", "jinja2.ext:babel_extract")],
        options_map={"**.j2": _JINJA_OPTIONS},
        comment_tags=("Translators:",),
    )
    for filename, lineno, message, comments, context in found:
        catalog.add(
            message,
            None,
            [(f"messages/templates/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalog


def read(locale: str) -> Catalog:
    with catalog_path(locale).open("rb") as po:
        return read_po(po, locale=locale)


def write(catalog: Catalog, path: Path) -> None:
    """Write a catalog, unless only its creation date would change (no noise in the history)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=99, sort_output=False, include_previous=False)
    if path.exists() and _undated(path.read_bytes()) == _undated(buffer.getvalue()):
        return
    path.write_bytes(buffer.getvalue())


def _undated(po: bytes) -> bytes:
    return re.sub(rb'"POT-Creation-Date: [^"]*"', b"", po)


def compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def update() -> Catalog:
    """Templates → messages.pot → every catalog (new msgids empty, gone ones dropped) → .mo;
    returns the extracted template."""
    template = extract()
    write(template, TEMPLATE_FILE)
    for locale in translated_locales():
        path = catalog_path(locale)
        if path.exists():
            catalog = read(locale)
        else:
            catalog = Catalog(
                project=PROJECT,
                locale=locale,
                charset="utf-8",
                header_comment=f"# {PROJECT}: {locale}. {NEEDS_REVIEW}.\n# Source: Dutch.",
            )
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        write(catalog, path)
    compile_all()
    return template


def compile_all() -> None:
    for locale in translated_locales():
        catalog_path(locale, "mo").write_bytes(compiled(read(locale)))


def is_participant_text(message: Message) -> bool:
    """Whether a participant can read this sentence (it occurs in a participant's template)."""
    prefix = "messages/templates/"
    return any(
        filename.startswith(prefix) and filename[len(prefix) :].startswith(PARTICIPANT_FOLDERS)
        for filename, _ in message.locations
    )


@dataclass(frozen=True)
class Problem:
    locale: str
    msgid: str
    what: str

    def __str__(self) -> str:
        return f"{self.locale}: {self.what}: {self.msgid[:70]!r}"


def _strings(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def read_template() -> Catalog:
    with TEMPLATE_FILE.open("rb") as pot:
        return read_po(pot)


def problems(locale: str, template: Catalog | None = None) -> Iterable[Problem]:
    """Missing, fuzzy, untranslated or placeholder-broken entries, and a stale .mo."""
    catalog = read(locale)
    yield from check_catalog(locale, catalog, template if template is not None else extract())
    mo = catalog_path(locale, "mo")
    if not mo.exists() or mo.read_bytes() != compiled(catalog):
        yield Problem(locale, "messages.mo", "not compiled from the .po (run compile)")


def check_catalog(locale: str, catalog: Catalog, template: Catalog) -> Iterable[Problem]:
    """The entries of `catalog` that fail the sentences of `template`."""
    for message in template:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        entry = catalog.get(message.id, context=message.context)
        required = locale not in PARTICIPANT_ONLY or is_participant_text(message)
        if entry is None:
            if required:
                yield Problem(locale, msgid, "missing")
            continue
        if entry.fuzzy:
            yield Problem(locale, msgid, "fuzzy")
        strings = _strings(entry.string)
        if not all(strings):
            if required:
                yield Problem(locale, msgid, "untranslated")
            continue
        try:
            python_format(catalog, entry)
        except TranslationError as exc:
            yield Problem(locale, msgid, f"placeholders ({exc})")
            continue
        wanted = set(PLACEHOLDER.findall(_strings(message.id)[-1]))
        for string in strings:
            if set(PLACEHOLDER.findall(string)) != wanted:
                yield Problem(locale, msgid, f"placeholders (not {sorted(wanted)})")
                break


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m messages.catalogs", description=__doc__)
    parser.add_argument("command", choices=("update", "compile", "check"))
    args = parser.parse_args(argv)
    if args.command == "update":
        template = update()
    else:
        if args.command == "compile":
            compile_all()
        template = extract()
    found = [p for locale in translated_locales() for p in problems(locale, template)]
    for problem in found:
        print(problem)  # noqa: T201 - a command-line report
    if args.command == "check":
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
