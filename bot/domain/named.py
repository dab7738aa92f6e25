"""Lists of named things in the policy file (cost categories, kinds of change, …): tables with a
stable `key` and a `name` per language. One home for checking the key and the names, so every
such list refuses the same mistakes with the same words."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any


def named_tables(
    raw: Any, section: str
) -> Iterator[tuple[str, dict[str, Any], str, dict[str, str]]]:
    """(field, table, key, names) per table of `raw`, the list under `section`.

    ValueError names the field: not a table, a key that is not a short name of letters (at most
    20) or appears twice, names without a Dutch one (nl)."""
    if not isinstance(raw, list):
        raise ValueError(f"{section}: must be a list of tables")
    seen: set[str] = set()
    for i, item in enumerate(raw):
        field = f"{section}[{i}]"
        if not isinstance(item, dict):
            raise ValueError(f"{field}: must be a table")
        key = item.get("key")
        if not isinstance(key, str) or not key.isidentifier() or len(key) > 20:
            raise ValueError(f"{field}.key: must be a short name of letters, got {key!r}")
        if key in seen:
            raise ValueError(f"{field}.key: {key!r} appears twice")
        seen.add(key)
        names = item.get("name")
        if not isinstance(names, dict) or not isinstance(names.get("nl"), str):
            raise ValueError(f"{field}.name: needs at least a Dutch name (nl)")
        yield field, item, key, {str(k): str(v) for k, v in names.items()}


def missing_names(
    sections: Mapping[str, Mapping[str, Mapping[str, str]]], locales: Iterable[str]
) -> list[str]:
    """Every name a language lacks, as the field it would be ('costs.inkoop.name.ar'), for
    `sections` of {key: names}; such a name is shown in Dutch."""
    wanted = tuple(locales)
    return [
        f"{section}.{key}.name.{locale}"
        for section, tables in sections.items()
        for key, names in tables.items()
        for locale in wanted
        if not names.get(locale)
    ]
