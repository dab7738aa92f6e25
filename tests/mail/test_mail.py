"""E-mail through the outbox, against an SMTP server on 127.0.0.1 (aiosmtpd): the weekly digest
with HTML and text parts exactly once, urgent items and login links, refusals and timeouts
retried or parked, and nothing mailed without SMTP_HOST."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.app import App, open_app
from bot.channels.email import SmtpTransport
from bot.clock import FixedClock
from bot.config import Settings
from bot.mail import MailSender
from bot.services import mail, onboarding, queue
from bot.storage import outbox, people
from scheduler.jobs import run_job
from tests.conftest import NOW
from tests.factories import caseload
from tests.mail.conftest import BASE_URL
from tests.mail.smtpsink import Sink

MONDAY = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # 08:00 in Amsterdam, week 2026-W50
KIM_MAIL = "kim.klantmanager@gemeente.example"


async def give_address(app: App, name: str, address: str) -> int:
    async with app.services.db.transaction() as tx:
        person = await onboarding.set_email(tx, NOW, name, address)
    return person.id


async def mail_rows(app: App) -> list[dict[str, Any]]:
    async with app.services.db.read() as tx:
        rows = await tx.all(
            "SELECT id, person_id, message_key, dedupe_key, attempts, sent_at, parked_at, "
            "last_error, context FROM outbox WHERE channel = ? ORDER BY id",
            (outbox.EMAIL,),
        )
    return [dict(r) for r in rows]


async def audit_actions(app: App, action: str) -> int:
    async with app.services.db.read() as tx:
        rows = await tx.all("SELECT id FROM audit_log WHERE action = ?", (action,))
    return len(rows)


def parts(message: Any) -> dict[str, str]:
    """The text and HTML parts of a received mail, by content type."""
    assert message.get_content_type() == "multipart/alternative"
    return {
        p.get_content_type(): p.get_content().replace("\r\n", "\n") for p in message.iter_parts()
    }


async def test_weekly_digest_is_mailed_once_with_html_and_text_parts(
    mail_app: App, sink: Sink
) -> None:
    await caseload(mail_app, NOW)
    kim = await give_address(mail_app, "Kim", f"  {KIM_MAIL.upper()} ")
    for _ in range(2):  # the job twice: one digest, one mail
        await run_job(mail_app.services, "weekly_digest", MONDAY)
        await run_job(mail_app.services, "outbox", MONDAY)
    later = MONDAY + timedelta(hours=1)
    await run_job(mail_app.services, "weekly_digest", later)
    await run_job(mail_app.services, "outbox", later)

    assert len(sink.received) == 1
    assert sink.recipients == [[KIM_MAIL]]
    message = sink.received[0]
    assert message["Subject"] == "Weekoverzicht 2026-W50"
    assert message["To"] == KIM_MAIL
    assert "gemeente.example" in message["From"]
    found = parts(message)
    html, text = found["text/html"], found["text/plain"]
    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert "Weekoverzicht 2026-W50" in html
    assert "Ayla Voorbeeld" in html
    assert "Ayla Voorbeeld" in text
    assert "<b>" not in text
    assert f"{BASE_URL}/weekoverzicht" in text
    rows = await mail_rows(mail_app)
    assert [(r["person_id"], r["dedupe_key"]) for r in rows] == [
        (kim, mail.digest_key(kim, "2026-W50"))
    ]
    assert rows[0]["sent_at"] is not None
    assert rows[0]["context"] == "{}"  # delivered: the figures are not kept in the outbox
    assert await audit_actions(mail_app, "push.delivered") >= 1


async def test_the_mail_is_the_same_digest_as_the_command_line(mail_app: App, sink: Sink) -> None:
    from bot.cli.digest import _page
    from bot.services import digest

    await caseload(mail_app, NOW)
    await give_address(mail_app, "Kim", KIM_MAIL)
    await run_job(mail_app.services, "weekly_digest", MONDAY)
    await run_job(mail_app.services, "outbox", MONDAY)
    services = mail_app.services
    window = digest.window_for(services.policy, MONDAY)
    async with services.db.read() as tx:
        kim = await people.person_by_email(tx, KIM_MAIL)
        assert kim is not None
        figures = await digest.build_digest(tx, services.policy, kim, window)
    found = parts(sink.received[0])
    assert found["text/html"].strip() == _page(figures, "nl", "html").strip()
    assert found["text/plain"].startswith(_page(figures, "nl", "text").strip())


async def test_a_klantmanager_without_an_address_gets_no_mail(mail_app: App, sink: Sink) -> None:
    await caseload(mail_app, NOW)
    await run_job(mail_app.services, "weekly_digest", MONDAY)
    await run_job(mail_app.services, "outbox", MONDAY)
    assert sink.received == []
    assert await mail_rows(mail_app) == []


async def test_without_smtp_host_nothing_is_queued(settings: Settings, clock: FixedClock) -> None:
    async with open_app(settings, clock) as app:
        assert not settings.mail_configured
        assert not mail.configured()
        await caseload(app, NOW)
        kim = await give_address(app, "Kim", KIM_MAIL)
        await run_job(app.services, "weekly_digest", MONDAY)
        async with app.services.db.transaction() as tx:
            sent = await mail.queue_login_link(tx, person_id=kim, url="x", now=NOW)
            ayla = await people.person_by_name(tx, "Ayla Voorbeeld")
            assert ayla is not None
            await queue.open_item(tx, NOW, ayla.id, queue.UNREACHABLE, policy=None)
        assert sent is False
        assert await mail_rows(app) == []
        result = await run_job(app.services, "outbox", MONDAY)
        assert not any("mail" in line for line in result.lines)


async def test_a_login_link_is_mailed_and_then_forgotten(mail_app: App, sink: Sink) -> None:
    await caseload(mail_app, NOW)
    kim = await give_address(mail_app, "Kim", KIM_MAIL)
    async with mail_app.services.db.read() as tx:
        cas = await people.person_by_name(tx, "Cas Coach")
    assert cas is not None
    url = f"{BASE_URL}/login/Zm9vYmFyYmF6"
    async with mail_app.services.db.transaction() as tx:
        assert await mail.queue_login_link(tx, person_id=kim, url=url, now=NOW)
        assert not await mail.queue_login_link(tx, person_id=cas.id, url=url, now=NOW)
    await run_job(mail_app.services, "outbox", NOW)

    assert len(sink.received) == 1
    message = sink.received[0]
    assert message["Subject"] == "Je inloglink voor de PTO-inbox"  # "je", as the inbox itself
    found = parts(message)
    assert url in found["text/plain"]
    assert f'href="{url}"' in found["text/html"]
    (row,) = await mail_rows(mail_app)
    assert row["sent_at"] is not None
    assert url not in row["context"]  # the link is a credential: gone once delivered


async def test_urgent_items_are_mailed_at_once_without_figures(mail_app: App, sink: Sink) -> None:
    await caseload(mail_app, NOW)
    await give_address(mail_app, "Kim", KIM_MAIL)
    async with mail_app.services.db.transaction() as tx:
        ayla = await people.person_by_name(tx, "Ayla Voorbeeld")
        assert ayla is not None
        item = await queue.open_item(tx, NOW, ayla.id, queue.UNREACHABLE, policy=None)
        again = await queue.open_item(
            tx, NOW, ayla.id, queue.DELIVERY_FAILED, dedupe_key="df:1", policy=None
        )
        await queue.open_item(
            tx, NOW, ayla.id, queue.DELIVERY_FAILED, dedupe_key="df:1", policy=None
        )  # the same item again: no second mail
    await run_job(mail_app.services, "outbox", NOW)
    await run_job(mail_app.services, "outbox", NOW)

    subjects = sorted(m["Subject"] for m in sink.received)
    assert subjects == [
        "Bericht niet afgeleverd: Ayla Voorbeeld",
        "Deelnemer niet bereikbaar: Ayla Voorbeeld",
    ]
    texts = {m["Subject"]: parts(m)["text/plain"] for m in sink.received}
    assert f"{BASE_URL}/item/{item}" in texts["Deelnemer niet bereikbaar: Ayla Voorbeeld"]
    assert f"{BASE_URL}/item/{again}" in texts["Bericht niet afgeleverd: Ayla Voorbeeld"]
    assert all("€" not in text for text in texts.values())
    assert {r["context"] for r in await mail_rows(mail_app)} == {"{}"}


async def test_a_participant_who_blocks_the_bot_is_mailed_to_the_klantmanager(
    mail_app: App, sink: Sink
) -> None:
    """The sender's own path: a chat push meets Blocked, the item opens, the mail goes."""
    from bot.channels.base import Blocked, Outgoing
    from bot.outbox import Sender

    class Blocking:
        name = "telegram"

        async def deliver(self, address: str, message: Outgoing) -> str | None:
            raise Blocked("blocked")

    await caseload(mail_app, NOW)
    await give_address(mail_app, "Kim", KIM_MAIL)
    async with mail_app.services.db.transaction() as tx:
        ayla = await people.person_by_name(tx, "Ayla Voorbeeld")
        assert ayla is not None
        await outbox.enqueue(tx, ayla.id, "common/taal_set", NOW)
    async with mail_app.services.db.read() as tx:
        rows = await outbox.due_by_chat(tx, "telegram", NOW, 100)
    ayla_rows = [r for chat in rows for r in chat if r.person_id == ayla.id]
    await Sender(mail_app.services.db, Blocking(), 3).send_one(ayla_rows[0], NOW)
    await run_job(mail_app.services, "outbox", NOW)
    assert [m["Subject"] for m in sink.received] == ["Deelnemer niet bereikbaar: Ayla Voorbeeld"]


