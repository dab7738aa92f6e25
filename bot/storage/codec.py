"""JSON columns on the hot path (drafts, conversation state): orjson, compact, str in and out.

orjson encodes and decodes a draft several times faster than the standard library; the text is
the same JSON (compact, UTF-8 rather than \\u escapes) and both read each other's output.
"""

from __future__ import annotations

from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS  # like json.dumps: non-string keys become strings


def dumps(value: Any) -> str:
    """`value` as compact JSON text."""
    return orjson.dumps(value, option=_OPTIONS).decode()


def loads(text: str | bytes) -> Any:
    """The value of a JSON text."""
    return orjson.loads(text)
