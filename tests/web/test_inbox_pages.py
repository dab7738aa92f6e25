"""The inbox's pages do what the chat does: versions side by side, Herinner nu, the weekly
overview and the export of one's own caseload."""

from __future__ import annotations

import csv
import io

from bot.app import App
from bot.clock import FixedClock
from bot.domain.models import Role
from bot.services import queue
from tests import factories_queue as fq
from tests.factories_queue import AYLA, DIRK, KARIN, KIM
from tests.web.conftest import Login, csrf_of


async def test_versions_stand_side_by_side_with_the_changes_marked(
    app: App, ids: dict[str, int], clock: FixedClock, login: Login
) -> None:
    _, newer = await fq.submit(app, clock.now(), ids[AYLA], "2026-11", revenue=150_000)
    kim = await login(KIM)
    page = await kim.get(f"/item/{newer}")
    assert page.status_code == 200
    assert "Versies naast elkaar" in page.text
    assert 'class="num changed">€\xa01.500,00' in page.text
    assert "Omzet: was €\xa01.250,50, nu €\xa01.500,00" in page.text
    old = await kim.get(f"/item/{ids['item']}")
    assert "vervangen" in old.text
    assert f'href="/item/{newer}"' in old.text


async def test_herinner_nu_reminds_the_participant_once_a_day(
    app: App, ids: dict[str, int], clock: FixedClock, login: Login
) -> None:
    async with app.services.db.transaction() as tx:
        overdue = await queue.open_item(
            tx, clock.now(), ids[AYLA], queue.OVERDUE, period="2026-10", policy=app.services.policy
        )
    kim = await login(KIM)
    page = await kim.get(f"/item/{overdue}")
    assert "Herinner nu" in page.text
    first = await kim.post(f"/item/{overdue}/herinner", data={"csrf": csrf_of(page.text)})
    again = await kim.post(f"/item/{overdue}/herinner", data={"csrf": csrf_of(page.text)})
    assert first.status_code == again.status_code == 200
    assert "Herinnering" in first.text
    async with app.services.db.read() as tx:
        pushes = await tx.scalar(
            "SELECT COUNT(*) FROM outbox WHERE person_id = ? AND message_key = ?",
            (ids[AYLA], "queue/remind_push"),
        )
    assert pushes == 1


async def test_the_weekly_overview_is_the_digest_page(
    app: App, ids: dict[str, int], login: Login
) -> None:
    kim = await login(KIM)
    page = await kim.get("/weekoverzicht")
    assert page.status_code == 200
    assert "Weekoverzicht 2026-W49" in page.text
    assert AYLA in page.text
    assert DIRK not in page.text
    assert "@page { size: A4" in page.text
    async with app.services.db.read() as tx:
        audited = await tx.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'web.digest'")
    assert audited == 1


async def test_an_administrator_picks_a_klantmanager_for_the_weekly_overview(
    app: App, ids: dict[str, int], clock: FixedClock, login: Login
) -> None:
    async with app.services.db.transaction() as tx:
        await fq.person(tx, clock.now(), "Ad Beheer", Role.ADMIN)
    admin = await login("Ad Beheer")
    pick = await admin.get("/weekoverzicht")
    assert f"/weekoverzicht?klantmanager={ids[KARIN]}" in pick.text
    page = await admin.get(f"/weekoverzicht?klantmanager={ids[KARIN]}")
    assert DIRK in page.text
    assert AYLA not in page.text
    assert (await admin.get(f"/weekoverzicht?klantmanager={ids[AYLA]}")).status_code == 404


async def test_the_export_holds_only_the_caseloads_one_works_on(
    app: App, ids: dict[str, int], clock: FixedClock, login: Login
) -> None:
    await fq.submit(app, clock.now(), ids[DIRK], "2026-11")
    kim = await login(KIM)
    answer = await kim.get("/export/2026-11.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [r["participant"] for r in rows] == [AYLA]
    assert (await kim.get("/export/2026-13.csv")).status_code == 404
    assert (await kim.get("/export/..%2F2026-11.csv")).status_code == 404


async def test_pages_speak_dutch_by_default_and_the_persons_language_when_set(
    app: App, ids: dict[str, int], clock: FixedClock, login: Login
) -> None:
    kim = await login(KIM)
    dutch = await kim.get("/wachtrij")
    assert '<html lang="nl" dir="ltr">' in dutch.text
    assert "Uitloggen" in dutch.text
    async with app.services.db.transaction() as tx:
        await tx.execute("UPDATE people SET locale = 'en' WHERE id = ?", (ids[KIM],))
    english = await kim.get("/wachtrij")
    assert '<html lang="en" dir="ltr">' in english.text
    assert "Log out" in english.text
    assert "Declaration submitted" in english.text
    async with app.services.db.transaction() as tx:
        await tx.execute("UPDATE people SET locale = 'ar' WHERE id = ?", (ids[KIM],))
    arabic = await kim.get("/wachtrij")
    assert '<html lang="ar" dir="rtl">' in arabic.text  # klantmanager words stay Dutch
    login_page = await (await login(KARIN)).get("/login")
    assert '<html lang="nl" dir="ltr">' in login_page.text


async def test_an_ending_trajectory_leads_to_the_outcome_form_and_an_overdue_month_says_so(
    app: App, ids: dict[str, int], clock: FixedClock, login: Login
) -> None:
    async with app.services.db.transaction() as tx:
        ending = await queue.open_item(
            tx, clock.now(), ids[AYLA], queue.TRAJECTORY_ENDING, policy=app.services.policy
        )
        overdue = await queue.open_item(
            tx, clock.now(), ids[AYLA], queue.OVERDUE, period="2026-10", policy=app.services.policy
        )
    kim = await login(KIM)
    page = (await kim.get(f"/item/{ending}")).text
    assert f'href="/deelnemer/{ids[AYLA]}#outcome">Uitkomst vastleggen</a>' in page  # as the card
    assert "Er is nog geen opgave voor deze maand." in (await kim.get(f"/item/{overdue}")).text


async def test_a_caseload_of_one_is_one_deelnemer_on_the_page_and_in_the_chat(
    app: App, ids: dict[str, int], clock: FixedClock, login: Login
) -> None:
    from bot.domain.digest import Window
    from bot.services.digest import build_digest
    from messages.digest import render_chat_parts

    karin = await login(KARIN)  # Dirk only
    assert "· 1 deelnemer</p>" in (await karin.get("/weekoverzicht")).text
    klantmanager = await fq.who(app, KARIN)
    async with app.services.db.read() as tx:
        found = await build_digest(
            tx, app.services.policy, klantmanager, Window("2026-W49", clock.now())
        )
    assert "\n1 deelnemer · " in render_chat_parts(found, "nl")[0]
    assert "\n1 participant · " in render_chat_parts(found, "en")[0]
