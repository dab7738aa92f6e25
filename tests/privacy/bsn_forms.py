"""Generated BSNs (never a real person's) and the many ways a person may type one."""

from __future__ import annotations

import json
import re
import unicodedata

from hypothesis import strategies as st

WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2)
# The zero of some decimal digit scripts: ASCII, Arabic-Indic, Extended Arabic-Indic, Devanagari,
# Bengali, Thai, Osmanya, fullwidth, mathematical bold and monospace.
ZEROS = (0x30, 0x660, 0x6F0, 0x966, 0x9E6, 0xE50, 0x104A0, 0xFF10, 0x1D7CE, 0x1D7F6)
# What may sit between the digits: spaces (no-break ones too), zero-width characters, dots,
# hyphens and dashes, the minus sign, slashes, commas and underscores.
SEPARATORS = (
    " ",
    "\t",
    "\u00a0",
    "\u202f",
    "\u2007",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    ".",
    "-",
    *(chr(c) for c in range(0x2010, 0x2016)),
    "\u2212",
    "/",
    ",",
    "_",
)


def check_digit(head: list[int]) -> int | None:
    """The ninth digit that makes the 11-proef pass, or None when it would be 10."""
    rest = sum(d * w for d, w in zip(head, WEIGHTS, strict=True)) % 11
    return rest if rest < 10 else None


@st.composite
def bsns(draw: st.DrawFn) -> str:
    """Nine ASCII digits passing the 11-proef (a leading 0 allowed, as is_bsn does)."""
    head = draw(
        st.lists(st.integers(0, 9), min_size=8, max_size=8)
        .filter(lambda h: check_digit(h) is not None)
        .filter(any)
    )
    return "".join(map(str, head)) + str(check_digit(head))


@st.composite
def spellings(draw: st.DrawFn, digits: str) -> str:
    """`digits` as typed: each digit in a random script, random separator runs between some."""
    out: list[str] = []
    for i, digit in enumerate(digits):
        out.append(chr(draw(st.sampled_from(ZEROS)) + int(digit)))
        if i < len(digits) - 1 and draw(st.booleans()):
            out.append(draw(st.text(alphabet=SEPARATORS, min_size=1, max_size=3)))
    return "".join(out)


# Random text around the number; without decimal digits when `digits` is False.
def words(digits: bool = True, max_size: int = 30) -> st.SearchStrategy[str]:
    """Random text (no surrogates, no NUL)."""
    alphabet = (
        st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
        if digits
        else st.characters(exclude_categories=["Cs", "Nd"], exclude_characters="\x00")
    )
    return st.text(
        alphabet=alphabet,
        max_size=max_size,
    )


def around(prefix: str, typed: str, suffix: str) -> str:
    """`typed` between `prefix` and `suffix`, never glued to a digit of theirs (that would make
    a longer number, which is not a BSN)."""
    if prefix and prefix[-1].isdecimal():
        prefix += " "
    if suffix and suffix[0].isdecimal():
        suffix = " " + suffix
    return prefix + typed + suffix


_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_SEPARATOR = re.compile("[" + re.escape("".join(SEPARATORS)) + r"\s]+")


def flattened(blob: str) -> str:
    """`blob` with JSON \\u escapes undone, every decimal digit in ASCII and separators gone."""
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), blob)
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    text = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)
    return _SEPARATOR.sub("", text)


def leaked(blob: str | bytes, digits: str, typed: str, *, flatten: bool = True) -> list[str]:
    """The forms of the BSN found in `blob`: ASCII digits, as typed, JSON-escaped, flattened."""
    text = blob.decode("utf-8", "replace") if isinstance(blob, bytes) else blob
    found = [form for form in (digits, typed, json.dumps(typed)[1:-1]) if form in text]
    if flatten and digits in flattened(text):
        found.append("flattened")
    return found
