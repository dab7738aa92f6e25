"""Never a BSN: find nine-digit numbers that pass the 11-proef, in any spelling, and mask them.

A person may type a BSN in many ways: `123456782`, `123 456 782`, `123.456.782`, `123/456/782`,
with several spaces, no-break or zero-width spaces, Unicode dashes, or digits of another script
(Arabic-Indic, fullwidth, …). One precompiled regex finds each run of digit groups joined by
separators; nine digits made of whole consecutive groups of such a run are a candidate. A plain
digit string longer than nine digits (an IBAN's or an account's digits) is one group and never a
candidate, as before. The whole span of a BSN is masked in the original text; the rest is kept.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import accumulate
from operator import mul

MASK = "*********"

# What may sit between the digits of one number: ASCII and Unicode spaces (\s covers the
# no-break spaces U+00A0, U+2007 and U+202F), zero-width characters and the soft hyphen, dots,
# hyphens and dashes (U+2010..U+2015, the minus sign U+2212, small and fullwidth ones), slashes,
# commas and underscores, with their fullwidth forms.
_SEPARATOR = (
    r"[\s\u200b-\u200d\u2060\ufeff\u00ad\u180e"
    r".\u2024\u00b7\u2027\uff0e"
    r"\-\u2010-\u2015\u2212\ufe58\ufe63\uff0d"
    r"/\u2044\u2215\uff0f"
    r",\uff0c_\uff3f]"
)
# A run of digit groups joined by separator runs; atomic, so it never backtracks (linear time).
# \d is any Unicode decimal digit (category Nd).
_RUN = re.compile(rf"\d++(?:{_SEPARATOR}++\d++)*+")
_GROUP = re.compile(r"\d+")
_DIGITS = 9
_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def is_bsn(digits: str) -> bool:
    """True when nine digits pass the 11-proef (weights 9…2 and −1)."""
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    total: int = sum(map(mul, map(int, digits), _WEIGHTS))
    return total % 11 == 0


def _ascii(digits: str) -> str:
    """Decimal digits of any script as ASCII digits."""
    if digits.isascii():
        return digits
    return "".join(str(unicodedata.decimal(c)) for c in digits)


def _spans(run: str) -> list[tuple[int, int]]:
    """(start, end) in `run` of each BSN made of whole consecutive digit groups."""
    groups = list(_GROUP.finditer(run))
    digits = _ascii("".join(m.group() for m in groups))
    ends = list(accumulate(len(m.group()) for m in groups))  # digits up to each group's end
    spans: list[tuple[int, int]] = []
    j = 0
    for i, first in enumerate(groups):
        begin = ends[i] - len(first.group())  # digits before group i
        while j < len(ends) and ends[j] - begin < _DIGITS:
            j += 1
        if j == len(ends):
            break
        if ends[j] - begin == _DIGITS and is_bsn(digits[begin : ends[j]]):
            start, end = first.start(), groups[j].end()
            if spans and start <= spans[-1][1]:  # overlapping: mask the union once
                spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
            else:
                spans.append((start, end))
    return spans


def mask_bsn(text: str) -> tuple[str, bool]:
    """Replace every BSN in `text` by stars; returns the text and whether one was found."""
    found = False

    def replace(match: re.Match[str]) -> str:
        nonlocal found
        run = match.group()
        if len(run) < _DIGITS:
            return run
        spans = _spans(run)
        if not spans:
            return run
        found = True
        parts: list[str] = []
        done = 0
        for start, end in spans:
            parts += [run[done:start], MASK]
            done = end
        parts.append(run[done:])
        return "".join(parts)

    return _RUN.sub(replace, text), found
