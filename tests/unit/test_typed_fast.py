"""The Dutch fast path of `parse_number` gives exactly what Babel's strict parse gives."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import NumberFormatError, parse_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.typed import PARSE_LOCALES, _dutch, parse_number

DUTCH = PARSE_LOCALES[0]


def _babel(text: str) -> Decimal | None:
    try:
        return parse_decimal(text, locale=DUTCH, strict=True)
    except (NumberFormatError, ValueError, ArithmeticError):
        return None


def _same(text: str) -> None:
    fast = _dutch(text)
    if fast is None:
        return  # Babel decides, as before
    slow = _babel(text)
    assert slow is not None, text
    assert fast.as_tuple() == slow.as_tuple(), text  # the typed decimals count too


@settings(max_examples=3000)
@given(st.text(alphabet="0123456789.,", min_size=1, max_size=16))
def test_any_typed_digits_agree_with_babel(text: str) -> None:
    _same(text)


grouped = st.builds(
    lambda head, groups, frac: head + "".join("." + g for g in groups) + frac,
    st.from_regex(r"[0-9]{1,4}", fullmatch=True),
    st.lists(st.from_regex(r"[0-9]{2,4}", fullmatch=True), min_size=1, max_size=5),
    st.one_of(st.just(""), st.just(","), st.from_regex(r",[0-9]{1,6}", fullmatch=True)),
)


@settings(max_examples=3000)
@given(grouped)
def test_grouped_shapes_agree_with_babel(text: str) -> None:
    _same(text)


def test_the_fast_path_takes_the_common_shapes() -> None:
    for text, value in (("1250", "1250"), ("12,5", "12.5"), ("1.250,50", "1250.50")):
        assert _dutch(text) == Decimal(value)
        assert parse_number(text) == Decimal(value)
    for text in ("1.25", "0.250", "1.250,", "1,250.50"):
        assert _dutch(text) is None  # left to Babel (English or a refusal)
    assert parse_number("1,250.50") == Decimal("1250.50")
