"""`messages.bidi`: left-to-right runs in right-to-left Telegram HTML, isolated."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from messages import bidi
from messages.bidi import first_strong, html_dir, is_rtl, isolate_ltr, unisolated_ltr_runs

FSI, PDI = "\u2068", "\u2069"


def iso(text: str) -> str:
    return FSI + text + PDI


@pytest.mark.parametrize(
    "run",
    [
        "Kim de Vries",
        "€ 1.250,50",
        "€\xa01.250,50",
        "€1.250,50",
        "-€1.250,50",
        "1,250.50\xa0€",
        "PTO-2026-11-0042",
        "/opgave",
        "12",
        "2026",
        "kim@example.org",
        "https://pto.example.org/opgave?maand=2026-11",
        "12 december 2026",
        "12%",
        "%12",
        "Şükrü Çelik",
        "İstanbul",
        "Cafe\u0301",
        "O&#39;Brien",
        "Kim &amp; Jan",
        "Kim (coach)",
        "08:05",
    ],
)
def test_a_run_alone_and_between_arabic_words(run: str) -> None:
    assert isolate_ltr(run) == iso(run)
    assert isolate_ltr(f"مرحبا {run} شكرا") == f"مرحبا {iso(run)} شكرا"
    assert unisolated_ltr_runs(f"مرحبا {run} شكرا") == [run]


def test_an_arabic_message_with_a_name_an_amount_and_a_date() -> None:
    message = "مرحبا Kim de Vries، استلمنا € 1.250,50 في 12 ديسمبر 2026."
    assert isolate_ltr(message) == (
        f"مرحبا {iso('Kim de Vries')}، استلمنا {iso('€ 1.250,50')} في {iso('12')} ديسمبر "
        f"{iso('2026')}."
    )
    assert first_strong(isolate_ltr(message)) == "AL"


@pytest.mark.parametrize(
    ("text", "isolated"),
    [
        ("في 2026.", f"في {iso('2026')}."),  # the full stop is the Arabic sentence's
        ("اكتب /opgave، ثم", f"اكتب {iso('/opgave')}، ثم"),
        ("رقم PTO-1؟", f"رقم {iso('PTO-1')}؟"),
        ("(PTO-1)", f"({iso('PTO-1')})"),  # brackets it did not open stay outside
        ("Kim: نعم", f"{iso('Kim')}: نعم"),
        ("B.V. شركة", f"{iso('B.V')}. شركة"),
        ("- Kim", f"- {iso('Kim')}"),  # a dash as a bullet is not a minus sign
        ("المبلغ -12", f"المبلغ {iso('-12')}"),
        ("مرحبا 👋 Kim", f"مرحبا 👋 {iso('Kim')}"),
        ("١٢٣ يوم", "١٢٣ يوم"),  # Arabic-Indic digits are Arabic text
        ("/ و #", "/ و #"),  # no letter or digit: no run
        ("—", "—"),
        ("", ""),
    ],
)
def test_what_stays_outside_a_run(text: str, isolated: str) -> None:
    assert isolate_ltr(text) == isolated


def test_runs_end_at_tags_and_tags_are_never_touched() -> None:
    assert isolate_ltr("<b>€ 12,50</b>") == f"<b>{iso('€ 12,50')}</b>"
    assert isolate_ltr("<b>Kim</b> de Vries") == f"<b>{iso('Kim')}</b> {iso('de Vries')}"
    link = '<a href="https://example.org/Kim?a=1&amp;b=2">رابط Kim</a>'
    assert (
        isolate_ltr(link) == f'<a href="https://example.org/Kim?a=1&amp;b=2">رابط {iso("Kim")}</a>'
    )
    assert isolate_ltr("<i>مرحبا</i>") == "<i>مرحبا</i>"
    assert isolate_ltr("<b><i>12</i>،</b>") == f"<b><i>{iso('12')}</i>،</b>"


def test_entities_are_never_split() -> None:
    assert isolate_ltr("&quot;Kim&quot;") == f"&quot;{iso('Kim')}&quot;"
    assert isolate_ltr("&#34;Kim&#34;") == f"&#34;{iso('Kim')}&#34;"
    assert isolate_ltr("&lt;12&gt;") == f"&lt;{iso('12')}&gt;"
    assert isolate_ltr("Kim&amp;") == f"{iso('Kim')}&amp;"
    assert isolate_ltr("نعم &amp; لا") == "نعم &amp; لا"  # "amp" is no word
    assert isolate_ltr("&#x27;12") == f"&#x27;{iso('12')}"


def test_code_is_isolated_from_outside_and_code_blocks_are_left_alone() -> None:
    """Telegram copies <code> and <pre> by a tap: nothing invisible goes into them."""
    assert isolate_ltr("رقم <code>PTO-1</code>.") == f"رقم {iso('<code>PTO-1</code>')}."
    assert unisolated_ltr_runs("رقم <code>PTO-1</code>.") == ["PTO-1"]
    assert isolate_ltr("<code>١٢</code>") == "<code>١٢</code>"
    block = "<pre>PTO-1\nPTO-2</pre>"
    assert isolate_ltr(block) == block
    assert unisolated_ltr_runs(block) == []
    assert isolate_ltr("<b>رقم <code>A1</code></b>") == f"<b>رقم {iso('<code>A1</code>')}</b>"


def test_lines_are_paragraphs() -> None:
    assert isolate_ltr("Kim\nde Vries\n\n12") == f"{iso('Kim')}\n{iso('de Vries')}\n\n{iso('12')}"
    # an isolate left open at a line's end ends there (UAX #9): the next line is new text
    assert isolate_ltr(f"{FSI}Kim\nde Vries") == f"{FSI}Kim\n{iso('de Vries')}"
    assert unisolated_ltr_runs(f"{FSI}Kim\nJan") == ["Jan"]


def test_isolated_text_is_left_alone() -> None:
    once = isolate_ltr("مرحبا Kim de Vries، € 12,50\n<b>PTO-1</b>")
    assert isolate_ltr(once) == once
    assert unisolated_ltr_runs(once) == []
    assert isolate_ltr("\u2066Kim\u2069 Jan") == f"\u2066Kim\u2069 {iso('Jan')}"  # LRI
    assert isolate_ltr(f"{FSI}Kim {FSI}12{PDI} Jan{PDI}") == f"{FSI}Kim {FSI}12{PDI} Jan{PDI}"
    assert unisolated_ltr_runs(f"مرحبا {iso('Kim')} Jan") == ["Jan"]
    assert isolate_ltr(f"{PDI}Kim") == f"{PDI}{iso('Kim')}"  # a stray PDI closes nothing


def test_first_strong() -> None:
    assert first_strong("مرحبا Kim") == "AL"
    assert first_strong("<b>Kim</b> مرحبا") == "L"
    assert first_strong(f"{iso('Kim')} مرحبا") == "AL"
    assert first_strong(f"<b>{iso('€ 12')}</b>: מחיר") == "R"
    assert first_strong("&quot; مرحبا") == "AL"  # entities count as what they stand for
    assert first_strong('<a href="https://x.org">١٢ €</a>') is None
    assert first_strong(f"{FSI}Kim\nمرحبا") == "AL"
    assert first_strong("\u200f12") == "R"
    assert first_strong("") is None


def test_locales() -> None:
    assert is_rtl("ar")
    assert not is_rtl("nl")
    assert not is_rtl("tr")
    assert html_dir("ar") == "rtl"
    assert html_dir("tr") == "ltr"
    assert html_dir("en") == "ltr"


def test_no_right_to_left_character_is_ever_an_anchor() -> None:
    anchor = re.compile(bidi._ANCHOR)
    for code in range(0x110000):
        char = chr(code)
        if unicodedata.bidirectional(char) in ("R", "AL", "AN", "NSM"):
            assert not anchor.match(char) or unicodedata.category(char) == "Mn", hex(code)


def test_every_latin_and_turkish_letter_is_an_anchor() -> None:
    anchor = re.compile(bidi._ANCHOR)
    for code in range(0x2FF):
        char = chr(code)
        if unicodedata.category(char).startswith("L"):
            assert anchor.fullmatch(char), hex(code)


# --- properties -------------------------------------------------------------------------------

ARABIC = st.sampled_from(["مرحبا", "المبلغ", "ديسمبر", "رقم", "،", "؟", "١٢٣", "👋", "شكرا."])
LATIN = st.one_of(
    st.sampled_from(
        [
            "Kim",
            "de Vries",
            "€",
            "€ 1.250,50",
            "-€12,50",
            "PTO-2026-11-0042",
            "/opgave",
            "kim@example.org",
            "Türkçe",
            "İş",
            "2026.",
            "(coach)",
            "O&#39;Brien",
            "&amp;",
            "&quot;",
            "&lt;",
            "%",
            "—",
            "...",
        ]
    ),
    st.text(alphabet="abcçğıöşüéA0123456789.,:;-–/'’()€_+%?= \xa0", min_size=1, max_size=8),
)
SPACES = st.sampled_from([" ", " ", "\xa0", "\n", " - ", ". ", "، ", "\n\n"])
WORDS = st.lists(
    st.one_of(ARABIC, LATIN, SPACES, LATIN.map(iso), st.just("\u2066Kim\u2069")), max_size=12
).map("".join)
CODE = LATIN.filter(lambda word: "\n" not in word).map(lambda word: f"<code>{word}</code>")
HTML = st.recursive(
    st.one_of(WORDS, CODE),
    lambda inner: st.tuples(
        st.sampled_from(
            ["<b>", "<i>", "<u>", "<s>", '<a href="https://example.org/Kim?a=1&amp;b=2">']
        ),
        st.lists(inner, min_size=1, max_size=3).map("".join),
    ).map(lambda parts: parts[0] + parts[1] + "</" + parts[0][1:].split()[0].rstrip(">") + ">"),
    max_leaves=8,
)
TAG = re.compile(r"<[^<>]*>")


def _only_insertions(before: str, after: str) -> bool:
    """Whether `after` is `before` with FSI and PDI characters inserted."""
    i = 0
    for char in after:
        if i < len(before) and char == before[i]:
            i += 1
        elif char not in (FSI, PDI):
            return False
    return i == len(before)


def _strong_ltr_outside_isolates(html: str) -> list[str]:
    """Letters of bidi class L and digits 0-9 in text outside isolates (independent of bidi.py)."""
    text = re.sub(r"&[#A-Za-z0-9]+;", " ", TAG.sub("", html))
    depth, found = 0, []
    for char in text:
        if char == "\n":
            depth = 0
        elif char in "\u2066\u2067\u2068":
            depth += 1
        elif char == PDI:
            depth = max(0, depth - 1)
        elif not depth and (unicodedata.bidirectional(char) == "L" or char in "0123456789"):
            found.append(char)
    return found


@settings(max_examples=1500)
@given(HTML)
def test_isolating_only_inserts_isolates_and_leaves_nothing_unisolated(html: str) -> None:
    out = isolate_ltr(html)
    assert _only_insertions(html, out)
    assert TAG.findall(out) == TAG.findall(html)
    assert isolate_ltr(out) == out
    assert unisolated_ltr_runs(out) == []
    assert _strong_ltr_outside_isolates(out) == []
    if not unisolated_ltr_runs(html):
        assert out == html


@settings(max_examples=500)
@given(ARABIC.filter(lambda word: word[0].isalpha()), HTML)
def test_a_message_that_starts_in_arabic_stays_arabic(first: str, rest: str) -> None:
    assert first_strong(isolate_ltr(f"{first} {rest}")) == "AL"


def test_a_bracket_closed_outside_the_run_stays_outside() -> None:
    text = "الأسبوع 45 (2–8 نوفمبر)"
    assert isolate_ltr(text) == "الأسبوع \u206845\u2069 (\u20682–8\u2069 نوفمبر)"
    assert unisolated_ltr_runs(isolate_ltr(text)) == []
    closing = "مدير (klantmanager) Kim Klantmanager في"
    isolated = "مدير (\u2068klantmanager\u2069) \u2068Kim Klantmanager\u2069 في"
    assert isolate_ltr(closing) == isolated
    expected = "\u2068Kim (coach)\u2069 و (\u2068a\u2069 (\u2068b\u2069"
    assert isolate_ltr("Kim (coach) و (a (b") == expected
