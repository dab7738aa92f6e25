"""Which language a person means: a language's name typed in any language, or a chat app's code.

`/taal` takes a code ("ar") or a name typed in any of the assistant's languages ("arabisch",
"Arabic", "العربية", "Arapça"), without regard to case, accents or Arabic vowel marks
(`bot.domain.words.fold`). A chat app may tell the language its user set ("en-GB"): a new
participant is greeted in it when the assistant speaks it (`client_locale`, `first_locale`).
"""

from __future__ import annotations

from bot.domain.models import LOCALES, Role
from bot.domain.words import fold


def _letters(text: str) -> str:
    return "".join(ch for ch in fold(text) if ch.isalpha())


# The languages klantmanager, coach and admin texts are written in: what participants read comes
# in every language, the staff's texts in Dutch and English (docs/domain.md, "Typed words").
STAFF_LOCALES = ("nl", "en")

# Each language's codes and its names in Dutch, English, Arabic and Turkish.
_NAMES = {
    "nl": (
        "nl", "nld", "nederlands", "hollands", "dutch",
        "الهولندية", "هولندي", "هولندية", "الهولندي",
        "felemenkçe", "hollandaca", "flemenkçe",
    ),
    "en": (
        "en", "eng", "english", "engels",
        "الإنجليزية", "الانكليزية", "إنجليزي", "انكليزي", "الإنجليزي", "إنجليزية",
        "ingilizce",
    ),
    "ar": (
        "ar", "ara", "arabic", "arabisch",
        "العربية", "عربي", "عربية", "العربي",
        "arapça",
    ),
    "tr": (
        "tr", "tur", "turkish", "turks",
        "التركية", "تركي", "تركية", "التركي",
        "türkçe",
    ),
}  # fmt: skip
LANGUAGE_WORDS = {_letters(name): code for code, names in _NAMES.items() for name in names}


def language_of(text: str) -> str | None:
    """The locale a typed language means ('EN', 'English', 'engels', 'Türkçe', 'العربية'), or
    None."""
    code = LANGUAGE_WORDS.get(_letters(text.strip()))
    return code if code in LOCALES else None


def client_locale(language_code: str | None) -> str | None:
    """The locale of a chat app's language ('tr', 'en-GB', 'ar_SY'), None when not one the
    assistant speaks."""
    if not language_code:
        return None
    code = language_code.replace("_", "-").split("-", 1)[0].lower()
    return code if code in LOCALES else None


def first_locale(role: Role, language_code: str | None) -> str | None:
    """The language a person starts in, from their chat app's: any the assistant speaks for a
    participant, Dutch or English for the staff; None: stay with the default (Dutch)."""
    locale = client_locale(language_code)
    if locale is None or (role != Role.PARTICIPANT and locale not in STAFF_LOCALES):
        return None
    return locale
