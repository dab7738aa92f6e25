"""The Deelnemer page's outcome form (issue 17): CSRF, access, corrections, the extension."""

from __future__ import annotations

from bot.app import App
from tests.factories_queue import AYLA, CAS, DIRK, KARIN, KIM
from tests.web.conftest import Login, csrf_of


async def _codes(app: App, participant_id: int) -> list[str]:
    async with app.services.db.read() as tx:
        rows = await tx.all(
            "SELECT code FROM trajectory_outcomes WHERE participant_id = ? ORDER BY id",
            (participant_id,),
        )
    return [r[0] for r in rows]


async def test_the_klantmanager_records_and_corrects_the_outcome_on_the_deelnemer_page(
    app: App, ids: dict[str, int], login: Login
) -> None:
    kim = await login(KIM)
    url = f"/deelnemer/{ids[AYLA]}"
    page = await kim.get(url)
    assert "Uitkomst van het traject" in page.text
    assert 'value="self_employed"' in page.text
    assert "Uitstroom als zelfstandige zonder uitkering" in page.text
    csrf = csrf_of(page.text)
    refused = await kim.post(url + "/uitkomst", data={"code": "bbz"})  # no CSRF token
    assert refused.status_code == 403
    done = await kim.post(url + "/uitkomst", data={"csrf": csrf, "code": "bbz"})
    assert (done.status_code, done.headers["location"]) == (303, url + "?vastgelegd=1")
    shown = await kim.get(done.headers["location"])
    assert "De uitkomst is vastgelegd." in shown.text
    assert "<strong>Doorstroom naar Bbz</strong>" in shown.text
    early = await kim.post(
        url + "/uitkomst", data={"csrf": csrf, "code": "extension", "end_date": "2027-01-01"}
    )
    assert early.status_code == 400
    assert "na de huidige einddatum" in early.text
    moved = await kim.post(
        url + "/uitkomst", data={"csrf": csrf, "code": "extension", "end_date": "2027-12-31"}
    )
    assert moved.status_code == 303
    shown = await kim.get(url)
    assert "31 december 2027" in shown.text  # the trajectory's end moved
    assert "Eerder vastgelegd" in shown.text  # the Bbz recording is kept as history
    assert await _codes(app, ids[AYLA]) == ["bbz", "extension"]
    week = await kim.get("/weekoverzicht")  # the outcomes per year next to the KPI
    assert "Uitkomsten en KPI 2026" in week.text
    assert '<td>Verlenging PTO</td><td class="num">1</td>' in week.text


async def test_no_form_for_a_coach_and_no_recording_outside_the_caseload(
    app: App, ids: dict[str, int], login: Login
) -> None:
    cas = await login(CAS)
    page = await cas.get(f"/deelnemer/{ids[AYLA]}")
    assert page.status_code == 200
    assert "Uitkomst van het traject" not in page.text
    karin = await login(KARIN)
    own = await karin.get(f"/deelnemer/{ids[DIRK]}")
    csrf = csrf_of(own.text)
    other = await karin.post(
        f"/deelnemer/{ids[AYLA]}/uitkomst", data={"csrf": csrf, "code": "bbz"}
    )
    assert other.status_code == 404
    coach = await cas.post(
        f"/deelnemer/{ids[AYLA]}/uitkomst", data={"csrf": csrf_of(page.text), "code": "bbz"}
    )
    assert coach.status_code == 404
    assert await _codes(app, ids[AYLA]) == []
