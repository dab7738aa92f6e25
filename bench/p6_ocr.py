"""P6: the receipt reader, Tesseract with Dutch data on this machine, per receipt photo.

The photos are those of the tests (tests/receipt_images.py: several fonts and sizes, a slight
rotation, blur, JPEG compression); each is read the way the assistant reads it (one tesseract
process, one thread, the total found in its text), one after the other.
"""

from __future__ import annotations

import statistics
import time

from bench.common import Result, check, unavailable
from bot.services import receipts

TARGET = "< 1 s per image"
CEILING = 2_500_000


async def run(quick: bool) -> list[Result]:
    """Read the generated receipts one by one; the slowest and the median, and how many right."""
    try:
        from tests.receipt_images import receipt, tesseract_missing
    except ImportError as exc:  # Pillow is in the [test] extra
        return [unavailable("P6", "receipt reading", str(exc), TARGET)]
    missing = tesseract_missing()
    reader = await receipts.detect()
    if missing is not None or reader is None:
        return [unavailable("P6", "receipt reading", missing or "reader off", TARGET)]
    images = [receipt(seed) for seed in range(10 if quick else 40)]
    await reader.read_total(images[0].jpeg, CEILING)  # warm the page cache (tessdata)
    seconds, right = [], 0
    for image in images:
        began = time.perf_counter()
        total = await reader.read_total(image.jpeg, CEILING)
        seconds.append(time.perf_counter() - began)
        right += total is not None and total.cents == image.total_cents
    slowest, median = max(seconds), statistics.median(seconds)
    share = 100 * right / len(images)
    note = f"{len(images)} photos; median {median:.2f} s; {right} totals read right"
    return [
        Result("P6", "receipt reading, slowest photo", slowest, "s", TARGET, slowest < 1.0, note),
        Result(
            "P6-ok",
            "receipt totals read right",
            share,
            "%",
            "≥ 90 %",
            check(share, 90, at_most=False),
        ),
    ]
