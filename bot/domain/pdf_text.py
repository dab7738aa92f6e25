"""The text layer of a simple PDF (a receipt or invoice made by a till or an invoicing tool).

Small on purpose: the text-showing operators (`Tj`, `TJ`, `'`, `"`) of every content stream,
plain or FlateDecode-compressed, one output line per text line (`Td`, `TD`, `T*`, `ET`). Strings
in fonts with their own encoding (CID fonts, hex strings) come out as nothing useful, and then
the receipt reader simply asks nothing. Never raises on input; inflating is capped.
"""

from __future__ import annotations

import re
import zlib

MAX_INFLATED = 2_000_000  # bytes of content streams read in total

_STREAM = re.compile(rb"<<(?P<dict>.{0,2000}?)>>\s*stream\r?\n(?P<body>.*?)endstream", re.DOTALL)
_TOKEN = re.compile(
    rb"\((?P<str>(?:\\.|[^\\)])*)\)|(?P<op>Tj|TJ|T\*|Td|TD|ET|')(?![A-Za-z*])", re.DOTALL
)
_ESCAPES = {b"n": b"\n", b"r": b"", b"t": b" ", b"b": b"", b"f": b"", b"(": b"(", b")": b")"}
_ESCAPES[b"\\"] = b"\\"


def _unescape(raw: bytes) -> bytes:
    def one(match: re.Match[bytes]) -> bytes:
        char = match.group(1)
        if char[:1].isdigit():
            return bytes([int(char, 8) & 0xFF])
        return _ESCAPES.get(char, char)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, raw, flags=re.DOTALL)


def _streams(data: bytes) -> list[bytes]:
    budget, out = MAX_INFLATED, []
    for match in _STREAM.finditer(data):
        body = match.group("body")
        if b"FlateDecode" in match.group("dict"):
            inflater = zlib.decompressobj()
            try:
                body = inflater.decompress(body, budget)
            except zlib.error:
                continue
        elif b"/Filter" in match.group("dict"):
            continue  # an image or another encoding
        budget -= len(body)
        out.append(body)
        if budget <= 0:
            break
    return out


def pdf_text(data: bytes) -> str:
    """The text a PDF shows, line by line; '' when it has no text layer we can read."""
    lines: list[str] = []
    current: list[bytes] = []
    for stream in _streams(data):
        for token in _TOKEN.finditer(stream):
            if token.group("str") is not None:
                current.append(_unescape(token.group("str")))
            elif token.group("op") in (b"Tj", b"TJ"):
                current.append(b" ")
            elif current:  # a new line begins
                lines.append(b"".join(current).decode("cp1252", "replace").strip())
                current = []
    if current:
        lines.append(b"".join(current).decode("cp1252", "replace").strip())
    return "\n".join(line for line in lines if line)
