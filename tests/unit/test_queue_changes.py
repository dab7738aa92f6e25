"""The field-by-field difference between two versions of a month (bot/domain/changes.py)."""

from __future__ import annotations

from decimal import Decimal

from bot.domain.changes import Change, diff_answers, unchanged
from bot.domain.declaration import Answers

BASE = Answers(
    period="2026-11",
    worked=True,
    revenue_cents=125_050,
    costs={"telefoon": 2_500, "overig": 20_000},
    weeks={"2026-W45": Decimal("10"), "2026-W46": Decimal("12.5")},
    note="Factuur volgt",
    proof_count=2,
)


def _with(**changes: object) -> Answers:
    return Answers(**{**BASE.__dict__, **changes})


def test_the_same_answers_differ_in_nothing() -> None:
    assert diff_answers(BASE, _with()) == ()
    assert unchanged(BASE, _with(proof_count=0), new_files=0)


def test_each_field_is_reported_was_and_now_in_card_order() -> None:
    new = _with(
        revenue_cents=150_000,
        costs={"telefoon": 3_000, "reiskosten": 1_000},
        weeks={"2026-W45": Decimal("10"), "2026-W46": Decimal("8")},
        note="  Factuur   erbij ",
        proof_count=3,
    )
    assert diff_answers(BASE, new) == (
        Change("revenue_cents", 125_050, 150_000),
        Change("cost", 20_000, None, "overig"),
        Change("cost", None, 1_000, "reiskosten"),
        Change("cost", 2_500, 3_000, "telefoon"),
        Change("hours", Decimal("12.5"), Decimal("8"), "2026-W46"),
        Change("proof_count", 2, 3),
        Change("note", "Factuur volgt", "Factuur erbij"),
    )
    assert Change("hours", Decimal("12.5"), Decimal("8"), "2026-W46").data() == {
        "field": "hours",
        "key": "2026-W46",
        "was": 12.5,
        "now": 8.0,
    }


def test_worked_and_no_proof_are_compared_and_blank_notes_are_equal() -> None:
    found = diff_answers(BASE, _with(worked=False, no_proof=True, costs={}, weeks={}))
    assert [c.field for c in found][:1] == ["worked"]
    assert Change("no_proof", False, True) in found
    assert diff_answers(_with(note=None), _with(note="   ")) == ()


def test_a_correction_that_changes_nothing_but_brings_a_file_is_a_change() -> None:
    assert not unchanged(BASE, _with(proof_count=1), new_files=1)
    assert not unchanged(BASE, _with(revenue_cents=1), new_files=0)
