"""Accepted proof files are recognised by their first bytes, not by their name or label."""

from __future__ import annotations

import pytest

from bot.domain.proof import ACCEPTED_MIME, PROOF_TYPES, extension, is_accepted, sniff


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (b"%PDF-1.7\n...", "application/pdf"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
    ],
)
def test_accepted_types_by_their_first_bytes(data: bytes, mime: str) -> None:
    assert sniff(data) == mime
    assert is_accepted(mime)
    assert extension(mime) == PROOF_TYPES[mime]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"PK\x03\x04",  # a zip or an office file
        b"GIF89a",
        b"RIFF\x24\x00\x00\x00WAVEfmt ",  # RIFF, but audio
        b"MZ\x90\x00",  # an executable
        b"<html>%PDF-",  # the magic has to come first
    ],
)
def test_anything_else_is_not_recognised(data: bytes) -> None:
    assert sniff(data) is None


def test_the_list_of_types() -> None:
    assert {"image/jpeg", "image/png", "image/webp", "application/pdf"} == ACCEPTED_MIME
    assert set(PROOF_TYPES.values()) == {".jpg", ".png", ".webp", ".pdf"}
    assert not is_accepted("application/octet-stream")
    with pytest.raises(KeyError):
        extension("image/gif")
