"""The web inbox without a browser: login links, sessions, CSRF, access and escaping."""

from __future__ import annotations

from datetime import timedelta

import httpx

from bot.app import App
from bot.clock import FixedClock
from bot.storage import people
from tests.factories_queue import AYLA, CAS, KARIN, KIM, item
from tests.web.conftest import Login, csrf_of, link_for, log_in, new_client


async def test_a_link_logs_in_once_and_shows_the_queue(
    app: App, ids: dict[str, int], login: Login, clients: list[httpx.AsyncClient]
) -> None:
    url = await link_for(app, KIM)
    client = new_client(app, clients)
    assert (await log_in(client, url)).status_code == 303
    page = await client.get("/wachtrij")
    assert page.status_code == 200
    assert AYLA in page.text
    assert "november 2026" in page.text
    cookie = page.headers.get("set-cookie", "")
    assert "httponly" in cookie.lower()
    assert "samesite=strict" in cookie.lower()
    other = new_client(app, clients)
    again = await log_in(other, url)
    assert again.status_code == 400
    assert "Deze link werkt niet" in again.text
    assert (await other.get("/wachtrij")).status_code == 303


async def test_forged_and_expired_links_are_refused(
    app: App, ids: dict[str, int], clock: FixedClock, clients: list[httpx.AsyncClient]
) -> None:
    client = new_client(app, clients)
    forged = await client.get("/login/" + "A" * 32)
    assert forged.status_code == 400
    url = await link_for(app, KIM)
    clock.advance(timedelta(minutes=16))
    assert (await log_in(client, url)).status_code == 400
    assert (await client.get("/wachtrij")).status_code == 303


async def test_a_session_ends_after_eight_idle_hours_and_at_logout(
    app: App, ids: dict[str, int], clock: FixedClock, login: Login
) -> None:
    client = await login(KIM)
    clock.advance(timedelta(hours=7, minutes=59))
    assert (await client.get("/wachtrij")).status_code == 200
    clock.advance(timedelta(hours=8, minutes=1))
    assert (await client.get("/wachtrij")).headers["location"] == "/login"
    client = await login(KIM)
    page = await client.get("/wachtrij")
    out = await client.post("/logout", data={"csrf": csrf_of(page.text)})
    assert out.status_code == 200
    assert (await client.get("/wachtrij")).status_code == 303


async def test_a_post_without_or_with_a_wrong_csrf_token_changes_nothing(
    app: App, ids: dict[str, int], login: Login
) -> None:
    client = await login(KIM)
    target = f"/item/{ids['item']}/afgehandeld"
    assert (await client.post(target)).status_code == 403
    assert (await client.post(target, data={"csrf": "wrong" * 8})).status_code == 403
    bad_header = await client.post(target, headers={"X-CSRF-Token": "wrong" * 8})
    assert bad_header.status_code == 403
    assert (await item(app, ids["item"]))["state"] == "nieuw"
    page = await client.get(f"/item/{ids['item']}")
    done = await client.post(target, headers={"X-CSRF-Token": csrf_of(page.text)})
    assert done.status_code == 200
    assert (await item(app, ids["item"]))["state"] == "afgehandeld"


async def test_someone_elses_item_answers_like_a_missing_one(
    app: App, ids: dict[str, int], login: Login
) -> None:
    karin = await login(KARIN)
    theirs = await karin.get(f"/item/{ids['item']}")
    missing = await karin.get("/item/999999")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.text == missing.text
    assert AYLA not in theirs.text
    proof = await karin.get(f"/item/{ids['item']}/bewijs/1")
    assert proof.status_code == 404
    assert (await karin.get(f"/deelnemer/{ids[AYLA]}")).status_code == 404
    page = await karin.get("/wachtrij")
    done = await karin.post(f"/item/{ids['item']}/afgehandeld", data={"csrf": csrf_of(page.text)})
    assert done.status_code == 404
    assert (await item(app, ids["item"]))["state"] == "nieuw"


async def test_path_tricks_in_file_urls_find_nothing(
    app: App, ids: dict[str, int], login: Login
) -> None:
    kim = await login(KIM)
    for path in (
        f"/item/{ids['item']}/bewijs/..%2F..%2Fpto.db",
        f"/item/{ids['item']}/bewijs/0",
        f"/item/{ids['item']}/bewijs/-1",
        "/static/..%2F..%2Fconfig.py",
        "/static/../app.py",
    ):
        answer = await kim.get(path)
        assert answer.status_code == 404, path
        assert "import" not in answer.text


async def test_html_in_names_and_reasons_is_escaped(
    app: App, ids: dict[str, int], login: Login
) -> None:
    async with app.services.db.transaction() as tx:
        await tx.execute(
            "UPDATE people SET name = ? WHERE id = ?",
            ("<script>alert(1)</script>Ayla", ids[AYLA]),
        )
    kim = await login(KIM)
    page = await kim.get("/wachtrij")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Ayla" in page.text
    shown = await kim.get(f"/item/{ids['item']}")
    asked = await kim.post(
        f"/item/{ids['item']}/correctie",
        data={"csrf": csrf_of(shown.text), "reason": "<img src=x onerror=alert(2)>"},
    )
    assert asked.status_code == 200
    assert "<img src=x" not in asked.text
    assert "&lt;img src=x onerror=alert(2)&gt;" in asked.text


async def test_a_coach_sees_progress_only_and_no_queue(
    app: App, ids: dict[str, int], login: Login
) -> None:
    cas = await login(CAS)
    assert (await cas.get("/wachtrij")).status_code == 404
    assert (await cas.get(f"/item/{ids['item']}")).status_code == 404
    page = await cas.get(f"/deelnemer/{ids[AYLA]}")
    assert page.status_code == 200
    assert "€" not in page.text
    assert (await cas.get(f"/deelnemer/{ids['Bram Voorbeeld']}")).status_code == 404


async def test_looking_is_audited(app: App, ids: dict[str, int], login: Login) -> None:
    kim = await login(KIM)
    await kim.get(f"/item/{ids['item']}")
    await kim.get(f"/deelnemer/{ids[AYLA]}")
    async with app.services.db.read() as tx:
        rows = await tx.all(
            "SELECT action, subject_id, details FROM audit_log WHERE action = 'participant.viewed'"
        )
        kim_id = (await people.person_by_name(tx, KIM)).id  # type: ignore[union-attr]
    assert {r["subject_id"] for r in rows} == {ids[AYLA]}
    assert any("web_participant" in r["details"] for r in rows)
    assert any("queue_card" in r["details"] for r in rows)
    assert kim_id
