"""Finding a person by a typed name: one rule for the chat (`/deelnemer`) and the command line.

A typed name matches, case-insensitively and with spaces tidied, in this order; the first step
that finds anyone decides:

1. the full name (`kim klantmanager`);
2. the first name (`Kim`);
3. the start of the name or of any word in it (`Klant`, `Kim K`);
4. any part of the name (`antman`).

One match is the person; more than one is ambiguous and the caller lists the candidates, so
`Ayla` with two Ayla's asks which one instead of guessing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from bot.domain.bsn import mask_bsn
from bot.domain.errors import DomainError
from bot.domain.models import Person, Role
from bot.storage import people
from bot.storage.unit import Tx

T = TypeVar("T")

MAX_CANDIDATES = 10  # an ambiguous answer lists at most this many names


def tidy(text: str) -> str:
    """`text` as it is compared: single spaces, case folded."""
    return " ".join(text.split()).casefold()


def matches(items: Sequence[T], query: str, name_of: Callable[[T], str]) -> list[T]:
    """The items whose name fits `query` best (see the module text), in their given order.

    Empty when nothing fits or the query is blank; one item is a match; more is ambiguous.
    """
    wanted = tidy(query)
    if not wanted:
        return []
    named = [(item, tidy(name_of(item))) for item in items]
    steps: tuple[Callable[[str], bool], ...] = (
        lambda name: name == wanted,
        lambda name: name.split(" ")[0] == wanted,
        lambda name: f" {wanted}" in f" {name}",
        lambda name: wanted in name,
    )
    for fits in steps:
        found = [item for item, name in named if fits(name)]
        if found:
            return found
    return []


async def person_named(
    tx: Tx, query: str, role: Role | None, *, unknown: str = "cli/unknown_person"
) -> Person:
    """The one person with `role` (None: any role) whose name fits `query` (for the command
    line).

    Raises DomainError `unknown` (context: name, role) when nobody fits and
    `queue/cli_ambiguous` (name, role, names) when several do; without a role,
    `people/unknown_person` and `people/ambiguous`.
    """
    everyone = [
        Person(entry.id, entry.name, entry.role, entry.locale, entry.email)
        for entry in await people.directory(tx)
        if role is None or entry.role == role
    ]
    if role is None:
        unknown = "people/unknown_person"
    found = matches(everyone, query, lambda person: person.name)
    shown = mask_bsn(" ".join(query.split()))[0][:80]  # never echo a BSN
    if not found:
        raise DomainError(unknown, name=shown, role=role.value if role else "")
    if len(found) > 1:
        raise DomainError(
            "queue/cli_ambiguous" if role else "people/ambiguous",
            name=shown,
            role=role.value if role else "",
            names=[person.name for person in found[:MAX_CANDIDATES]],
        )
    return found[0]