async def test_a_refusal_for_now_is_retried_and_delivered_once(mail_app: App, sink: Sink) -> None:
    await caseload(mail_app, NOW)
    kim = await give_address(mail_app, "Kim", KIM_MAIL)
    async with mail_app.services.db.transaction() as tx:
        await mail.queue_login_link(tx, person_id=kim, url=f"{BASE_URL}/login/a", now=NOW)
    sink.mode = "later"
    await run_job(mail_app.services, "outbox", NOW)
    (row,) = await mail_rows(mail_app)
    assert (row["attempts"], row["sent_at"], row["parked_at"]) == (1, None, None)
    assert row["last_error"] == "DeliveryError: SMTP 451"
    await run_job(mail_app.services, "outbox", NOW)  # held until its backoff has passed
    assert sink.attempts == 1

    sink.mode = "accept"
    later = NOW + timedelta(minutes=1)
    await run_job(mail_app.services, "outbox", later)
    await run_job(mail_app.services, "outbox", later)
    assert len(sink.received) == 1
    (row,) = await mail_rows(mail_app)
    assert row["sent_at"] is not None
    assert row["attempts"] == 1


async def test_a_permanent_rejection_is_parked_at_once_and_audited(
    mail_app: App, sink: Sink, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await caseload(mail_app, NOW)
    kim = await give_address(mail_app, "Kim", KIM_MAIL)
    async with mail_app.services.db.transaction() as tx:
        await mail.queue_login_link(tx, person_id=kim, url=f"{BASE_URL}/login/b", now=NOW)
    sink.mode = "reject"
    await run_job(mail_app.services, "outbox", NOW)
    (row,) = await mail_rows(mail_app)
    assert row["parked_at"] is not None
    assert row["attempts"] == 1
    assert row["last_error"] == "Rejected: SMTP 550"  # the code, never the server's text
    assert "login/b" not in row["context"]
    assert await audit_actions(mail_app, "mail.parked") == 1
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot"))
    assert "parked" in ours
    assert KIM_MAIL not in ours  # the server's answer names the address: not logged
    sink.mode = "accept"
    await run_job(mail_app.services, "outbox", NOW + timedelta(hours=1))
    assert sink.received == []  # parked stays parked


async def test_a_server_that_times_out_is_retried_then_parked_and_the_chat_goes_on(
    mail_app: App, mail_settings: Settings, sink: Sink
) -> None:
    await caseload(mail_app, NOW)
    kim = await give_address(mail_app, "Kim", KIM_MAIL)
    async with mail_app.services.db.transaction() as tx:
        await mail.queue_login_link(tx, person_id=kim, url=f"{BASE_URL}/login/c", now=NOW)
        await outbox.enqueue(tx, kim, "common/taal_set", NOW)  # a chat push beside it
    sink.mode = "hang"
    transport = SmtpTransport(
        "127.0.0.1", sink.port, mail_settings.smtp_from or "", starttls=False, timeout=0.2
    )
    sender = MailSender(mail_app.services.db, transport, max_attempts=3)
    at = NOW
    for attempt in range(1, 4):
        assert await sender.drain_once(at) == 0
        (row,) = await mail_rows(mail_app)
        assert row["attempts"] == attempt
        at += timedelta(hours=1)
    (row,) = await mail_rows(mail_app)
    assert row["parked_at"] is not None  # nothing lost: the row is kept, parked
    assert row["last_error"].startswith("DeliveryError: SMTP")
    async with mail_app.services.db.read() as tx:
        chat = await outbox.due_by_chat(tx, "telegram", at, 100)
    assert [r.message_key for c in chat for r in c if r.person_id == kim] == ["common/taal_set"]
    assert sink.received == []


async def test_mijngegevens_shows_the_stored_address(mail_app: App) -> None:
    from bot.services.personal_data import export_own_data

    await caseload(mail_app, NOW)
    kim = await give_address(mail_app, "Kim", KIM_MAIL)
    async with mail_app.services.db.read() as tx:
        data = await export_own_data(tx, kim)
    assert data["person"]["email"] == KIM_MAIL


async def test_settings_need_a_sender_and_keep_the_password_secret() -> None:
    from bot.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="SMTP_FROM is required"):
        load_settings({"SMTP_HOST": "smtp.example"})
    with pytest.raises(ConfigError, match="SMTP_FROM must be an e-mail address"):
        load_settings({"SMTP_HOST": "smtp.example", "SMTP_FROM": "nobody"})
    loaded = load_settings(
        {
            "SMTP_HOST": "smtp.example",
            "SMTP_FROM": "PTO <pto@gemeente.example>",
            "SMTP_PASSWORD": "s3cret-pw",
            "SMTP_STARTTLS": "false",
            "SMTP_PORT": "2525",
        }
    )
    assert loaded.mail_configured
    assert loaded.smtp_port == 2525
    assert not loaded.smtp_starttls
    assert "s3cret-pw" not in repr(loaded)
    assert "s3cret-pw" in loaded.secrets()
    assert not load_settings({}).mail_configured
    assert replace(loaded, smtp_host=None).mail_configured is False


