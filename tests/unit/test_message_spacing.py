"""No two sentences run together in what people read ("bonnetjes.We").

Jinja's trim_blocks eats the newline after a block tag that ends a line; after text on that line,
the next line's text is glued to it. Every template is checked in its source, and the texts that
had it are checked rendered, with each branch.
"""

from __future__ import annotations

import re

import pytest

from messages.render import TEMPLATES, render

BLOCK = re.compile(r"\{%.*?%\}")
ENDS_WITH_TRIMMING_TAG = re.compile(r"\{%[^%]*?(?<![+-])%\}\s*$")
GLUED = re.compile(r"[a-z)][.!?][A-Z]")
MACRO = re.compile(r"^\s*\{%-?\s*macro\b.*\{%-?\s*endmacro\s*-?%\}\s*$")


def glued_lines(source: str) -> list[int]:
    """Lines whose text is glued to the next line's text by a trimming block tag at its end."""
    lines = source.split("\n")
    found = []
    for number, line in enumerate(lines[:-1], 1):
        if not ENDS_WITH_TRIMMING_TAG.search(line) or not BLOCK.sub("", line).strip():
            continue  # no trimming tag at the end, or a line of tags only (removed whole)
        if MACRO.match(line):
            continue  # a whole macro definition on one line prints nothing where it stands
        following = re.sub(r"^(\s*\{%.*?%\})+", "", lines[number]).strip()
        if following:
            found.append(number)
    return found


def test_the_check_finds_the_bonnetjes_mistake() -> None:
    assert glued_lines("bot. {% if p %}Je bonnetjes.{% endif %}\nWe vragen nooit.\n") == [1]
    assert glued_lines("bot.{% if p %} Je bonnetjes.{% endif +%}\nWe vragen nooit.\n") == []
    assert glued_lines("Eerst.\n{% if p %}\nDan.\n{% endif %}\n") == []


def test_no_template_glues_a_line_to_the_next() -> None:
    offenders = {
        str(path.relative_to(TEMPLATES)): lines
        for path in sorted(TEMPLATES.rglob("*.j2"))
        if (lines := glued_lines(path.read_text(encoding="utf-8")))
    }
    assert not offenders, offenders


@pytest.mark.parametrize("locale", ["nl", "en"])
@pytest.mark.parametrize("is_participant", [True, False])
def test_privacy_sentences_are_apart(locale: str, is_participant: bool) -> None:
    text = render("common/privacy", locale, drafts_days=30, years=7, is_participant=is_participant)
    assert not GLUED.search(text), text
    assert "bonnetjes.We" not in text
    assert "receipts.We" not in text
    second = "We vragen nooit" if locale == "nl" else "We never ask"
    assert f"\n{second}" in text
    own = "Je opgaven (omzet" if locale == "nl" else "Your declarations (revenue"
    assert (own in text) == is_participant
