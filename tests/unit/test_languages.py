"""Every message in every language (issue 18): rendered from the catalogs, placeholders filled,
Arabic starting right-to-left with every left-to-right run isolated, Dutch kept as the language
of record."""

from __future__ import annotations

import re

import pytest
from babel.messages.catalog import Catalog

import messages.samples
from messages import catalogs
from messages.bidi import first_strong, unisolated_ltr_runs
from messages.render import LOCALES, RECORD_KEYS, render, template_keys

SAMPLES = messages.samples.merged()
KEYS = sorted(template_keys())
OWN_NAMES = "buttons/lang_"  # each language's own name, the same in every language
PARTICIPANT_KEYS = [
    k
    for k in KEYS
    if (k + ".").startswith(catalogs.PARTICIPANT_FOLDERS) and not k.startswith(OWN_NAMES)
]
LEFTOVER = re.compile(r"%\(\w+\)s|\{\{|\{%|%%")
ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")


@pytest.fixture(scope="module")
def template() -> Catalog:
    return catalogs.extract()


def test_the_participants_messages_are_most_messages() -> None:
    assert len(PARTICIPANT_KEYS) > 150, len(PARTICIPANT_KEYS)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("key", KEYS)
def test_every_message_renders_with_its_placeholders_filled(key: str, locale: str) -> None:
    text = render(key, locale, **SAMPLES.get(key, {}))
    assert text.strip(), f"{locale}/{key} rendered empty"
    assert not LEFTOVER.search(text), f"{locale}/{key}: {text[:200]!r}"


@pytest.mark.parametrize("key", PARTICIPANT_KEYS)
def test_arabic_messages_start_right_to_left_and_isolate_latin_runs(key: str) -> None:
    text = render(key, "ar", **SAMPLES.get(key, {}))
    assert ARABIC_LETTER.search(text), f"ar/{key} is not Arabic: {text[:120]!r}"
    assert first_strong(text) in ("AL", "R"), f"ar/{key} starts left-to-right: {text[:120]!r}"
    assert unisolated_ltr_runs(text) == [], f"ar/{key}: {text[:300]!r}"


@pytest.mark.parametrize("key", PARTICIPANT_KEYS)
def test_turkish_messages_are_turkish(key: str) -> None:
    dutch = render(key, "nl", **SAMPLES.get(key, {}))
    turkish = render(key, "tr", **SAMPLES.get(key, {}))
    if re.search(r"[^\W\d_]{3}", re.sub(r"<[^>]+>|/\w+", "", dutch)):  # it has words to translate
        assert turkish != dutch, f"tr/{key} is still Dutch"


@pytest.mark.parametrize("locale", ["ar", "tr"])
@pytest.mark.parametrize("key", sorted(RECORD_KEYS))
def test_what_has_legal_weight_is_also_shown_in_dutch(key: str, locale: str) -> None:
    ctx = SAMPLES.get(key, {})
    text = render(key, locale, **ctx)
    dutch = render(key, "nl", **ctx)
    plain = text.replace("\u2068", "").replace("\u2069", "")
    assert dutch in plain, f"{locale}/{key} lacks its Dutch text"
    assert plain.index(dutch) > 0  # below the reader's own language


@pytest.mark.parametrize("locale", ["ar", "tr"])
def test_the_indication_notice_is_in_dutch_too(locale: str) -> None:
    text = render("declaration/overview", locale, **SAMPLES["declaration/overview"])
    assert "indicatie, geen besluit" in text


def test_klantmanagers_read_their_own_language_not_dutch_of_record() -> None:
    ctx = SAMPLES["queue/correction_requested"]
    assert "Je klantmanager" not in render("queue/correction_requested", "en", **ctx)


def test_the_placeholders_of_every_translation_match_the_source(template: Catalog) -> None:
    for locale in catalogs.translated_locales():
        catalog = catalogs.read(locale)
        broken = [str(p) for p in catalogs.check_catalog(locale, catalog, template)]
        assert not broken, broken[:10]
