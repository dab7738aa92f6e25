"""The translation catalogs are complete and sound (issue 18, docs/translations.md).

What `python -m messages.catalogs check` reports must be nothing: every sentence of the templates
is in every catalog (for Arabic and Turkish: every sentence a participant reads), none fuzzy or
empty, placeholders as in the Dutch source, and each .mo compiled from its .po.
"""

from __future__ import annotations

import pytest
from babel.messages.catalog import Catalog

from messages import catalogs
from messages.render import CATALOGS

LOCALES = catalogs.translated_locales()


@pytest.fixture(scope="module")
def template() -> Catalog:
    return catalogs.extract()


@pytest.mark.parametrize("locale", LOCALES)
def test_the_catalog_is_complete_and_sound(locale: str, template: Catalog) -> None:
    found = [str(p) for p in catalogs.problems(locale, template)]
    hint = "\n(python -m messages.catalogs update, then translate)"
    assert not found, "\n".join(found[:40]) + hint


def test_the_template_file_is_current(template: Catalog) -> None:
    shipped = catalogs.read_template()
    ids = {m.id for m in template if m.id}
    assert ids == {m.id for m in shipped if m.id}, "run: python -m messages.catalogs update"


@pytest.mark.parametrize("locale", ["ar", "tr"])
def test_unreviewed_translations_say_so_in_their_header(locale: str) -> None:
    header = (CATALOGS / locale / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    assert catalogs.NEEDS_REVIEW in header.split("msgid")[0]


def _catalog_with(msgid: str | tuple[str, str], msgstr: str | tuple[str, ...]) -> Catalog:
    catalog = Catalog(locale="tr")
    catalog.add(msgid, msgstr, locations=[("messages/templates/declaration/x.j2", 1)])
    return catalog


def _template_with(msgid: str | tuple[str, str]) -> Catalog:
    catalog = Catalog(locale="nl")
    catalog.add(msgid, locations=[("messages/templates/declaration/x.j2", 1)])
    return catalog


@pytest.mark.parametrize(
    ("msgstr", "what"),
    [
        ("Bitti %(periode)s", "placeholders"),  # a renamed placeholder
        ("Bitti", "placeholders"),  # a dropped one
        ("", "untranslated"),
    ],
)
def test_the_check_finds_broken_entries(msgstr: str, what: str) -> None:
    msgid = "Klaar met %(period)s"
    found = list(catalogs.check_catalog("tr", _catalog_with(msgid, msgstr), _template_with(msgid)))
    assert [p.what.split(" ")[0] for p in found] == [what]


def test_the_check_finds_missing_and_fuzzy_entries() -> None:
    template = _template_with("Nieuw")
    assert [p.what for p in catalogs.check_catalog("tr", Catalog(locale="tr"), template)] == [
        "missing"
    ]
    fuzzy = _catalog_with("Nieuw", "Yeni")
    next(m for m in fuzzy if m.id).flags.add("fuzzy")
    assert [p.what for p in catalogs.check_catalog("tr", fuzzy, template)] == ["fuzzy"]


def test_klantmanager_sentences_may_stay_dutch_in_arabic_and_turkish() -> None:
    template = Catalog(locale="nl")
    template.add("Wachtrij", locations=[("messages/templates/queue/list.j2", 1)])
    assert list(catalogs.check_catalog("ar", Catalog(locale="ar"), template)) == []
    assert [p.what for p in catalogs.check_catalog("en", Catalog(locale="en"), template)] == [
        "missing"
    ]