async def test_the_mail_sender_runs_beside_the_terminal_chat(
    mail_app: App, mail_settings: Settings, settings: Settings, sink: Sink
) -> None:
    """`mailing` (used by `ptobot chat`/`run` in the terminal) drains the mail rows in the
    background and stops cleanly; without SMTP_HOST it does nothing."""
    import asyncio

    from bot.mail import mailing

    await caseload(mail_app, NOW)
    kim = await give_address(mail_app, "Kim", KIM_MAIL)
    async with mail_app.services.db.transaction() as tx:
        await mail.queue_login_link(tx, person_id=kim, url=f"{BASE_URL}/login/d", now=NOW)
    db, now = mail_app.services.db, mail_app.services.clock.now
    async with mailing(db, settings, now):  # no SMTP_HOST: nothing runs
        await asyncio.sleep(0)
    assert sink.received == []
    async with mailing(db, mail_settings, now):
        for _ in range(1000):  # wait for the background task, however slow the machine
            if sink.received:
                break
            await asyncio.sleep(0.01)
    assert len(sink.received) == 1
    (row,) = await mail_rows(mail_app)
    assert row["sent_at"] is not None


async def test_an_urgent_mail_goes_with_its_queue_item_in_the_purge(
    mail_app: App, sink: Sink
) -> None:
    """The purge finds an urgent mail by its item (`mail-item:<item>:<recipient>`), like a card."""
    await caseload(mail_app, NOW)
    await give_address(mail_app, "Kim", KIM_MAIL)
    async with mail_app.services.db.transaction() as tx:
        ayla = await people.person_by_name(tx, "Ayla Voorbeeld")
        assert ayla is not None
        item = await queue.open_item(tx, NOW, ayla.id, queue.UNREACHABLE, policy=None)
    async with mail_app.services.db.read() as tx:
        found = await outbox.copies(tx, NOW - timedelta(days=1))
    (row,) = await mail_rows(mail_app)
    assert [(c.id, c.item_id, c.unsent) for c in found if c.id == row["id"]] == [
        (row["id"], item, True)
    ]
