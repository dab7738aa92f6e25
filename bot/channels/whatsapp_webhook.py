"""The WhatsApp webhook, `/whatsapp/webhook`, as Starlette routes for the web server.

GET answers Meta's verification challenge when `hub.verify_token` matches WHATSAPP_VERIFY_TOKEN.
POST is taken only with a valid `X-Hub-Signature-256` (HMAC-SHA256 of the raw body with
WHATSAPP_APP_SECRET, compared in constant time): 403 otherwise, nothing processed. A valid body
is answered 200 at once; the channel processes it in the background (in order per person).
"""

from __future__ import annotations

import hmac
import json
import logging

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.app import App
from bot.channels.whatsapp_inbound import CHANNEL, SIGNATURE_HEADER, signature_valid

log = logging.getLogger(__name__)
PATH = "/whatsapp/webhook"
MAX_BODY = 1024 * 1024  # a webhook body is a few kB; more is not WhatsApp


def routes(app: App) -> list[Route]:
    """The webhook's routes; the live WhatsApp channel is looked up per request."""
    settings = app.services.settings

    async def verify(request: Request) -> Response:
        params = request.query_params
        token = params.get("hub.verify_token", "")
        expected = settings.whatsapp_verify_token or ""
        if (
            params.get("hub.mode") == "subscribe"
            and expected
            and hmac.compare_digest(token.encode(), expected.encode())
        ):
            return PlainTextResponse(params.get("hub.challenge", ""))
        return PlainTextResponse("forbidden", status_code=403)

    async def receive(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY or not signature_valid(
            settings.whatsapp_app_secret, body, request.headers.get(SIGNATURE_HEADER)
        ):
            log.warning("WhatsApp webhook refused: missing or wrong signature")
            return PlainTextResponse("forbidden", status_code=403)
        channel = app.channels.get(CHANNEL)
        accept = getattr(channel, "accept", None)
        if accept is None:
            return PlainTextResponse("not running", status_code=503)  # Meta retries later
        try:
            payload = json.loads(body)
        except ValueError:
            return PlainTextResponse("bad request", status_code=400)
        accept(payload)
        return PlainTextResponse("ok")

    return [Route(PATH, verify, methods=["GET"]), Route(PATH, receive, methods=["POST"])]
