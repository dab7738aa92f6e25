"""Weekoverzicht (the chat digest as a printable A4 page) and Export (the month's CSV)."""

from __future__ import annotations

import io
from datetime import timedelta

from starlette.responses import Response

from bot.domain.errors import AccessDenied
from bot.domain.localtime import local_day
from bot.domain.models import Role
from bot.domain.periods import parse_period, period_of
from bot.services import exports, inbox_reports
from bot.services.inbox import require_reviewer
from bot.web.base import Page, guarded
from messages.digest import render_html

DIGEST_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'self'"
)


@guarded
async def week(p: Page) -> Response:
    """This week's digest; an administrator first picks a klantmanager."""
    require_reviewer(p.person)
    query = p.request.query_params.get("klantmanager", "")
    chosen = int(query) if query.isdigit() and len(query) < 10 else None
    if p.person.role == Role.ADMIN and chosen is None:
        found = await inbox_reports.klantmanagers(p.tx)
        return p.html(
            "pick_klantmanager",
            klantmanagers=[{"id": k.id, "name": k.name} for k in found],
            section="week",
        )
    figures = await inbox_reports.week_digest(
        p.tx, p.web.app.services.policy, p.person, p.now, chosen
    )
    text = render_html(figures, p.locale, back_url="/wachtrij")
    return Response(
        text,
        media_type="text/html; charset=utf-8",
        headers={"content-security-policy": DIGEST_CSP},  # the page carries its own <style>
    )


def _months(p: Page, count: int = 12) -> list[str]:
    day = local_day(p.now).replace(day=1)
    found = []
    for _ in range(count):
        day = (day - timedelta(days=1)).replace(day=1)
        found.append(period_of(day))
    return [period_of(local_day(p.now)), *found]


@guarded
async def export_form(p: Page) -> Response:
    """Choose a month to download."""
    require_reviewer(p.person)
    return p.html("export", months=_months(p), section="export")


@guarded
async def export_csv(p: Page) -> Response:
    """The month's CSV, downloaded."""
    period = p.request.path_params["period"]
    try:
        parse_period(period)
    except ValueError:
        raise AccessDenied() from None
    rows = await inbox_reports.export(p.tx, p.web.app.services.policy, p.person, p.now, period)
    out = io.StringIO()
    exports.write_csv(rows, out)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="pto-export-{period}.csv"'},
    )
