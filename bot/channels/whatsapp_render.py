"""A rendered reply as WhatsApp Cloud API messages: WhatsApp's markup instead of Telegram's HTML,
texts within 4,096 characters, and buttons as up to 3 reply buttons or lists of up to 10 rows.

Typed answers keep working everywhere: the buttons only save typing."""

from __future__ import annotations

import html
import re
from typing import Any

from bot.channels.base import Outgoing, split_text
from messages import render

TEXT_LIMIT = 4096  # characters of a text message
BODY_LIMIT = 1024  # characters of an interactive message's body
BUTTON_TITLE = 20  # characters of a reply button's title
MAX_BUTTONS = 3
ROW_TITLE = 24  # characters of a list row's title
ROW_DESCRIPTION = 72
MAX_ROWS = 10  # rows of one list message; more choices come as further lists ("2 of 3")
ID_LIMIT = 200

_MARKS = {"b": "*", "strong": "*", "i": "_", "em": "_", "s": "~", "del": "~", "u": ""}
_PAIR = re.compile(r"<(b|strong|i|em|s|del|u)>(.*?)</\1>", re.DOTALL)
_CODE = re.compile(r"<(code|pre)>(.*?)</\1>", re.DOTALL)
_LINK = re.compile(r'<a\s+href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def to_markup(text: str) -> str:
    """Telegram HTML as WhatsApp markup: *bold*, _italic_, ~strike~, ```code```, 'text (url)'."""

    def pair(match: re.Match[str]) -> str:
        mark, inner = _MARKS[match.group(1)], match.group(2)
        if not inner.strip() or not mark:
            return inner
        # WhatsApp needs the marks against the text: keep surrounding spaces outside.
        lead = inner[: len(inner) - len(inner.lstrip())]
        trail = inner[len(inner.rstrip()) :]
        return f"{lead}{mark}{inner.strip()}{mark}{trail}"

    def link(match: re.Match[str]) -> str:
        url, label = html.unescape(match.group(1)), match.group(2)
        return label if html.unescape(label) == url else f"{label} ({url})"

    text = _LINK.sub(link, text)
    text = _CODE.sub(lambda m: f"```{m.group(2)}```", text)
    previous = None
    while previous != text:  # nested tags, innermost first
        previous, text = text, _PAIR.sub(pair, text)
    return html.unescape(_TAG.sub("", text))


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text_message(body: str) -> dict[str, Any]:
    """A plain text message."""
    return {"type": "text", "text": {"body": body, "preview_url": False}}


def _choices(message: Outgoing) -> list[tuple[str, str]]:
    """Every (label, data) button of every row, in reading order, each data once."""
    seen: set[str] = set()
    found = []
    for row in message.buttons:
        for label, data in row:
            if data not in seen and len(data) <= ID_LIMIT:
                seen.add(data)
                found.append((to_markup(label).replace("*", "").replace("_", ""), data))
    return found


def _interactive(body: str, action: dict[str, Any], kind: str) -> dict[str, Any]:
    return {
        "type": "interactive",
        "interactive": {"type": kind, "body": {"text": body or "…"}, "action": action},
    }


def _lists(body: str, choices: list[tuple[str, str]], locale: str) -> list[dict[str, Any]]:
    pages = [choices[i : i + MAX_ROWS] for i in range(0, len(choices), MAX_ROWS)]
    found = []
    for number, page in enumerate(pages, start=1):
        rows = []
        for label, data in page:
            row: dict[str, Any] = {"id": data, "title": _cut(label, ROW_TITLE)}
            if len(" ".join(label.split())) > ROW_TITLE:
                row["description"] = _cut(label, ROW_DESCRIPTION)
            rows.append(row)
        text = body
        if len(pages) > 1:
            counter = render("whatsapp/page", locale, page=number, pages=len(pages))
            text = body if number == 1 else counter
            if number == 1:
                text = _cut_body(f"{body}\n\n{counter}")
        action = {
            "button": _cut(render("whatsapp/choose", locale), BUTTON_TITLE),
            "sections": [{"rows": rows}],
        }
        found.append(_interactive(text, action, "list"))
    return found


def _cut_body(text: str) -> str:
    return text if len(text) <= BODY_LIMIT else text[: BODY_LIMIT - 1] + "…"


def payloads(message: Outgoing, locale: str) -> list[dict[str, Any]]:
    """The Cloud API messages (without the recipient) that show `message`, in order."""
    text = to_markup(message.text).strip()
    choices = _choices(message)
    parts = split_text(text, TEXT_LIMIT) if text else []
    if not choices:
        return [text_message(p) for p in parts if p.strip()]
    last = parts.pop() if parts else ""
    pieces = split_text(last, BODY_LIMIT) if last else [""]
    found = [text_message(p) for p in [*parts, *pieces[:-1]] if p.strip()]
    body = pieces[-1]
    fits = all(len(label) <= BUTTON_TITLE for label, _ in choices)
    if len(choices) <= MAX_BUTTONS and fits and not message.as_list:
        buttons = [
            {"type": "reply", "reply": {"id": data, "title": label}} for label, data in choices
        ]
        found.append(_interactive(body, {"buttons": buttons}, "button"))
    else:
        found.extend(_lists(body, choices, locale))
    return found


def template_message(name: str, language: str, values: list[str]) -> dict[str, Any]:
    """An approved template with its body parameters."""
    template: dict[str, Any] = {"name": name, "language": {"code": language}}
    if values:
        template["components"] = [
            {"type": "body", "parameters": [{"type": "text", "text": v} for v in values]}
        ]
    return {"type": "template", "template": template}
