"""A BSN in any form, typed anywhere, leaves no trace in the database, the files or the log.

Each example opens a fresh database with two caseloads, sends a generated BSN (random script,
random separators, in random text) as a text, a flow answer, a command's arguments, a caption,
a file's name, forged button data, a stranger's message and a declaration's note, then reads every
table, every file in the test's folder (pto.db and its -wal, proofs) and the log: none holds the
number in any form. A name with a BSN is refused by invites and the caseload import, and nothing
is stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import App, open_app
from bot.cli import main
from bot.clock import FixedClock
from bot.config import Settings
from bot.contract import Inbound
from bot.domain.errors import DomainError
from bot.domain.models import Role
from bot.services import onboarding
from bot.storage import schema
from handlers.base import Ctx
from messages import render
from tests.conftest import NOW
from tests.privacy.bsn_forms import around, bsns, leaked, spellings, words
from tests.privacy.conftest import Folks, button, command, file, seed_folks, text

EXAMPLES = int(os.environ.get("PTO_BSN_EXAMPLES", "25"))
PDF = b"%PDF-1.4\n%invented proof\n"


@contextlib.contextmanager
def _captured_log() -> Iterator[list[str]]:
    """Every log line (with tracebacks) of every logger, at DEBUG, while inside."""
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    root = logging.getLogger()
    handler, level = Keep(logging.DEBUG), root.level
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _install_probe(app: App) -> None:
    """A command and a flow that store and audit what they receive, and crash on 'crash'."""

    @app.router.command("probe")
    async def probe(ctx: Ctx) -> None:
        ctx.state.go("probe", "ask", args=ctx.inbound.args)
        ctx.reply("common/fallback")

    @app.router.flow("probe")
    async def probe_flow(ctx: Ctx) -> None:
        inbound = ctx.inbound
        seen = [inbound.text, inbound.file.name if inbound.file else None]
        ctx.state.data.setdefault("answers", []).append(seen)
        ctx.state.touch()
        from bot.storage import audit_log

        await audit_log.record(ctx.tx, ctx.now, ctx.require_person().id, "probe.answer", seen=seen)
        if inbound.text.startswith("crash"):
            raise ValueError(f"could not read {inbound.text!r}")
        ctx.reply("common/fallback")


async def _table_dump(app: App) -> str:
    """Every row of every table, as text."""
    async with app.services.db.read() as tx:
        rows = []
        for table in await schema.table_names(tx):
            for row in await tx.all(f'SELECT * FROM "{table}"'):  # noqa: S608
                rows.append(repr(tuple(row)))
    return "\n".join(rows)


def _folder_bytes(folder: Path) -> bytes:
    """Every file's name and content under `folder` (pto.db, pto.db-wal, proofs, …)."""
    parts = [
        str(p.relative_to(folder)).encode() + b"\n" + p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    ]
    return b"\n".join(parts)


async def _send_everywhere(app: App, folks: Folks, typed_text: str) -> list[list[str]]:
    """Send the text every way a person can; returns the reply keys of each."""
    chat = folks.ayla.address
    caption = file(chat, PDF, "application/pdf", "bon.pdf")
    caption = Inbound(**{**caption.__dict__, "text": typed_text})
    inputs = [
        text(chat, typed_text),  # free text outside a flow
        command(chat, f"/probe {typed_text}"),  # a command's arguments
        text(chat, typed_text),  # a flow's answer, stored and audited
        caption,  # a caption with a file
        file(chat, PDF, "application/pdf", f"{typed_text}.pdf"),  # a file's name
        text(chat, f"crash {typed_text}"),  # an unexpected error, logged
        button(chat, f"decl:fix:{typed_text}"[:64]),  # forged button data
        button(chat, typed_text[:64]),
        text("99999", typed_text),  # a stranger
        command("99999", f"/start {typed_text}"),
    ]
    keys = []
    for inbound in inputs:
        outcome = await app.dispatcher.handle(inbound)
        keys.append([r.key for r in outcome.replies])
        for reply in outcome.replies:
            assert render(reply.key, outcome.locale, **reply.ctx).strip()
    # A real declaration's note: a nil declaration, the note edited from the review, sent.
    await app.dispatcher.handle(command(chat, "/stop"))
    for step in (command(chat, "/opgave"), button(chat, "decl:worked:no")):
        await app.dispatcher.handle(step)
    await app.dispatcher.handle(button(chat, "decl:edit:note"))
    noted = await app.dispatcher.handle(text(chat, typed_text))
    keys.append([r.key for r in noted.replies])
    sends = [
        b.data
        for r in noted.replies
        for row in r.buttons
        for b in row
        if b.data.startswith("decl:send:")
    ]
    assert sends, [r.key for r in noted.replies]
    receipt = await app.dispatcher.handle(button(chat, sends[0]))
    assert "declaration/receipt" in [r.key for r in receipt.replies]
    async with app.services.db.read() as tx:
        [declaration] = await tx.all("SELECT data FROM declarations")
    assert "*********" in json.loads(declaration["data"])["note"]
    return keys


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), digits=bsns(), prefix=words(max_size=20), suffix=words(max_size=20))
async def test_a_bsn_in_any_form_leaves_no_trace_anywhere(
    data: st.DataObject, digits: str, prefix: str, suffix: str
) -> None:
    typed = data.draw(spellings(digits), label="typed")
    # No leading '/' (a command) nor "crash" (the probe's trigger) from the random text.
    typed_text = around("x " + prefix.lstrip("/"), typed, suffix)
    with tempfile.TemporaryDirectory() as tmp, _captured_log() as log_lines:
        folder = Path(tmp)
        config = Settings(
            database_url=f"sqlite:///{folder / 'pto.db'}",
            proof_dir=folder / "proof",
            demo=False,
            flood_limit_per_minute=1_000_000,
        )
        async with open_app(config, FixedClock(NOW)) as app:
            folks = await seed_folks(app, NOW)
            _install_probe(app)
            keys = await _send_everywhere(app, folks, typed_text)
            dump = await _table_dump(app)
        stored = _folder_bytes(folder)  # after closing: the -wal as it was left
    assert all(k[0] == "privacy/bsn_warning" for k in keys), keys
    assert "*********" in dump
    assert json.dumps("*********")[1:-1] in dump
    assert not leaked(dump, digits, typed), typed_text
    assert not leaked(stored, digits, typed, flatten=False), typed_text
    log_text = "\n".join(log_lines)
    assert "could not read" in log_text  # the crash was logged ...
    assert not leaked(log_text, digits, typed), typed_text  # ... without the number


