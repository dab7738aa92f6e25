"""Limits: message length, file size and type (images and PDF only), a per-chat flood limit."""

from __future__ import annotations

import os

import pytest

from bot.app import App
from bot.config import Settings
from bot.dispatcher import _Flood
from messages import render
from tests.privacy.conftest import Folks, command, file, text


async def _rows(app: App, table: str) -> int:
    async with app.services.db.read() as tx:
        return int(await tx.scalar(f"SELECT COUNT(*) FROM {table}"))  # noqa: S608


async def test_too_long_text_is_refused_with_the_limit_and_changes_nothing(
    app: App, settings: Settings, folks: Folks
) -> None:
    await app.dispatcher.handle(command(folks.ayla.address, "/taal en"))
    outcome = await app.dispatcher.handle(
        text(folks.ayla.address, "x" * (settings.max_text_length + 1))
    )
    assert [r.key for r in outcome.replies] == ["common/too_long"]
    assert str(settings.max_text_length) in render(
        "common/too_long", "nl", **outcome.replies[0].ctx
    )
    assert await _rows(app, "conversation_state") == 0
    just_fits = await app.dispatcher.handle(
        text(folks.ayla.address, "x" * settings.max_text_length)
    )
    assert "common/too_long" not in [r.key for r in just_fits.replies]


async def test_a_file_outside_a_flow_gets_an_answer_and_is_not_kept(
    app: App, folks: Folks
) -> None:
    for inbound in (
        file(folks.ayla.address, b"MZ\x90\x00", "application/x-msdownload", "tool.exe"),
        file(folks.ayla.address, None, "application/pdf", "huge.pdf"),
        file(folks.km.address, b"%PDF-1.4", "application/pdf", "bon.pdf"),
    ):
        outcome = await app.dispatcher.handle(inbound)
        assert [r.key for r in outcome.replies] == ["common/file_without_flow"]
    assert await _rows(app, "proofs") == 0


@pytest.mark.parametrize(
    ("data", "mime", "name", "expected"),
    [
        (None, "application/x-msdownload", "tool.exe", "declaration/proof_wrong_type"),
        (b"PK\x03\x04 a zip", "application/pdf", "fake.pdf", "declaration/proof_wrong_type"),
        (None, "application/pdf", "huge.pdf", "declaration/proof_too_big"),
        (None, "image/jpeg", None, "declaration/proof_too_big"),
    ],
)
async def test_in_the_declaration_flow_only_images_and_pdfs_of_limited_size_are_taken(
    app: App,
    settings: Settings,
    folks: Folks,
    data: bytes | None,
    mime: str,
    name: str | None,
    expected: str,
) -> None:
    if "declaration" not in app.router.flows:
        pytest.skip("the declaration flow is not registered yet")
    await app.dispatcher.handle(command(folks.ayla.address, "/opgave"))
    outcome = await app.dispatcher.handle(file(folks.ayla.address, data, mime, name))
    keys = [r.key for r in outcome.replies]
    assert keys[0] == expected, keys
    assert "common/error" not in keys
    assert await _rows(app, "proofs") == 0
    assert not any(p.is_file() for p in settings.proof_dir.rglob("*"))
    if expected == "declaration/proof_too_big":
        assert "MB" in render(expected, "nl", **outcome.replies[0].ctx)


async def test_a_real_pdf_in_the_declaration_flow_is_taken(
    app: App, settings: Settings, folks: Folks
) -> None:
    if "declaration" not in app.router.flows:
        pytest.skip("the declaration flow is not registered yet")
    await app.dispatcher.handle(command(folks.ayla.address, "/opgave"))
    pdf = b"%PDF-1.4\n" + os.urandom(64)
    outcome = await app.dispatcher.handle(
        file(folks.ayla.address, pdf, "application/pdf", "b.pdf")
    )
    assert outcome.replies[0].key == "declaration/proof_received"
    assert await _rows(app, "proofs") == 1


async def test_a_flood_from_one_chat_gets_a_polite_answer_and_others_are_not_slowed(
    app: App, settings: Settings, folks: Folks
) -> None:
    limit = settings.flood_limit_per_minute
    for _ in range(limit):
        ok = await app.dispatcher.handle(text(folks.ayla.address, "hallo"))
        assert ok.replies[0].key != "common/slow_down"
    updates_before = await _rows(app, "processed_updates")
    flooded = await app.dispatcher.handle(command(folks.ayla.address, "/taal en"))
    assert [r.key for r in flooded.replies] == ["common/slow_down"]
    assert "Rustig aan" in render("common/slow_down", "nl")
    assert await _rows(app, "processed_updates") == updates_before  # nothing was done
    async with app.services.db.read() as tx:
        locale = await tx.scalar("SELECT locale FROM people WHERE id = ?", (folks.ayla.id,))
    assert locale == "nl"
    other = await app.dispatcher.handle(text(folks.bram.address, "hallo"))
    assert other.replies[0].key != "common/slow_down"


def test_the_flood_window_forgives_after_a_minute() -> None:
    flood = _Flood(window=60.0)
    assert not any(flood.hit("telegram:1", 3, at) for at in (0.0, 1.0, 2.0))
    assert flood.hit("telegram:1", 3, 3.0)
    assert not flood.hit("telegram:2", 3, 3.0)
    assert not flood.hit("telegram:1", 3, 64.0)
