"""Small invented proof files for the demo: a grey one-pixel JPEG and a one-line PDF.

The demo's seeded declarations carry the files they count (`bot.demo`); these bytes are made
here, never read from disk, and each carries its own label so no two months share a file.
"""

from __future__ import annotations

import struct


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def jpeg(label: str) -> bytes:
    """A baseline JPEG of one grey pixel, with `label` as its comment."""
    comment = label.encode("ascii", "replace")[:200]
    quant = bytes([0]) + bytes([1] * 64)  # table 0, all ones
    frame = struct.pack(">BHHB", 8, 1, 1, 1) + bytes([1, 0x11, 0])  # 1x1, one component
    one_code = bytes([1] + [0] * 15)  # one code of one bit
    dc = bytes([0x00]) + one_code + bytes([0x00])  # DC table 0: category 0
    ac = bytes([0x10]) + one_code + bytes([0x00])  # AC table 0: end of block
    scan = bytes([1, 1, 0x00, 0, 63, 0])
    return (
        b"\xff\xd8"
        + _segment(0xFE, comment)
        + _segment(0xDB, quant)
        + _segment(0xC0, frame)
        + _segment(0xC4, dc)
        + _segment(0xC4, ac)
        + _segment(0xDA, scan)
        + bytes([0x3F])  # DC category 0 ("0"), end of block ("0"), padded with ones
        + b"\xff\xd9"
    )


def pdf(label: str) -> bytes:
    """A one-page PDF that says `label` (ASCII), with a correct cross-reference table."""
    text = label.encode("ascii", "replace")[:200].replace(b"\\", b"").replace(b"(", b"")
    text = text.replace(b")", b"")
    stream = b"BT /F1 14 Tf 72 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)
