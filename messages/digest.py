"""The weekly digest as chat messages and as a printable page.

`render_chat_parts` splits the chat text at blank lines so each part fits one Telegram message;
`render_html` makes a standalone A4 page. The digest's context (`bot.domain.digest.assemble`)
is rendered in an overlay of the message environment whose Babel filters are memoised and whose
money filter skips Babel's pattern machinery for whole cents: the same text for less CPU, which
matters when a Monday run renders a thousand digests (`tests/unit/test_digest_batched.py`
compares it with the plain environment).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from jinja2 import Environment

from messages.render import DEFAULT_LOCALE, LOCALES, environment, flag_line

CHAT_LIMIT = 4000  # Telegram allows 4,096; leave room for the channel's own additions


class _Fields:
    """A dict's entries as attributes: what the templates read, without Jinja's detour of a
    failed getattr before the item lookup (no key of the digest is a dict method's name)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _localised(digest: dict[str, Any], locale: str) -> dict[str, Any]:
    """The digest with hour flags rendered as lines in `locale`, ready for the templates."""
    exceptions = {
        kind: [_Fields(x) for x in found] for kind, found in digest["exceptions"].items()
    }
    exceptions["hours"] = [
        _Fields(h | {"flag_lines": [flag_line(f, locale) for f in h["flags"]]})
        for h in digest["exceptions"]["hours"]
    ]
    return digest | {
        "exceptions": _Fields(exceptions),
        "kpi": _Fields(digest["kpi"]),
        "rows": [_Fields(r) for r in digest["rows"]],
    }


def split_parts(text: str, limit: int = CHAT_LIMIT) -> list[str]:
    """Split at blank lines, then at line ends, so every part fits one chat message."""
    parts: list[str] = []
    current = ""
    for block in text.split("\n\n"):
        lines = [block] if len(block) <= limit else block.split("\n")
        for index, piece in enumerate(lines):
            joiner = "\n\n" if index == 0 else "\n"
            candidate = f"{current}{joiner}{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
                continue
            if current:
                parts.append(current)
            current = piece[:limit]
    if current.strip():
        parts.append(current)
    return parts


_MONEY_PROBE = re.compile(r"(\D*)1(?P<group>\D+)234(?P=group)567(\D+)89(\D*)")
_MONEY_CHECKS = (0, 1, 9, 10, 99, 100, 101, 999, 1000, 99_999, 100_000, 123_456, 1_234_567, 10**12)
_MEMO_LIMIT = 20_000
_EXACT = frozenset({str, int, type(None)})  # equal values of these types format the same


def _fast_money(babel_money: Callable[..., str]) -> Callable[..., str]:
    """The `money` filter for whole cents without Babel's per-call pattern work.

    The locale's prefix, separators and suffix are read from what Babel itself makes of a probe,
    and the result is checked against Babel on a range of amounts; anything unusual (or a locale
    whose pattern does not fit) goes to Babel.
    """
    found = [_MONEY_PROBE.fullmatch(babel_money(sign * 123_456_789)) for sign in (1, -1)]
    positive, negative = found
    if positive is None or negative is None:
        return babel_money
    if positive.group(2, 3) != negative.group(2, 3):
        return babel_money
    group, decimal = positive.group(2), positive.group(3)
    shapes = {1: positive.group(1, 4), -1: negative.group(1, 4)}

    def money(cents: Any = None, *args: Any, **kwargs: Any) -> str:
        if type(cents) is not int or args or kwargs:
            return babel_money(cents, *args, **kwargs)
        prefix, suffix = shapes[1 if cents >= 0 else -1]
        whole, rest = divmod(abs(cents), 100)
        return f"{prefix}{whole:,}".replace(",", group) + f"{decimal}{rest:02d}{suffix}"

    if any(money(sign * v) != babel_money(sign * v) for v in _MONEY_CHECKS for sign in (1, -1)):
        return babel_money
    return money


def _memoised(fn: Callable[..., str]) -> Callable[..., str]:
    """A filter that formats each distinct value once.

    Keys hold the type, and the repr where equal values may print differently (1.0 and -0.0 are
    not 1 and 0; Decimal('1.0') is not Decimal('1')).
    """
    memo: dict[tuple[Any, ...], str] = {}

    def memo_filter(*args: Any, **kwargs: Any) -> str:
        if kwargs:
            return fn(*args, **kwargs)
        key: tuple[Any, ...]
        if len(args) == 1:
            kind = args[0].__class__
            key = (kind, args[0] if kind in _EXACT else repr(args[0]))
        else:
            key = tuple((a.__class__, a if a.__class__ in _EXACT else repr(a)) for a in args)
        found = memo.get(key)
        if found is None:
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            found = memo[key] = fn(*args)
        return found

    return memo_filter


@lru_cache(maxsize=len(LOCALES))
def _environment(locale: str) -> Environment:
    """The message environment of `locale` with memoised Babel filters (same text, less CPU)."""
    base = environment(locale)
    env = base.overlay(cache_size=64)  # its own template cache: templates bind their filters
    env.filters = dict(base.filters)
    for name in ("date", "moment", "month", "pct", "number"):
        env.filters[name] = _memoised(base.filters[name])
    env.filters["money"] = _fast_money(base.filters["money"])
    return env


def _render(key: str, locale: str, context: dict[str, Any]) -> str:
    """`messages.render(key, locale, **context)`, through the memoised environment."""
    if locale not in LOCALES:
        locale = DEFAULT_LOCALE
    return _environment(locale).get_template(f"{key}.j2").render(**context).strip()


def render_chat_parts(digest: dict[str, Any], locale: str) -> list[str]:
    """The digest as chat messages (Telegram HTML), each within the chat limit."""
    return split_parts(_render("digest/chat", locale, _localised(digest, locale)))


def render_html(digest: dict[str, Any], locale: str, back_url: str | None = None) -> str:
    """The digest as a standalone HTML5 page that prints on A4 (`back_url`: a link back to the
    web inbox, hidden in print)."""
    context = _localised(digest, locale) | {"back_url": back_url}
    return _render("digest/page", locale, context) + "\n"


def render_mail_parts(digest: dict[str, Any], locale: str) -> dict[str, str]:
    """The digest for a mail: the page (`html`) and the chat text in one piece (`text`, Telegram
    HTML; the mail's plain text part is made from it as `ptobot digest --format text` is)."""
    return {
        "html": render_html(digest, locale),
        "text": "\n\n".join(render_chat_parts(digest, locale)),
    }
