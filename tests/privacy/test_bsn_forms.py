"""A BSN in every form is masked, in place, and numbers that are not a BSN are left alone."""

from __future__ import annotations

import time
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.domain.bsn import MASK, is_bsn, mask_bsn
from tests.privacy.bsn_forms import (
    SEPARATORS,
    ZEROS,
    around,
    bsns,
    check_digit,
    leaked,
    spellings,
    words,
)

# Generated with check_digit, not a real person's number.
BSN = "123456782"
OTHER = "111222333"


def _in(script_zero: int, digits: str) -> str:
    return "".join(chr(script_zero + int(d)) for d in digits)


def test_the_generated_numbers_pass_the_eleven_test() -> None:
    assert check_digit([1, 2, 3, 4, 5, 6, 7, 8]) == 2
    assert is_bsn(BSN)
    assert is_bsn(OTHER)
    for zero in ZEROS:
        assert unicodedata.category(chr(zero)) == "Nd"
        assert [unicodedata.decimal(chr(zero + d)) for d in range(10)] == list(range(10))


@pytest.mark.parametrize("separator", SEPARATORS)
def test_every_separator_and_runs_of_it(separator: str) -> None:
    for run in (separator, separator * 2, separator + " "):
        typed = run.join(("123", "456", "782"))
        assert mask_bsn(f"nummer {typed}!") == (f"nummer {MASK}!", True), repr(typed)


@pytest.mark.parametrize("zero", ZEROS)
def test_digits_of_every_script(zero: int) -> None:
    typed = _in(zero, BSN)
    assert mask_bsn(f"bsn: {typed}.") == (f"bsn: {MASK}.", True)
    spaced = " ".join((_in(zero, "123"), _in(zero, "456"), _in(zero, "782")))
    assert mask_bsn(spaced) == (MASK, True)


def test_the_notes_from_the_issue_are_masked_whole_and_the_rest_kept() -> None:
    a, b, c = OTHER[:3], OTHER[3:6], OTHER[6:]
    note = (
        f"{a} {b} {c} / {a}.{b}.{c} / {a}\u200b{b}\u200b{c} / {a}  {b}  {c} / {a}/{b}/{c}"
        f" / {a}\u00a0{b}\u202f{c} / {a}\u2013{b}\u2212{c} / {a}_{b},{c}"
    )
    masked, found = mask_bsn(note)
    assert found
    assert masked == " / ".join([MASK] * 8)
    assert mask_bsn(f"Bert {OTHER}") == (f"Bert {MASK}", True)
    assert mask_bsn(f"mijn bsn is {a} {b} {c}, bedrag 1250") == (
        f"mijn bsn is {MASK}, bedrag 1250",
        True,
    )


def test_numbers_that_are_not_a_bsn_are_left_alone() -> None:
    for text in (
        "factuur 123456789",  # fails the 11-proef
        f"{BSN}0 en 0{BSN}",  # ten digits: a longer number
        f"rekening NL91ABNA0{OTHER}",  # an IBAN's ten digits
        f"NL91 ABNA 0{OTHER[:3]} {OTHER[3:7]} {OTHER[7:]}",
        "06-12345678, 06 1234 5678",  # phone numbers: ten digits
        "€ 1.250,50 op 30-11-2026 om 12:30",
        "000000000",
        f"{BSN[:4]}:{BSN[4:]}",  # a colon is no separator
    ):
        assert mask_bsn(text) == (text, False), text


def test_a_bsn_next_to_other_numbers_is_still_found() -> None:
    assert mask_bsn(f"2026 {BSN} 12") == (f"2026 {MASK} 12", True)
    assert mask_bsn(f"{BSN[:3]} {BSN[3:6]} {BSN[6:]} 444") == (f"{MASK} 444", True)
    assert mask_bsn(f"{BSN}\n{OTHER}") == (f"{MASK}\n{MASK}", True)


def test_long_and_hostile_inputs_stay_fast() -> None:
    hostile = [
        "1 " * 2000,
        "1" + " " * 100_000 + "x",
        ("12." * 30 + "x") * 100,
        "\u0661\u200b" * 2000,
        "9" * 100_000,
    ]
    for text in hostile:
        started = time.perf_counter()
        mask_bsn(text)
        assert time.perf_counter() - started < 1.0, text[:20]


@settings(max_examples=300, deadline=None)
@given(data=st.data(), digits=bsns(), prefix=words(digits=False), suffix=words(digits=False))
@example(data=None, digits=OTHER, prefix="Bert ", suffix="")
def test_any_spelling_in_any_text_is_masked_in_place(
    data: st.DataObject | None, digits: str, prefix: str, suffix: str
) -> None:
    typed = data.draw(spellings(digits), label="typed") if data is not None else digits
    masked, found = mask_bsn(around(prefix, typed, suffix))
    assert found
    assert masked == around(prefix, MASK, suffix)  # the rest exactly as typed


@settings(max_examples=300, deadline=None)
@given(data=st.data(), digits=bsns(), prefix=words(), suffix=words())
def test_any_spelling_next_to_any_text_leaves_no_trace(
    data: st.DataObject, digits: str, prefix: str, suffix: str
) -> None:
    typed = data.draw(spellings(digits), label="typed")
    masked, found = mask_bsn(around(prefix, typed, suffix))
    assert found
    assert MASK in masked
    assert not leaked(masked, digits, typed)


@settings(max_examples=300, deadline=None)
@given(text=words(digits=False, max_size=200))
def test_text_without_digits_is_never_changed(text: str) -> None:
    assert mask_bsn(text) == (text, False)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="0123456789", min_size=10, max_size=40))
def test_a_plain_run_of_ten_or_more_digits_is_never_a_bsn(text: str) -> None:
    assert mask_bsn(f"nr {text}.") == (f"nr {text}.", False)
