"""Every message key renders in every shipped locale, with Babel formatting."""

from __future__ import annotations

from datetime import date

import pytest

import messages.samples
from messages.render import LOCALES, render, template_keys

SAMPLES = messages.samples.merged()
ALL_KEYS = sorted(template_keys())


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("key", ALL_KEYS)
def test_every_key_renders(key: str, locale: str) -> None:
    text = render(key, locale, **SAMPLES.get(key, {}))
    assert text.strip(), f"{locale}/{key} rendered empty"


def test_money_and_dates_are_dutch_by_default() -> None:
    from messages.render import environment

    env = environment("nl")
    assert env.filters["money"](125050) == "€\xa01.250,50"  # no line break after €
    assert env.filters["date"](date(2026, 12, 10)) == "10 december 2026"
    assert env.filters["month"]("2026-12") == "december 2026"
    assert environment("en").filters["money"](125050) == "€1,250.50"


def test_unknown_locale_falls_back_to_dutch() -> None:
    assert render("common/taal_set", "fr") == render("common/taal_set", "nl")


@pytest.mark.parametrize(("locale", "kind"), [("nl", "Opgave ingediend"), ("en", "Declaration")])
def test_the_queue_counts_kinds_apart_from_states(locale: str, kind: str) -> None:
    text = render(
        "queue/list",
        locale,
        items=[],
        counts={"declaration_submitted": 2, "change_reported": 1},
        states={"nieuw": 1, "correctie_gevraagd": 2},
        closed=0,
        everything=False,
        total=3,
        page=1,
        pages=1,
    )
    # not an indented sub-list under the last state, as if they were its kinds
    assert "\n\n• " + kind in text
    assert "  – " not in text
