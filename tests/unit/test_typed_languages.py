"""Typed input in every language: Arabic digits and separators, words, month names, languages."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.hours import parse_hours
from bot.domain.languages import LANGUAGE_WORDS, client_locale, language_of
from bot.domain.localtime import parse_local_date, parse_local_datetime, parse_local_time
from bot.domain.models import LOCALES
from bot.domain.money import parse_amount
from bot.domain.periods import period_from_text
from bot.domain.typed import Refusal, latin_digits, parse_number
from bot.domain.words import DONE, NO, NONE, SEND, YES, answer_word, fold

CEILING = 10**15  # no ceiling in the way: the reading is what is tested
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
EXTENDED = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC_SEPARATORS = str.maketrans({".": "٬", ",": "٫"})  # the Dutch way, in Arabic
TODAY = date(2026, 12, 6)


def _same(a: Decimal | Refusal, b: Decimal | Refusal) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a.as_tuple() == b.as_tuple()  # the typed decimals count too
    return a == b


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("١٬٢٥٠٫٥٠", 125_050),
        ("١٢٥٠٫٥٠", 125_050),
        ("١٢٥٠٫٥", 125_050),
        ("١٢٥٠،٥٠", 125_050),  # the Arabic comma as the decimal comma
        ("١٢٥٠", 125_000),
        ("۱۲۵۰٫۵۰", 125_050),  # Extended Arabic-Indic (Persian/Urdu keyboards)
        ("۱٬۲۵۰", 125_000),
        ("١٬٢٥٠٬٠٠٠", 125_000_000),
        ("€ ١٬٢٥٠٫٥٠", 125_050),
        ("١٬٢٥٠٫٥٠ يورو", 125_050),
        ("١٢٥٠ اليورو", 125_000),
        ("\u200f١٢٥٠٫٥٠\u200f", 125_050),  # right-to-left marks a keyboard adds
        ("\u2068١٢٥٠\u2069", 125_000),
        ("١ ٢٥٠", 125_000),
        ("1.250,50 avro", 125_050),
        ("1250,50 euro", 125_050),
        ("1٬250٫50", 125_050),  # Latin digits, Arabic separators
    ],
)
def test_amounts_typed_the_arabic_way(typed: str, cents: int) -> None:
    assert parse_amount(typed, CEILING) == cents


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("١٬٢٥", "declaration/refuse_not_number"),  # a thousands separator out of place
        ("٫٫٥", "declaration/refuse_not_number"),
        ("١٢٫٥٥٥", "declaration/refuse_decimals"),
        ("-١٢٥٠", "declaration/refuse_negative"),
        ("ألف", "declaration/refuse_not_number"),
    ],
)
def test_arabic_amounts_that_are_no_amount_are_refused(typed: str, key: str) -> None:
    refused = parse_amount(typed, CEILING)
    assert isinstance(refused, Refusal)
    assert refused.key == key


@settings(max_examples=2000)
@given(st.text(alphabet="0123456789.,", min_size=1, max_size=16))
def test_arabic_indic_digits_parse_as_the_latin_ones(text: str) -> None:
    latin = parse_number(text)
    assert _same(parse_number(text.translate(ARABIC_INDIC)), latin), text
    assert _same(parse_number(text.translate(EXTENDED)), latin), text


dutch_grouped = st.builds(
    lambda head, groups, frac: head + "".join("." + g for g in groups) + frac,
    st.from_regex(r"[1-9][0-9]{0,2}", fullmatch=True),
    st.lists(st.from_regex(r"[0-9]{3}", fullmatch=True), min_size=0, max_size=3),
    st.one_of(st.just(""), st.from_regex(r",[0-9]{1,2}", fullmatch=True)),
)


@settings(max_examples=2000)
@given(dutch_grouped)
def test_arabic_separators_parse_as_the_dutch_ones(text: str) -> None:
    latin = parse_amount(text, CEILING)
    assert isinstance(latin, int)
    arabic = text.translate(ARABIC_SEPARATORS)
    assert parse_amount(arabic, CEILING) == latin, arabic
    assert parse_amount(arabic.translate(ARABIC_INDIC), CEILING) == latin, arabic
    assert parse_amount(arabic.translate(EXTENDED), CEILING) == latin, arabic


def test_latin_text_is_left_alone() -> None:
    for text in ("1.250,50", "abc", "12 uur", ""):
        assert latin_digits(text) is text  # no copy on the fast path


def test_digits_of_other_scripts_still_count() -> None:
    assert latin_digits("१२") == "12"  # Devanagari
    assert parse_number("১২") == Decimal(12)  # Bengali


@pytest.mark.parametrize(
    ("typed", "hours"),
    [
        ("١٢", "12"),
        ("١٢٫٥", "12.5"),
        ("١٢٫٥ ساعة", "12.5"),
        ("٨ ساعات", "8"),
        ("۸", "8"),
        ("12 saat", "12"),
        ("12,5 saat", "12.5"),
        ("7 sa", "7"),
        ("12 uur", "12"),
    ],
)
def test_hours_in_every_language(typed: str, hours: str) -> None:
    assert parse_hours(typed, Decimal(80)) == Decimal(hours)


def test_hours_refusals_are_the_same_in_arabic() -> None:
    refused = parse_hours("٩٠", Decimal(80))
    assert isinstance(refused, Refusal)
    assert refused.key == "declaration/refuse_hours_too_high"


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("ja", YES),
        ("Yes!", YES),
        ("نعم", YES),
        ("نعم؟", YES),
        ("أجل", YES),
        ("اجل", YES),
        ("evet", YES),
        ("EVET.", YES),
        ("nee", NO),
        ("لا", NO),
        ("hayır", NO),
        ("HAYIR", NO),
        ("hayir", NO),
        ("geen", NONE),
        ("لا شيء", NONE),
        ("لا شئ", NONE),
        ("لا شي", NONE),
        ("لا يوجد", NONE),
        ("yok", NONE),
        ("Hiçbir şey", NONE),
        ("klaar", DONE),
        ("انتهيت", DONE),
        ("تم", DONE),
        ("bitti", DONE),
        ("tamam", DONE),
        ("Doorgeven", SEND),
        ("إرسال", SEND),
        ("gönder", SEND),
        ("gonder", SEND),
    ],
)
def test_answer_words_in_every_language(typed: str, words: frozenset[str]) -> None:
    assert answer_word(typed) in words


def test_no_word_means_yes_and_no_or_done_and_none() -> None:
    assert not YES & NO
    assert not DONE & NONE
    assert not SEND & (YES | NO | NONE | DONE)


def test_folding_takes_case_accents_and_vowel_marks_away() -> None:
    assert fold("Türkçe") == fold("TURKCE") == "turkce"
    assert fold("İngilizce") == "ingilizce"
    assert fold("العَرَبِيَّة") == fold("العربية")
    assert fold("غداً") == "غدا"
    assert fold("Ja") == "ja"


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("1 يناير", date(2027, 1, 1)),
        ("1 يناير 2027", date(2027, 1, 1)),
        ("١ يناير ٢٠٢٧", date(2027, 1, 1)),
        ("من 1 يناير", date(2027, 1, 1)),
        ("اعتباراً من ١ فبراير", date(2027, 2, 1)),
        ("15 أبريل", date(2027, 4, 15)),
        ("15 ابريل", date(2027, 4, 15)),
        ("1 كانون الثاني", date(2027, 1, 1)),  # Levantine month names
        ("1 تشرين الأول", date(2026, 10, 1)),
        ("3 آذار", date(2027, 3, 3)),
        ("١٤/١٢/٢٠٢٦", date(2026, 12, 14)),
        ("۱۴-۱۲", date(2026, 12, 14)),
        ("غدا", date(2026, 12, 7)),
        ("غداً", date(2026, 12, 7)),
        ("أمس", date(2026, 12, 5)),
        ("اليوم", TODAY),
        ("1 Ocak", date(2027, 1, 1)),
        ("1 ocak 2027", date(2027, 1, 1)),
        ("1 Ocak'tan itibaren", date(2027, 1, 1)),
        ("3 Mart 2027'de", date(2027, 3, 3)),
        ("1 Şubat", date(2027, 2, 1)),
        ("1 subat", date(2027, 2, 1)),
        ("5 Ağu", date(2026, 8, 5)),
        ("yarın", date(2026, 12, 7)),
        ("YARIN", date(2026, 12, 7)),
        ("bugün", TODAY),
        ("dün", date(2026, 12, 5)),
        ("14 december", date(2026, 12, 14)),
        ("per 1 januari", date(2027, 1, 1)),
        ("morgen", date(2026, 12, 7)),
    ],
)
def test_typed_days_in_every_language(typed: str, day: date) -> None:
    assert parse_local_date(typed, TODAY) == day


@pytest.mark.parametrize("typed", ["1 شيء", "Ocak", "32 يناير", "1 xyz", "1 يناير 2040"])
def test_typed_days_that_are_no_day(typed: str) -> None:
    assert parse_local_date(typed, TODAY) is None


def test_typed_times_with_arabic_digits() -> None:
    assert parse_local_time("٩:٣٠") == time(9, 30)
    now = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    moment = parse_local_datetime("١٤-١٢ ١٠:٠٠", now)
    assert moment is not None
    assert moment == parse_local_datetime("14-12 10:00", now)


@pytest.mark.parametrize(
    ("typed", "period"),
    [
        ("Kasım", "2026-11"),
        ("kasim 2025", "2025-11"),
        ("نوفمبر", "2026-11"),
        ("تشرين الثاني", "2026-11"),
        ("تشرين الثاني 2025", "2025-11"),
        ("١١-٢٠٢٦", "2026-11"),
        ("۱۱/۲۰۲۶", "2026-11"),
        ("november", "2026-11"),
        ("nov 2026", "2026-11"),
        ("2026-11", "2026-11"),
        ("Aralık", "2025-12"),
    ],
)
def test_months_after_opgave_in_every_language(typed: str, period: str) -> None:
    assert period_from_text(typed, date(2026, 11, 30)) == period


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("arabisch", "ar"),
        ("Arabic", "ar"),
        ("العربية", "ar"),
        ("العَرَبِيَّة", "ar"),
        ("عربي", "ar"),
        ("Arapça", "ar"),
        ("arapca", "ar"),
        ("AR", "ar"),
        ("turks", "tr"),
        ("Türkçe", "tr"),
        ("turkce", "tr"),
        ("TÜRKÇE", "tr"),
        ("Turkish", "tr"),
        ("تركي", "tr"),
        ("التركية", "tr"),
        ("tr", "tr"),
        ("nederlands", "nl"),
        ("Dutch", "nl"),
        ("Felemenkçe", "nl"),
        ("الهولندية", "nl"),
        ("English", "en"),
        ("İngilizce", "en"),
        ("الإنجليزية", "en"),
        ("Engels.", "en"),
    ],
)
def test_a_language_typed_in_any_language(typed: str, code: str) -> None:
    assert language_of(typed) == code


def test_every_language_has_names_and_no_name_means_two() -> None:
    from bot.domain import languages

    names = [languages._letters(n) for ns in languages._NAMES.values() for n in ns]
    assert len(names) == len(set(names)) == len(LANGUAGE_WORDS)
    assert set(LANGUAGE_WORDS.values()) == set(LOCALES)
    assert language_of("klingon") is None


@pytest.mark.parametrize(
    ("code", "locale"),
    [("tr", "tr"), ("ar", "ar"), ("en-GB", "en"), ("en", "en"), ("nl-BE", "nl"), ("ar_SY", "ar")],
)
def test_a_chat_apps_language_the_assistant_speaks(code: str, locale: str) -> None:
    assert client_locale(code) == locale


@pytest.mark.parametrize("code", [None, "", "de", "fr-FR", "fa"])
def test_a_chat_apps_language_the_assistant_does_not_speak(code: str | None) -> None:
    assert client_locale(code) is None
