"""A fake WhatsApp Business Cloud API (Graph API) on 127.0.0.1, in its own thread.

It speaks the real wire format for what the bot calls: `POST /{version}/{phone-number-id}/messages`
(checked like Meta: the bearer token, reply buttons ≤ 3 with titles ≤ 20 characters, list rows
≤ 10 with titles ≤ 24, bodies ≤ 1,024 / texts ≤ 4,096), `GET /{version}/{media-id}` (the media
URL) and the download itself (bearer token required), `POST /{version}/{phone-number-id}/media`.
Tests can make it answer errors (a 5xx, a 429, 131026) and close a person's 24-hour window
(free messages then get error 131047, templates go through). `webhook_body` builds and signs
what WhatsApp posts to the bot.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bot.channels.whatsapp_inbound import sign

VERSION = "v23.0"
PHONE_NUMBER_ID = "109876543210"
TOKEN = "EAAG-test-token-for-e2e-only"
APP_SECRET = "test-app-secret-e2e"
VERIFY_TOKEN = "test-verify-token-e2e"
JSON = dict[str, Any]


def _error(code: int, message: str, status: int = 400) -> tuple[int, JSON]:
    return status, {
        "error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "A1"}
    }


def _check_message(body: JSON) -> str | None:
    """Why Meta would refuse this message, or None."""
    if body.get("messaging_product") != "whatsapp" or not str(body.get("to", "")).isdigit():
        return "messaging_product and to are required"
    kind = body.get("type")
    if kind == "text":
        text = body.get("text", {}).get("body", "")
        return None if 0 < len(text) <= 4096 else "text body must be 1-4096 characters"
    if kind == "interactive":
        inter = body["interactive"]
        if not 0 < len(inter.get("body", {}).get("text", "")) <= 1024:
            return "interactive body must be 1-1024 characters"
        action = inter.get("action", {})
        if inter.get("type") == "button":
            buttons = action.get("buttons", [])
            if not 0 < len(buttons) <= 3:
                return "1-3 buttons"
            if any(len(b["reply"]["title"]) > 20 or not b["reply"]["id"] for b in buttons):
                return "button title > 20 characters"
            return None
        if inter.get("type") == "list":
            rows = [r for s in action.get("sections", []) for r in s.get("rows", [])]
            if not 0 < len(rows) <= 10:
                return "1-10 rows"
            if any(len(r["title"]) > 24 or len(r.get("description", "")) > 72 for r in rows):
                return "row title > 24 or description > 72 characters"
            if not 0 < len(action.get("button", "")) <= 20:
                return "list button 1-20 characters"
            return None
        return "unknown interactive type"
    if kind == "template":
        template = body.get("template", {})
        return None if template.get("name") and template.get("language") else "template name"
    if kind == "document":
        return None if body.get("document", {}).get("id") else "document id"
    return f"unsupported type {kind}"


class FakeGraphApi:
    """The fake server; `sent` holds every accepted message body in order."""

    def __init__(self) -> None:
        self.sent: list[JSON] = []
        self.refused: list[tuple[JSON, JSON]] = []
        self.media: dict[str, tuple[str, bytes]] = {}
        self.uploads: list[bytes] = []
        self.closed_windows: set[str] = set()
        self.failures: list[tuple[int, JSON]] = []  # answered to the next sends, in order
        self._lock = threading.Lock()
        self._count = 0
        self._server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        """What WHATSAPP_API_URL is set to."""
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/{VERSION}"

    # What tests arrange ------------------------------------------------------------------

    def add_media(self, media_id: str, mime: str, data: bytes) -> None:
        """A photo or document a person sent, downloadable by its id."""
        self.media[media_id] = (mime, data)

    def close_window(self, wa_id: str) -> None:
        """Free messages to `wa_id` get error 131047 from now on (templates still go)."""
        self.closed_windows.add(wa_id)

    def fail_next(self, code: int, status: int = 400, times: int = 1) -> None:
        """The next `times` sends are answered with this error."""
        self.failures.extend([_error(code, "test failure", status)] * times)

    def messages_to(self, wa_id: str) -> list[JSON]:
        """Accepted messages to one number, in order."""
        with self._lock:
            return [m for m in self.sent if m["to"] == wa_id]

    def wait_for(self, check: Callable[[], Any], timeout: float = 15.0) -> Any:
        """Wait until `check()` is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = check()
            if found:
                return found
            time.sleep(0.05)
        raise TimeoutError("the fake Graph API saw nothing matching")

    # The server ------------------------------------------------------------------------------

    def _answer_send(self, body: JSON) -> tuple[int, JSON]:
        with self._lock:
            if self.failures:
                status, error = self.failures.pop(0)
                self.refused.append((body, error))
                return status, error
            problem = _check_message(body)
            free = problem is None and body.get("type") != "template"
            if free and body["to"] in self.closed_windows:
                status, error = _error(131047, "Re-engagement message")
                self.refused.append((body, error))
                return status, error
            if problem is not None:
                status, error = _error(100, f"Invalid parameter: {problem}")
                self.refused.append((body, error))
                return status, error
            self._count += 1
            wamid = f"wamid.TEST{self._count:06d}"
            self.sent.append({**body, "id": wamid})
        return 200, {
            "messaging_product": "whatsapp",
            "contacts": [{"input": body["to"], "wa_id": body["to"]}],
            "messages": [{"id": wamid}],
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: JSON | bytes, mime: str = "") -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", mime or "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                if self.headers.get("Authorization") == f"Bearer {TOKEN}":
                    return True
                self._reply(*_error(190, "Invalid OAuth access token", 401))
                return False

            def do_GET(self) -> None:
                if not self._authorised():
                    return
                parts = self.path.strip("/").split("/")
                if len(parts) == 3 and parts[1] == "download" and parts[2] in fake.media:
                    mime, data = fake.media[parts[2]]
                    self._reply(200, data, mime)
                elif len(parts) == 2 and parts[0] == VERSION and parts[1] in fake.media:
                    mime, data = fake.media[parts[1]]
                    host = f"http://127.0.0.1:{self.server.server_address[1]}"  # type: ignore[index]
                    self._reply(
                        200,
                        {
                            "messaging_product": "whatsapp",
                            "url": f"{host}/{VERSION}/download/{parts[1]}",
                            "mime_type": mime,
                            "sha256": "0" * 64,
                            "file_size": len(data),
                            "id": parts[1],
                        },
                    )
                else:
                    self._reply(*_error(100, "Unsupported get request", 400))

            def do_POST(self) -> None:
                if not self._authorised():
                    return
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == f"/{VERSION}/{PHONE_NUMBER_ID}/messages":
                    try:
                        body = json.loads(raw)
                    except ValueError:
                        self._reply(*_error(100, "Invalid JSON"))
                        return
                    self._reply(*fake._answer_send(body))
                elif self.path == f"/{VERSION}/{PHONE_NUMBER_ID}/media":
                    fake.uploads.append(raw)
                    self._reply(200, {"id": f"media-up-{len(fake.uploads)}"})
                else:
                    self._reply(*_error(100, "Unknown path", 404))

        return Handler

    @contextmanager
    def run_in_thread(self) -> Iterator[FakeGraphApi]:
        """Serve on a free port of 127.0.0.1 until the block ends."""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join(timeout=5)


