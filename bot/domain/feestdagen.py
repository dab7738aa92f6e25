"""Dutch feestdagen by name, and which days are working days: the one home of both.

Decision (docs/domain.md, "Feestdagen and working days"): a deadline that falls on a Saturday,
Sunday or *algemeen erkende feestdag* moves to the next day that is none of these, as the
Algemene termijnenwet does for statutory terms (art. 1). Which feestdagen count is policy data
(`[deadline] feestdagen` in the policy file), chosen from the names in `FEESTDAGEN`. The default,
`ALGEMENE_TERMIJNENWET`, is the list of art. 3: lid 1 names Nieuwjaarsdag, tweede Paasdag,
Hemelvaartsdag, tweede Pinksterdag, both Kerstdagen, the day the King's birthday is celebrated
(27 April, or 26 April when the 27th is a Sunday) and 5 May (every year, not only every fifth);
lid 2 treats Goede Vrijdag the same. Easter is computed here (anonymous Gregorian algorithm), so
no calendar package is needed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

SUNDAY = 6


def easter_sunday(year: int) -> date:
    """Eerste Paasdag of `year` (Gregorian calendar, anonymous algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def koningsdag(year: int) -> date:
    """The day the King's (before 2014: the Queen's) birthday is celebrated; never a Sunday."""
    day = date(year, 4, 27) if year >= 2014 else date(year, 4, 30)
    return day - timedelta(days=1) if day.weekday() == SUNDAY else day


def _after_easter(days: int) -> Callable[[int], date]:
    return lambda year: easter_sunday(year) + timedelta(days=days)


def _fixed(month: int, day: int) -> Callable[[int], date]:
    return lambda year: date(year, month, day)


FEESTDAGEN: Mapping[str, Callable[[int], date]] = MappingProxyType(
    {
        "nieuwjaarsdag": _fixed(1, 1),
        "goede_vrijdag": _after_easter(-2),
        "eerste_paasdag": easter_sunday,
        "tweede_paasdag": _after_easter(1),
        "koningsdag": koningsdag,
        "bevrijdingsdag": _fixed(5, 5),
        "hemelvaartsdag": _after_easter(39),
        "eerste_pinksterdag": _after_easter(49),
        "tweede_pinksterdag": _after_easter(50),
        "eerste_kerstdag": _fixed(12, 25),
        "tweede_kerstdag": _fixed(12, 26),
    }
)

# Algemene termijnenwet art. 3 lid 1 and 2 (the Sundays among them change nothing: a Sunday
# is never a working day).
ALGEMENE_TERMIJNENWET: tuple[str, ...] = (
    "nieuwjaarsdag",
    "goede_vrijdag",
    "tweede_paasdag",
    "koningsdag",
    "bevrijdingsdag",
    "hemelvaartsdag",
    "tweede_pinksterdag",
    "eerste_kerstdag",
    "tweede_kerstdag",
)


@lru_cache(maxsize=256)
def feestdagen_in(year: int, names: tuple[str, ...]) -> Mapping[date, str]:
    """The dates of the named feestdagen in `year`, each with its name."""
    return MappingProxyType({FEESTDAGEN[name](year): name for name in names})


def is_working_day(day: date, names: tuple[str, ...]) -> bool:
    """Monday to Friday and none of the named feestdagen."""
    return day.weekday() < 5 and day not in feestdagen_in(day.year, names)


def next_working_day(day: date, names: tuple[str, ...]) -> date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day, names):
        day += timedelta(days=1)
    return day
