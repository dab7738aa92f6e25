"""Words people type instead of pressing a button, in every language the assistant speaks.

A phone without buttons (or a person who prefers typing) answers with a word: *ja*, *nee*,
*geen*, *klaar*. The recognisers accept that word in any of the languages (nl, en, ar, tr),
whatever language the person reads: no word means one thing in one language and another thing
in another, so there is nothing to choose (docs/domain.md, "Typed words").

Typed text is compared `fold`ed: case-folded, without accents, Arabic vowel marks and tatweel,
the Turkish dotless ı as i, and the Arabic letter forms people write interchangeably made one
(أ إ آ → ا, ى → ي, ة → ه, the hamza left out). So "HAYIR", "hayır" and "hayir" are one word,
as are "لا شيء", "لا شئ" and "لا شي". Month names and relative days for typed dates live here too
(`bot.domain.localtime` reads dates with them, `bot.domain.periods` months).
"""

from __future__ import annotations

import re
import unicodedata

_FOLD = str.maketrans({"ı": "i", "ى": "ي", "ی": "ي", "ة": "ه", "ـ": None, "ء": None})
# Punctuation around a one-word answer ("Ja.", "evet!", "نعم؟").
_AROUND = " .!?¿؟،,;:\u200e\u200f\u061c"


def fold(text: str) -> str:
    """`text` as typed words are compared: lower case, without accents or vowel marks."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.translate(_FOLD)


def answer_word(text: str) -> str:
    """A typed short answer as a word to look up: folded, without the punctuation around it."""
    return " ".join(fold(text).strip(_AROUND).split())


def _folded(*words: str) -> frozenset[str]:
    return frozenset(fold(w) for w in words)


YES = _folded(
    # nl, en
    "ja", "j", "yes", "y", "jazeker", "jawel", "ok",
    # ar
    "نعم", "أجل", "ايوه", "أيوه", "طيب", "موافق",
    # tr
    "evet", "tamam", "olur", "tabii",
)  # fmt: skip
NO = _folded(
    "nee", "n", "no", "neen",
    "لا", "كلا",
    "hayır", "yok", "değil",
)  # fmt: skip
NONE = _folded(
    "geen", "nee", "none", "no", "niks", "niets", "-",
    "لا", "لا شيء", "لاشيء", "لا يوجد", "ولا شيء", "لا شي", "بدون",
    "yok", "hayır", "hiç", "hiçbir şey", "hiç yok",
)  # fmt: skip
DONE = _folded(
    "klaar", "done", "ready", "verder", "ok",
    "انتهيت", "تم", "خلاص", "جاهز", "انتهى",
    "bitti", "tamam", "tamamdır", "hazır", "devam",
)  # fmt: skip
SEND = _folded(
    "doorgeven", "versturen", "verstuur", "send", "report",
    "إرسال", "أرسل", "ارسل", "إبلاغ",
    "gönder", "bildir", "ilet",
)  # fmt: skip

# Days relative to today, as typed ("morgen", "غدا", "yarın").
RELATIVE_DAYS = {
    fold(word): days
    for words, days in (
        (("vandaag", "today", "اليوم", "bugün"), 0),
        (("morgen", "tomorrow", "غدا", "غداً", "بكرة", "yarın"), 1),
        (("overmorgen", "بعد غد", "بعد بكرة", "öbür gün", "yarından sonra"), 2),
        (("gisteren", "yesterday", "أمس", "البارحة", "dün"), -1),
    )
    for word in words
}

# The months as Babel (CLDR) writes them, wide and abbreviated ("7 mrt"), per language; kept here
# rather than asked of Babel, which would load each language's whole locale data (megabytes)
# for a few words. tests/unit/test_formats.py compares them with Babel's.
MONTH_NAMES = {
    "nl": (
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "ar": (
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "مايو",
        "يونيو",
        "يوليو",
        "أغسطس",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
    ),
    "tr": (
        "Ocak",
        "Şubat",
        "Mart",
        "Nisan",
        "Mayıs",
        "Haziran",
        "Temmuz",
        "Ağustos",
        "Eylül",
        "Ekim",
        "Kasım",
        "Aralık",
    ),
}
MONTH_ABBREVIATIONS = {
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec"),
    "ar": MONTH_NAMES["ar"],  # Arabic does not shorten month names
    "tr": ("Oca", "Şub", "Mar", "Nis", "May", "Haz", "Tem", "Ağu", "Eyl", "Eki", "Kas", "Ara"),
}
# Month names typed that Babel's ar and tr do not write: the Syriac names of the Levant and Iraq
# (كانون الثاني is January), which many Syrian and Iraqi statushouders use, Egyptian spellings,
# and short forms people type.
TYPED_MONTHS = {
    "كانون الثاني": 1,
    "شباط": 2,
    "آذار": 3,
    "نيسان": 4,
    "أيار": 5,
    "حزيران": 6,
    "تموز": 7,
    "آب": 8,
    "أيلول": 9,
    "تشرين الأول": 10,
    "تشرين الثاني": 11,
    "كانون الأول": 12,
    "إبريل": 4,
    "يونيه": 6,
    "يوليه": 7,
    "اغسطس": 8,
    "mrt": 3,
    "sept": 9,
    "sep": 9,
}
MONTHS = {
    fold(name): number
    for table in (MONTH_NAMES, MONTH_ABBREVIATIONS)
    for names in table.values()
    for number, name in enumerate(names, start=1)
} | {fold(name): number for name, number in TYPED_MONTHS.items()}


def month_number(word: str) -> int | None:
    """The month a typed name means ('maart', 'Mar', 'مارس', 'Mart', 'آذار'), or None."""
    return MONTHS.get(fold(word).rstrip("."))


# Arabic-Indic (U+0660…) and Extended Arabic-Indic (U+06F0…) digits as Latin ones, without the
# bidi marks a right-to-left keyboard may type around a number; then the Arabic decimal separator
# (U+066B) and the Arabic comma (U+060C) as the Dutch decimal comma, and the Arabic thousands
# separator (U+066C) as the Dutch thousands dot when its groups are whole ("١٬٢٥٠", not "١٬٢٥").
ARABIC_THOUSANDS = "\u066c"
_DIGITS = str.maketrans(
    {chr(0x0660 + i): str(i) for i in range(10)}
    | {chr(0x06F0 + i): str(i) for i in range(10)}
    | dict.fromkeys("\u200e\u200f\u061c\u2066\u2067\u2068\u2069")
)
_SEPARATORS = str.maketrans({"\u066b": ",", "\u060c": ",", ARABIC_THOUSANDS: "."})
_ARABIC_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:\u066c[0-9]{3})+(?:[\u066b\u060c][0-9]*)?")


def latin_digits(text: str) -> str:
    """`text` with digits of any script as Latin digits and the Arabic separators as Dutch ones
    ("١٬٢٥٠٫٥٠" → "1.250,50"). A thousands separator out of place stays, so the text is no
    number. ASCII text is returned as it is, at once."""
    if text.isascii():
        return text
    text = text.translate(_DIGITS)
    if ARABIC_THOUSANDS not in text or _ARABIC_GROUPED.fullmatch(text):
        text = text.translate(_SEPARATORS)
    if text.isascii():
        return text
    return "".join(  # other scripts' digits (Devanagari, Bengali, …): rare, so the slow way
        str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text
    )
