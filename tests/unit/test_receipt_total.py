"""The total of a receipt from its text (bot/domain/receipt.py) and a PDF's text layer."""

from __future__ import annotations

import zlib

import pytest

from bot.domain.pdf_text import pdf_text
from bot.domain.receipt import ReceiptTotal, amounts, find_total

CEILING = 2_500_000


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Koffie 2x 3,50", [350]),
        ("Totaal € 1.234,56", [123_456]),
        ("Totaal €1.234,56", [123_456]),
        ("TOTAAL EUR 12,50", [1_250]),
        ("Te betalen 1234,56", [123_456]),
        ("Total 1,234.56", [123_456]),
        ("Bedrag 12.50", [1_250]),
        ("Bedrag 12 , 50", [1_250]),  # OCR puts spaces around the decimal mark
        ("Totaal 1.234.56", [123_456]),  # the comma read as a point
        ("Datum 13-05-2026 15:22", []),
        ("Artikel 4006381333931", []),
        ("Totaal 99.999.999,00", []),  # above the ceiling: not an amount a person could type
    ],
)
def test_amounts_on_a_line_in_dutch_and_euro_forms(line: str, expected: list[int]) -> None:
    assert amounts(line, CEILING) == expected


def test_the_line_saying_what_to_pay_wins_over_larger_amounts() -> None:
    text = """Bouwmarkt Noord
    Boormachine 89,95
    Schroeven 4,50
    Subtotaal 94,45
    BTW 21% 16,39
    Te betalen € 94,45
    Contant 100,00
    Wisselgeld 5,55"""
    assert find_total(text, CEILING) == ReceiptTotal(9_445, by_keyword=True)


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("Koffie 3,50\nTotaal 12,50\nPin 12,50", 1_250),
        ("Koffie 3,50\nTOTAAL\n€ 12,50", 1_250),  # the amount under its label
        ("Te betalen EUR 1\nBTW 21% 2,17\nTotaal 12,50", 1_250),  # never the VAT line below
        ("Totaal excl. btw 10,33\nBtw 2,17\nTotaal incl. btw 12,50", 1_250),
        ("Totaal 10,00\nTe betalen 8,00\nBedrag 9,00", 800),  # "te betalen" first
        ("Bedrag 19,99", 1_999),
        ("Amount due £ 1,250.00", 125_000),
    ],
)
def test_keywords_in_order(text: str, cents: int) -> None:
    assert find_total(text, CEILING) == ReceiptTotal(cents, by_keyword=True)


def test_without_a_keyword_the_largest_amount_near_the_bottom() -> None:
    text = "Winkel 12\nTel 0592 123456\nOpen 9,00 - 17,30\nKoffie 3,50\nThee 2,80\n€ 6,30\nPin"
    assert find_total(text, CEILING) == ReceiptTotal(630, by_keyword=False)


def test_no_amount_no_total() -> None:
    assert find_total("", CEILING) is None
    assert find_total("Bedankt voor uw bezoek\nTot ziens", CEILING) is None


def pdf(content: bytes, *, compress: bool) -> bytes:
    """A one-page PDF showing `content` (a content stream), as a till's PDF receipt is."""
    body = zlib.compress(content) if compress else content
    extra = b" /Filter /FlateDecode" if compress else b""
    stream = b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(body), extra, body)
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /Contents 4 0 R >> endobj\n"
        b"4 0 obj " + stream + b"\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


RECEIPT_STREAM = (
    b"BT /F1 12 Tf 50 700 Td (Drukkerij Van Dam) Tj 0 -20 Td (Visitekaartjes) Tj "
    b"200 0 Td (45,00) Tj -200 -20 Td [(Tot) 20 (aal)] TJ 200 0 Td (\\200 1.045,50) Tj ET"
)


@pytest.mark.parametrize("compress", [False, True])
def test_a_pdf_text_layer_gives_its_lines(compress: bool) -> None:
    text = pdf_text(pdf(RECEIPT_STREAM, compress=compress))
    assert text.splitlines() == [
        "Drukkerij Van Dam",
        "Visitekaartjes",
        "45,00",
        "Totaal",
        "€ 1.045,50",
    ]
    assert find_total(text, CEILING) == ReceiptTotal(104_550, by_keyword=True)


def test_a_pdf_without_a_text_layer_or_broken_gives_nothing() -> None:
    assert pdf_text(pdf(b"q 100 0 0 100 0 0 cm /Im1 Do Q", compress=True)) == ""
    broken = b"%PDF-1.4\n<< /Filter /FlateDecode >>\nstream\nnot zlib at all\nendstream"
    assert pdf_text(broken) == ""
    assert pdf_text(b"") == ""