# ------------------------------------------------------------------------ names with a BSN


async def _counts(app: App) -> dict[str, int]:
    async with app.services.db.read() as tx:
        return {
            table: (await tx.one(f"SELECT count(*) AS n FROM {table}"))["n"]  # type: ignore[index]  # noqa: S608
            for table in ("people", "participants", "invites", "audit_log")
        }


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), digits=bsns(), role=st.sampled_from(list(Role)), where=st.integers(0, 2))
async def test_an_invite_for_a_name_with_a_bsn_is_refused_and_nothing_stored(
    data: st.DataObject, digits: str, role: Role, where: int
) -> None:
    typed = data.draw(spellings(digits), label="typed")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = Settings(database_url=f"sqlite:///{folder / 'pto.db'}", demo=False)
        async with open_app(config, FixedClock(NOW)) as app:
            await seed_folks(app, NOW)
            before = await _counts(app)
            names = {"name": "Bert Voorbeeld", "klantmanager": None, "coach": None}
            field = ("name", "klantmanager", "coach")[where]
            names[field] = around("Bert ", typed, "")
            with pytest.raises(DomainError) as refused:
                async with app.services.db.transaction() as tx:
                    await onboarding.create_invite(
                        tx,
                        NOW,
                        role=Role.PARTICIPANT if where else role,
                        name=str(names["name"]),
                        ttl_days=14,
                        klantmanager=names["klantmanager"],
                        coach=names["coach"],
                    )
            assert refused.value.key == "onboarding/name_has_bsn"
            assert await _counts(app) == before
        assert not leaked(_folder_bytes(folder), digits, typed, flatten=False)


def test_the_refusal_says_a_name_may_not_contain_a_bsn() -> None:
    assert "may not contain a BSN" in render("onboarding/name_has_bsn", "en")
    assert "mag geen BSN bevatten" in render("onboarding/name_has_bsn", "nl")


def test_the_cli_refuses_an_invite_and_an_import_with_a_bsn_in_a_name(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    digits = "123456782"  # generated with check_digit; not a real person's number
    spelled = "\u0661\u0662\u0663 456\u200b78\u20132"
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PTO_PROOF_DIR", str(settings.proof_dir))
    monkeypatch.setenv("PTO_DEMO", "false")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    monkeypatch.chdir(tmp_path)

    async def seed() -> None:
        async with open_app(settings, FixedClock(NOW)) as app:
            await seed_folks(app, NOW)

    asyncio.run(seed())
    assert main(["invite", "--role", "coach", "--name", f"Bert {digits}"]) == 1
    refused = capsys.readouterr().err
    assert "may not contain a BSN" in refused
    assert not leaked(refused, digits, digits)
    caseload = tmp_path / "caseload.csv"
    caseload.write_text(
        "name;klantmanager;coach;start_date;household\n"
        "Dirk Voorbeeld;Kim Klantmanager;;2026-09-01;alleenstaande\n"
        f"Bert {spelled};Kim Klantmanager;;2026-09-01;alleenstaande\n",
        encoding="utf-8",
    )
    assert main(["import", str(caseload), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["imported"] == 0
    assert [r["row"] for r in report["rejected"]] == [3]
    assert "may not contain a BSN" in report["rejected"][0]["reason"]
    assert main(["people", "--json"]) == 0
    names = [p["name"] for p in json.loads(capsys.readouterr().out)]
    assert "Dirk Voorbeeld" not in names  # all rows or none
    assert not [n for n in names if n.startswith("Bert")]
    caseload.unlink()
    assert not leaked(_folder_bytes(tmp_path), digits, spelled, flatten=False)