# What WhatsApp posts to the bot ------------------------------------------------------------


def webhook_body(wa_id: str, messages: list[JSON] = (), statuses: list[JSON] = ()) -> bytes:  # type: ignore[assignment]
    """A webhook body as the Cloud API sends it, for one number."""
    value: JSON = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "31201234567", "phone_number_id": PHONE_NUMBER_ID},
    }
    if messages:
        value["contacts"] = [{"profile": {"name": "Test"}, "wa_id": wa_id}]
        now = str(int(time.time()))
        value["messages"] = [{"from": wa_id, "timestamp": now, **m} for m in messages]
    if statuses:
        value["statuses"] = list(statuses)
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA-1", "changes": [{"value": value, "field": "messages"}]}],
    }
    return json.dumps(body).encode()


def status_event(wamid: str, status: str, wa_id: str, code: int | None = None) -> JSON:
    """One entry of a webhook's `statuses`: a delivery report on a message the bot sent."""
    item: JSON = {"id": wamid, "status": status, "timestamp": "1764756000", "recipient_id": wa_id}
    if code:
        item["errors"] = [{"code": code, "title": "test error"}]
    return item


def post_webhook(url: str, body: bytes, secret: str | None = APP_SECRET) -> int:
    """POST a body to the bot's webhook, signed with `secret` (None: unsigned); the status."""
    request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310 - http only
    request.add_header("Content-Type", "application/json")
    if secret is not None:
        request.add_header("X-Hub-Signature-256", sign(secret, body))
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
