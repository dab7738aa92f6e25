"""The receipt reader: Tesseract with its Dutch language data, on this machine, with a time limit.

A photo is piped to the `tesseract` program (asyncio subprocess: the event loop never waits on
it; killed when it takes longer than the limit); a PDF gives its text layer (`pdftotext` when
installed, else the small reader in bot/domain/pdf_text.py). The total is then found by the pure
rule in bot/domain/receipt.py. Nothing leaves the machine. Without Tesseract or its Dutch data
the reader is off (`detect` returns None) with one line in the log; the rest of the assistant
does not notice.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import time
from dataclasses import dataclass, field

from bot.domain.pdf_text import pdf_text
from bot.domain.proof import sniff
from bot.domain.receipt import ReceiptTotal, find_total

log = logging.getLogger(__name__)

LANGUAGE = "nld"
TIME_LIMIT = 3.0  # seconds per file; a reading that takes longer is given up (nothing asked)
# One thread: the machine's cores belong to the conversations; a receipt needs no more.
_ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}
_detected: dict[str | None, ReceiptReader | None] = {}


@dataclass(frozen=True)
class ReceiptReader:
    """Reads receipt photos and PDFs into text, offline."""

    tesseract: str
    pdftotext: str | None = None
    time_limit: float = TIME_LIMIT
    # At most one reading per core at a time; a reading waiting longer than its limit gives up.
    slots: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(os.cpu_count() or 1), compare=False, repr=False
    )

    async def text(self, data: bytes) -> str | None:
        """The text on a photo (JPEG, PNG, WebP) or in a PDF; None when it cannot be read."""
        mime = sniff(data)
        if mime is None:
            return None
        if mime == "application/pdf":
            if self.pdftotext is not None:
                return await _run([self.pdftotext, "-layout", "-", "-"], data, self.time_limit)
            return await asyncio.to_thread(pdf_text, data)
        command = [self.tesseract, "stdin", "stdout", "-l", LANGUAGE, "--psm", "6"]
        began = time.monotonic()
        async with self.slots:
            left = self.time_limit - (time.monotonic() - began)
            return await _run(command, data, left) if left > 0 else None

    async def read_total(self, data: bytes, ceiling_cents: int) -> ReceiptTotal | None:
        """The total on a receipt, or None (unreadable, too slow, or no amount on it)."""
        text = await self.text(data)
        return find_total(text, ceiling_cents) if text else None


async def detect(path: str | None = None) -> ReceiptReader | None:
    """The reader when Tesseract with Dutch data is installed (on `path`, default PATH), once
    per process; otherwise None, said in one log line."""
    if path in _detected:
        return _detected[path]
    reader: ReceiptReader | None = None
    binary = shutil.which("tesseract", path=path)
    if binary is None:
        log.info("receipt reader off: tesseract is not installed (apt-get install tesseract-ocr)")
    else:
        languages = await _run([binary, "--list-langs"], b"", 10.0) or ""
        if LANGUAGE in languages.split():
            reader = ReceiptReader(binary, shutil.which("pdftotext", path=path))
        else:
            log.info("receipt reader off: no Dutch data for Tesseract (tesseract-ocr-nld)")
    _detected[path] = reader
    return reader


async def _run(command: list[str], data: bytes, time_limit: float) -> str | None:
    """Run `command` with `data` on stdin; its stdout, or None on failure or after the limit."""
    try:
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env=_ENV,
        )
    except OSError as exc:
        log.warning("receipt reader could not start %s: %s", command[0], type(exc).__name__)
        return None
    try:
        out, _ = await asyncio.wait_for(process.communicate(data), time_limit)
    except TimeoutError:
        process.kill()
        await process.wait()
        log.info("receipt reader gave up after %.1f s", time_limit)
        return None
    if process.returncode != 0:
        return None
    return out.decode("utf-8", "replace")
