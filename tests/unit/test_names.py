"""One rule for typed names, in the chat and on the command line (bot.services.names)."""

from __future__ import annotations

from bot.services.names import matches

PEOPLE = ["Kim Klantmanager", "Karin Klantmanager", "Kimberly de Vries", "Ayla Voorbeeld"]


def match(query: str, people: list[str] = PEOPLE) -> list[str]:
    return matches(people, query, lambda name: name)


def test_the_full_name_wins_in_any_case_and_spacing() -> None:
    assert match("kim   KLANTMANAGER") == ["Kim Klantmanager"]


def test_a_first_name_is_enough_even_when_it_starts_another_name() -> None:
    assert match("Kim") == ["Kim Klantmanager"]  # not Kimberly: her first name is longer
    assert match("ayla") == ["Ayla Voorbeeld"]


def test_a_unique_start_of_the_name_or_of_a_word_is_enough() -> None:
    assert match("kimb") == ["Kimberly de Vries"]
    assert match("vries") == ["Kimberly de Vries"]
    assert match("Kim K") == ["Kim Klantmanager"]


def test_any_part_is_the_last_resort() -> None:
    assert match("berly") == ["Kimberly de Vries"]


def test_ambiguous_gives_every_candidate_in_order() -> None:
    assert match("klant") == ["Kim Klantmanager", "Karin Klantmanager"]
    assert match("k") == ["Kim Klantmanager", "Karin Klantmanager", "Kimberly de Vries"]
    assert match("Ayla", ["Ayla Voorbeeld", "Ayla de Vries"]) == [
        "Ayla Voorbeeld",
        "Ayla de Vries",
    ]


def test_nothing_for_blank_or_unknown() -> None:
    assert match("   ") == []
    assert match("Niemand") == []
