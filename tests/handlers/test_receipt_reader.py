"""The receipt reader for real: Tesseract with Dutch data reads generated receipt photos, and
the declaration offers the total ("Ik lees € 12,50 op deze bon. Klopt dat?") without storing
it until the participant says yes. Skipped, with the reason, when Tesseract is not installed."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from bot.app import App
from bot.contract import FileIn, Inbound, Kind
from bot.domain.answers import DraftAnswers
from bot.services import drafts, receipts
from bot.services.receipts import ReceiptReader
from handlers.receipt import read_receipt
from tests.handlers.test_declaration_flow import ADDRESS, CHANNEL, Chat, _people
from tests.receipt_images import ReceiptImage, receipt, tesseract_missing

pytest.importorskip("PIL", reason="Pillow (the [test] extra) draws the receipt photos")
MISSING = tesseract_missing()
needs_tesseract = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")

SEEDS = range(40)


async def _at_revenue(app: App) -> tuple[int, Chat]:
    """A participant at the omzet question of a new declaration."""
    pid = await _people(app)
    chat = Chat(app)
    await chat.say("/opgave")
    await chat.tap("decl:worked:yes")
    return pid, chat


async def _answers(app: App, pid: int) -> DraftAnswers:
    async with app.services.db.read() as tx:
        draft = await drafts.load_draft(tx, pid)
    assert draft is not None
    return draft.answers


async def _proofs(app: App) -> int:
    async with app.services.db.read() as tx:
        return int(await tx.scalar("SELECT COUNT(*) FROM proofs"))


@needs_tesseract
async def test_generated_receipts_are_read_right_nine_times_in_ten(app: App) -> None:
    """At least 90 % right; every wrong reading is only asked about, through the dispatcher."""
    assert app.services.receipts is not None, "tesseract is installed: the reader is on"
    wrong: list[tuple[ReceiptImage, int | None]] = []
    for seed in SEEDS:
        image = receipt(seed)
        file = FileIn("photo", "image/jpeg", len(image.jpeg), image.jpeg)
        inbound = Inbound(CHANNEL, ADDRESS, Kind.FILE, str(seed), file=file)
        read = await read_receipt(app.services, inbound, "revenue")
        got = read.file.total_cents if read.file else None
        if got != image.total_cents:
            wrong.append((image, got))
    shown = "\n".join(f"{image.description}: read {got}" for image, got in wrong)
    assert len(wrong) <= len(SEEDS) // 10, shown

    pid, chat = await _at_revenue(app)
    for image, got in wrong:
        await chat.photo(image.jpeg)
        if got is None:  # nothing read: kept as proof, the question again
            assert chat.keys() == ["declaration/proof_received", "declaration/ask_revenue"]
        else:
            assert chat.reply("declaration/receipt_read") == {"amount_cents": got}
        assert (await _answers(app, pid)).revenue_cents is None, image.description


@needs_tesseract
async def test_a_photo_at_the_revenue_question_is_offered_and_yes_fills_it(app: App) -> None:
    pid, chat = await _at_revenue(app)
    for seed in (1, 2, 3):  # every reading is asked about; nothing is filled in by itself
        image = receipt(seed)
        await chat.photo(image.jpeg)
        assert chat.keys() == ["declaration/proof_received", "declaration/receipt_read"]
        assert chat.reply("declaration/receipt_read") == {"amount_cents": image.total_cents}
        assert (await _answers(app, pid)).revenue_cents is None
    yes, no = chat.buttons()
    assert (yes, no) == (f"decl:rcpt:{image.total_cents}", "decl:rcptno")
    await chat.tap(yes)
    assert chat.keys() == ["declaration/ask_costs"]
    assert (await _answers(app, pid)).revenue_cents == image.total_cents
    assert await _proofs(app) == 3  # every photo kept as proof


@needs_tesseract
async def test_no_asks_to_type_the_amount_and_the_photo_stays_proof(app: App) -> None:
    pid, chat = await _at_revenue(app)
    await chat.photo(receipt(4).jpeg)
    await chat.tap("decl:rcptno")
    assert chat.keys() == ["declaration/receipt_type_it"]
    assert (await _answers(app, pid)).revenue_cents is None
    await chat.say("12,50")
    assert chat.keys() == ["declaration/ask_costs"]
    assert (await _answers(app, pid)).revenue_cents == 1250
    assert await _proofs(app) == 1


@needs_tesseract
async def test_a_cost_receipt_fills_the_category_being_asked(app: App) -> None:
    pid, chat = await _at_revenue(app)
    await chat.say("1000")
    await chat.tap("decl:cost:inkoop")
    image = receipt(5)
    await chat.photo(image.jpeg)
    assert chat.reply("declaration/receipt_read") == {"amount_cents": image.total_cents}
    yes = chat.buttons()[0]
    assert yes == f"decl:rcptc:inkoop:{image.total_cents}"
    await chat.tap(yes)
    assert chat.keys()[-1] == "declaration/ask_costs"
    assert (await _answers(app, pid)).costs == {"inkoop": image.total_cents}


@needs_tesseract
async def test_typing_before_the_tap_wins_and_the_old_yes_is_stale(app: App) -> None:
    pid, chat = await _at_revenue(app)
    await chat.photo(receipt(6).jpeg)
    yes = chat.buttons()[0]
    await chat.say("99")  # the participant types instead of tapping
    assert chat.keys() == ["declaration/ask_costs"]
    await chat.tap(yes)
    assert chat.keys()[0] == "declaration/stale_button"
    assert (await _answers(app, pid)).revenue_cents == 9900


@needs_tesseract
async def test_a_photo_at_the_proof_question_is_not_read(app: App) -> None:
    await _people(app)
    chat = Chat(app)
    await chat.say("/opgave")
    await chat.tap("decl:worked:no")  # straight to the review; the proof question is not asked
    image = receipt(7)
    file = FileIn("photo", "image/jpeg", len(image.jpeg), image.jpeg)
    inbound = Inbound(CHANNEL, ADDRESS, Kind.FILE, "x", file=file)
    assert await read_receipt(app.services, inbound, "proof") is inbound
    await chat.photo(image.jpeg)
    assert chat.keys() == ["declaration/proof_received", "declaration/review"]


async def test_without_tesseract_the_reader_is_off_with_one_log_line(
    app: App, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="bot.services.receipts"):
        assert await receipts.detect(path=str(tmp_path)) is None
        assert await receipts.detect(path=str(tmp_path)) is None  # decided once
    assert [r.getMessage() for r in caplog.records] == [
        "receipt reader off: tesseract is not installed (apt-get install tesseract-ocr)"
    ]
    app.services.receipts = None
    pid, chat = await _at_revenue(app)
    await chat.photo(b"\xff\xd8\xff\xe0 a photo of a receipt")
    assert chat.keys() == ["declaration/proof_received", "declaration/ask_revenue"]
    assert (await _answers(app, pid)).revenue_cents is None


async def test_a_reading_that_takes_too_long_is_given_up(tmp_path: Path) -> None:
    slow = tmp_path / "tesseract"
    slow.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(30)\n")
    slow.chmod(0o755)
    reader = ReceiptReader(str(slow), time_limit=0.2)
    assert await reader.read_total(b"\xff\xd8\xff\xe0 a photo", 2_500_000) is None


async def test_a_pdf_is_read_from_its_text_layer_without_tesseract(tmp_path: Path) -> None:
    from tests.unit.test_receipt_total import RECEIPT_STREAM, pdf

    reader = ReceiptReader(str(tmp_path / "no-tesseract"))  # never started for a PDF
    total = await reader.read_total(pdf(RECEIPT_STREAM, compress=True), 2_500_000)
    assert total is not None
    assert total.cents == 104_550


async def test_the_photo_goes_to_a_local_process_on_stdin_and_comes_back_on_stdout(
    tmp_path: Path,
) -> None:
    """No temporary file, no address: the program gets the bytes on stdin, one thread."""
    fake = tmp_path / "tesseract"
    seen = tmp_path / "seen"
    fake.write_text(
        f"#!{sys.executable}\n"
        "import os, sys\n"
        "size = len(sys.stdin.buffer.read())\n"
        f"with open({str(seen)!r}, 'w') as out:\n"
        "    out.write(' '.join(sys.argv[1:]) + ' ' + os.environ['OMP_THREAD_LIMIT'] + '\\n')\n"
        "    out.write(str(size) + '\\n')\n"
        "sys.stdout.write('Koffie 3,50\\nTotaal \\u20ac 12,50\\n')\n"
    )
    fake.chmod(0o755)
    photo = b"\xff\xd8\xff\xe0" + b"x" * 996
    total = await ReceiptReader(str(fake)).read_total(photo, 2_500_000)
    assert total is not None
    assert total.cents == 1250
    args, size = seen.read_text().split("\n")[:2]
    assert args == "stdin stdout -l nld --psm 6 1"
    assert int(size) == 1000
