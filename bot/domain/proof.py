"""Proof files (bonnetjes, facturen, bankafschriften): which file types we accept.

Decision (docs/domain.md, "Accepted proof files"): photos as JPEG, PNG or WebP, and PDF
documents; nothing else (no office files, archives or executables). A file's type is decided by
its first bytes (`sniff`), never by its name or by what the sender says it is; what a channel
reports (`is_accepted`) only decides whether fetching the file is worth it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# MIME type → the file extension a stored proof gets.
PROOF_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "image/jpeg": ".jpg",
        "image/png": ".png",
        "image/webp": ".webp",
        "application/pdf": ".pdf",
    }
)
ACCEPTED_MIME: frozenset[str] = frozenset(PROOF_TYPES)


def sniff(data: bytes) -> str | None:
    """The MIME type of `data` by its first bytes, when it is one we accept."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def is_accepted(mime: str) -> bool:
    """Whether a channel's stated MIME type is one we accept (a hint; `sniff` decides)."""
    return mime in PROOF_TYPES


def extension(mime: str) -> str:
    """The file extension for a stored proof of an accepted type ('.jpg'); KeyError otherwise."""
    return PROOF_TYPES[mime]
