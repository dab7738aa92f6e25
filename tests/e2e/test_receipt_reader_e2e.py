"""The receipt reader over a Bot API server: the real `ptobot run` downloads a receipt photo sent
at the omzet question, reads it with Tesseract and asks "Klopt dat?"; *Ja* fills the omzet."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.fakebotapi import FakeBotApi
from tests.e2e.harness import TOKEN
from tests.e2e.journey_helpers import world
from tests.receipt_images import dutch, receipt, tesseract_missing

pytest.importorskip("PIL", reason="Pillow (the [test] extra) draws the receipt photos")
MISSING = tesseract_missing()
pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    """A fake Bot API in its own thread."""
    with FakeBotApi(token=TOKEN, max_long_poll=1.0).run_in_thread() as fake:
        yield fake


def test_a_receipt_photo_at_the_omzet_question_is_read_and_confirmed(
    tmp_path: Path, server: FakeBotApi
) -> None:
    image = receipt(11)
    with world(tmp_path, server) as w:
        w.bot.start()
        w.klantmanager("Kim Klantmanager", 2701)
        ayla = w.participant("Ayla Voorbeeld", 2702, "Kim Klantmanager")
        ayla.say("/opgave", "gewerkt")
        ayla.press("decl:worked:yes", "omzet")
        amount = f"€\u00a0{dutch(image.total_cents)}"  # Babel: a no-break space after €
        ayla.photo(image.jpeg, f"Ik lees {amount} op deze bon. Klopt dat?")
        assert ayla.button("decl:rcptno")
        ayla.press("decl:rcpt:", "kosten")
        [draft] = w.db.rows("SELECT data FROM declaration_drafts")
        assert json.loads(draft["data"])["revenue_cents"] == image.total_cents
        assert w.db.scalar("SELECT COUNT(*) FROM proofs") == 1
