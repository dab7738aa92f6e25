"""Changes in circumstances as pure rules: the policy's list, and notes that mention a change."""

from __future__ import annotations

import tomllib

import pytest

from bot.domain.circumstances import mentions_change, parse_change_kinds
from bot.domain.policy import PolicyError, default_policy_text, load_policy, parse_policy


def test_the_default_policy_lists_the_changes_of_the_duty_to_report() -> None:
    policy = load_policy()
    keys = [k.key for k in policy.change_kinds]
    assert keys == [
        "samenwonen",
        "verhuizen",
        "buitenland",
        "inkomen",
        "vermogen",
        "bedrijf",
        "kvk",
        "anders",
    ]
    abroad = policy.change_kind("buitenland")
    assert abroad is not None
    assert abroad.days_per_year == 28
    assert abroad.name("en") == "Staying abroad"
    assert all(k.name("nl") and k.name("en") for k in policy.change_kinds)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"key": "x"}, r"changes: must be a list of tables"),
        (["samenwonen"], r"changes\[0\]: must be a table"),
        ([{"key": "a b", "name": {"nl": "A"}}], r"changes\[0\]\.key: must be a short name"),
        ([{"key": "a", "name": {"en": "A"}}], r"changes\[0\]\.name: needs at least a Dutch"),
        ([{"key": "a", "name": {"nl": "A", "xx": "?"}}], r"unknown language 'xx'"),
        (
            [{"key": "a", "name": {"nl": "A"}}, {"key": "a", "name": {"nl": "B"}}],
            r"changes\[1\]\.key: 'a' appears twice",
        ),
        ([{"key": "a", "name": {"nl": "A"}, "days_per_year": 0}], r"days_per_year"),
        ([{"key": "a", "name": {"nl": "A"}, "days_per_year": True}], r"days_per_year"),
    ],
)
def test_a_bad_list_of_changes_stops_the_policy_with_the_field_named(
    raw: object, message: str
) -> None:
    data = tomllib.loads(default_policy_text())
    data["changes"] = raw
    with pytest.raises(PolicyError, match=message):
        parse_policy(data)


def test_a_policy_without_the_list_offers_none() -> None:
    assert parse_change_kinds(None) == ()
    data = tomllib.loads(default_policy_text())
    del data["changes"]
    assert parse_policy(data).change_kinds == ()


@pytest.mark.parametrize(
    "note",
    [
        "ik ga samenwonen",
        "Ik ga in maart samenwonen met mijn vriend",
        "3 maanden naar Marokko",
        "in de zomer 6 weken naar Turkije",
        "ik ga trouwen",
        "We zijn getrouwd",
        "verhuizen naar Assen",
        "ik verhuis volgende maand",
        "erfenis van mijn tante",
        "auto gekocht",
        "Ik wil stoppen met mijn bedrijf",
        "mijn zaak stopt in april",
        "ik laat me uitschrijven bij de KvK",
        "naar het buitenland voor werk",
        "I am moving in together with my partner",
    ],
)
def test_notes_that_mention_a_change(note: str) -> None:
    assert mentions_change(note)


@pytest.mark.parametrize(
    "note",
    [
        None,
        "",
        "Rustige maand, weinig klanten.",
        "Factuur van de markt komt in januari.",
        "Nieuwe klant gevonden voor de webshop.",
        "3 uur per week administratie",
        "Autoverzekering betaald",  # a cost, not a change of assets
    ],
)
def test_notes_that_do_not(note: str | None) -> None:
    assert not mentions_change(note)
