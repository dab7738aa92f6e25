"""A reported change (/wijziging) in the web inbox and in the weekly digest: the Wachtrij lists
it, the item page shows the change and its document, Afgehandeld closes it."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app import App
from bot.clock import FixedClock
from bot.services import circumstances, digest
from messages.digest import render_chat_parts, render_html
from tests import factories_queue as fq
from tests.factories_queue import AYLA, KIM
from tests.handlers.test_declaration_flow import JPEG
from tests.web.conftest import Login, csrf_of

MONDAY = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # ISO week 2026-W50


async def _report(app: App, now: datetime, participant_id: int) -> int:
    """Ayla reports a stay abroad with a photo as proof; returns the queue item id."""
    services = app.services
    async with services.db.transaction(durable=True) as tx:  # the send asks a durable commit
        change = await circumstances.begin(
            tx, now, services.policy, participant_id, "buitenland", services.settings.proof_dir
        )
        await circumstances.set_date(tx, now, participant_id, "1 februari 2027")
        await circumstances.set_explanation(tx, now, participant_id, "Drie maanden naar Marokko")
        await circumstances.add_document(
            tx,
            now,
            participant_id,
            services.settings.proof_dir,
            services.settings.proof_max_bytes,
            JPEG,
            len(JPEG),
            "ticket.jpg",
        )
        receipt = await circumstances.submit(tx, now, services.policy, participant_id, change.id)
        assert receipt.reference == "WIJZ-2026-12-0001"
        found = await tx.scalar(
            "SELECT id FROM queue_items WHERE dedupe_key = ?", (f"change:{change.id}",)
        )
    return int(found)


async def test_the_inbox_lists_shows_and_closes_a_reported_change(
    app: App, ids: dict[str, int], clock: FixedClock, login: Login
) -> None:
    item = await _report(app, clock.now(), ids[AYLA])
    kim = await login(KIM)
    listing = await kim.get("/wachtrij")
    assert "Wijziging doorgegeven" in listing.text
    assert f'href="/item/{item}"' in listing.text
    page = await kim.get(f"/item/{item}")
    assert page.status_code == 200
    assert "Gemelde wijziging" in page.text
    assert "Verblijf in het buitenland" in page.text
    assert "1 februari 2027" in page.text
    assert "Drie maanden naar Marokko" in page.text
    assert f"/item/{item}/bewijs/1" in page.text
    proof = await kim.get(f"/item/{item}/bewijs/1")
    assert proof.status_code == 200
    assert proof.content == JPEG
    done = await kim.post(f"/item/{item}/afgehandeld", data={"csrf": csrf_of(page.text)})
    assert done.status_code in (200, 303)
    assert (await fq.item(app, item))["state"] == "afgehandeld"


async def test_the_digest_lists_open_reported_changes_in_both_ways_of_making_it(
    app: App, ids: dict[str, int], clock: FixedClock
) -> None:
    await _report(app, clock.now(), ids[AYLA])
    kim = await fq.who(app, KIM)
    async with app.services.db.read() as tx:
        figures = await digest.build_digest(
            tx, app.services.policy, kim, digest.window_for(app.services.policy, MONDAY)
        )
    [line] = figures["exceptions"]["reported"]
    assert (line["name"], line["kind"], line["happens_on"]) == (
        AYLA,
        "buitenland",
        "2027-02-01",
    )
    text = "\n".join(render_chat_parts(figures, "nl"))
    assert "Wijziging doorgegeven, nog niet afgehandeld" in text
    assert "Verblijf in het buitenland per 1 februari 2027" in text
    assert "WIJZ-2026-12-0001" in render_html(figures, "en")
    await digest.weekly_digests(
        app.services.db, app.services.policy, MONDAY, render=render_chat_parts
    )
    async with app.services.db.read() as tx:
        rows = await tx.all(
            "SELECT context FROM outbox WHERE message_key = 'digest/chat_part' AND person_id = ?",
            (kim.id,),
        )
    assert any("WIJZ-2026-12-0001" in str(r["context"]) for r in rows)
