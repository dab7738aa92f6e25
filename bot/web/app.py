"""The inbox's Starlette application: routes, sessions, static files, error pages."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.app import App
from bot.channels import whatsapp_webhook
from bot.domain.web_links import SESSION_IDLE
from bot.web import login, outcome_pages, participant_pages, queue_pages, report_pages
from bot.web.base import SecurityHeaders, Web, error_page
from bot.web.secret import session_secret

STATIC = Path(__file__).parent / "static"
COOKIE = "pto_session"


def routes() -> list[Route | Mount]:
    """Every address of the inbox."""
    item = "/item/{item_id:int}"
    return [
        Route("/", queue_pages.home),
        Route("/login", login.login_form),
        Route("/login", login.ask_link, methods=["POST"]),
        Route("/login/{token}", login.link_page),
        Route("/login/{token}", login.use_link, methods=["POST"]),
        Route("/logout", login.logout, methods=["POST"]),
        Route("/wachtrij", queue_pages.wachtrij),
        Route(item, queue_pages.item),
        Route(item + "/afgehandeld", queue_pages.done, methods=["POST"]),
        Route(item + "/correctie", queue_pages.correction, methods=["POST"]),
        Route(item + "/herinner", queue_pages.remind, methods=["POST"]),
        Route(item + "/bewijs/{number:int}", queue_pages.proof),
        Route("/deelnemers", participant_pages.participants),
        Route("/deelnemer/{participant_id:int}", participant_pages.participant),
        Route(
            "/deelnemer/{participant_id:int}/uitkomst",
            outcome_pages.record_outcome,
            methods=["POST"],
        ),
        Route("/weekoverzicht", report_pages.week),
        Route("/export", report_pages.export_form),
        Route("/export/{period}.csv", report_pages.export_csv),
        Route("/favicon.ico", _favicon),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]


async def _favicon(request: Request) -> Response:
    return RedirectResponse("/static/favicon.svg", status_code=301)


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    return error_page(request, None, status if status in (404, 405) else 400)


def create_app(app: App) -> Starlette:
    """The inbox over a running assistant."""
    settings = app.services.settings
    # WhatsApp's webhook is served here too (issue 13); the inbox's pages only with PTO_WEB on.
    served = [*(routes() if settings.web else []), *whatsapp_webhook.routes(app)]
    web = Starlette(
        routes=served,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(
                SessionMiddleware,
                secret_key=session_secret(settings),
                session_cookie=COOKIE,
                max_age=int(SESSION_IDLE.total_seconds()),
                same_site="strict",
                https_only=settings.web_base_url.startswith("https://"),
            ),
        ],
        exception_handlers={HTTPException: _http_error},
    )
    web.state.web = Web(app)
    return web
