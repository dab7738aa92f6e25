"""The total of a receipt, from the text a reader (Tesseract) made of its photo.

Decision (docs/domain.md, "The total of a receipt"): the amount on a line that says what is to
be paid ("Te betalen", then "Totaal", then "Bedrag"; English "Total" and "Amount due" too), the
largest one when several lines say so; a line about VAT, a subtotal, cash handed over or change
never counts. Without such a line, the largest amount in the bottom half of the receipt. An
amount has two decimals ("12,50", "1.234,56", "€ 12,50", "12.50"); it is read by the one home
for amounts people type (`bot.domain.money.parse_amount`). What comes out is only ever offered
for confirmation ("Klopt dat?"), never stored on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.money import Refusal, parse_amount

# Keywords by priority (first wins); matched as whole words in a lower-cased line.
TOTAL_WORDS: tuple[tuple[str, ...], ...] = (
    ("te betalen", "amount due", "te voldoen"),
    ("totaal", "total", "totaalbedrag", "eindtotaal"),
    ("bedrag", "amount"),
)
# A line with one of these is never the total (a subtotal, what was handed over, change), nor
# is a line about VAT unless it says the amount includes it ("Totaal incl. btw").
NOT_TOTAL = re.compile(
    r"\b(subtota\w*|sub-tota\w*|excl\w*|contant|cash|wisselgeld|retour|change|korting)\b"
)
VAT = re.compile(r"\b(btw|vat|tax)\b")
INCLUDING = re.compile(r"\b(incl\w*)\b")
# Two decimals after a comma or point, with optional thousands separators (dot, comma, space,
# apostrophe) and an optional euro sign in front; OCR may put a space around the decimal mark.
AMOUNT = re.compile(
    r"(?<![\d.,])(?:€|eur)?\s?(\d{1,3}(?:[.,' ]\d{3})+|\d+)\s?([.,])\s?(\d{2})(?![\d])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ReceiptTotal:
    """The amount read as the receipt's total, in cents, and how it was found."""

    cents: int
    by_keyword: bool  # False: the largest amount near the bottom


def amounts(line: str, ceiling_cents: int) -> list[int]:
    """The amounts on one line, left to right, in cents (those above `ceiling_cents` left out)."""
    found = []
    for match in AMOUNT.finditer(line):
        whole, mark, cents = match.groups()
        if mark in whole:  # "1.234.56": the decimal mark cannot also separate thousands
            whole = whole.replace(mark, "")
        value = parse_amount(f"{whole}{mark}{cents}", ceiling_cents)
        if not isinstance(value, Refusal):
            found.append(value)
    return found


def _not_total(lowered: str) -> bool:
    """A line that never holds the total."""
    if NOT_TOTAL.search(lowered):
        return True
    return bool(VAT.search(lowered)) and not INCLUDING.search(lowered)


def _priority(line: str) -> int | None:
    lowered = line.lower()
    if _not_total(lowered):
        return None
    for rank, words in enumerate(TOTAL_WORDS):
        if any(re.search(rf"\b{re.escape(word)}\b", lowered) for word in words):
            return rank
    return None


def find_total(text: str, ceiling_cents: int) -> ReceiptTotal | None:
    """The receipt's total in `text` (what a reader made of the photo), or None."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    best: tuple[int, int] | None = None  # (rank, cents); a lower rank is better
    for index, line in enumerate(lines):
        rank = _priority(line)
        if rank is None:
            continue
        found = amounts(line, ceiling_cents)
        below = lines[index + 1] if index + 1 < len(lines) else ""
        if not found and _priority(below) is None and not _not_total(below.lower()):
            found = amounts(below, ceiling_cents)  # the amount below its label
        if not found:
            continue
        candidate = (rank, -max(found))
        if best is None or candidate < (best[0], -best[1]):
            best = (rank, max(found))
    if best is not None:
        return ReceiptTotal(best[1], by_keyword=True)
    bottom = [
        value
        for line in lines[len(lines) // 2 :]
        if not _not_total(line.lower())
        for value in amounts(line, ceiling_cents)
    ]
    return ReceiptTotal(max(bottom), by_keyword=False) if bottom else None
