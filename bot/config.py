"""Settings from the environment and an optional `.env` file; secrets are never printed."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

from dotenv import dotenv_values

from bot.domain.email import is_email

WHATSAPP_API_URL = "https://graph.facebook.com/v23.0"  # Meta's Graph API, a current version


class ConfigError(ValueError):
    """A setting has a value we cannot use; the message names the setting."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on", "ja"}:
        return True
    if raw in {"0", "false", "no", "off", "nee"}:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


HTTP_CLIENTS = ("aiohttp", "httpx")  # the first is the default


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return choices[0]
    if raw not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


def database_path(url: str) -> Path:
    """Turn `DATABASE_URL` (`sqlite:///relative.db`, `sqlite:////abs.db` or a path) into a path."""
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///"))
    if url.startswith("sqlite://"):
        raise ConfigError("DATABASE_URL: use sqlite:///path/to/file.db")
    if "://" in url:
        scheme = url.split(":")[0]
        raise ConfigError(f"DATABASE_URL: only sqlite is supported for now, got {scheme}")
    return Path(url)


@dataclass(frozen=True)
class Settings:
    """Everything the assistant can be configured with (see `.env.example`)."""

    telegram_bot_token: str | None = field(default=None, repr=False)
    telegram_base_url: str | None = None
    telegram_bot_username: str | None = None
    telegram_base_file_url: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = field(default=None, repr=False)
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = 8443
    telegram_http_client: str = "aiohttp"
    database_url: str = "sqlite:///data/pto.db"
    policy_path: Path | None = None
    proof_dir: Path = Path("data/proof")
    proof_max_bytes: int = 10 * 1024 * 1024
    invite_ttl_days: int = 14
    max_text_length: int = 2000
    flood_limit_per_minute: int = 30
    outbox_max_attempts: int = 8
    demo: bool = True
    log_level: str = "INFO"
    # The web inbox (issue 12): PTO_WEB=false switches it off.
    web: bool = True
    web_listen: str = "127.0.0.1"
    web_port: int = 8080
    web_base_url: str = "http://127.0.0.1:8080"
    web_secret: str | None = field(default=None, repr=False)
    # E-mail (issue 12): without smtp_host nothing is mailed.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_from: str | None = None
    smtp_starttls: bool = True
    # WhatsApp Business Cloud API (issue 13): configured when token and phone number id are set.
    whatsapp_token: str | None = field(default=None, repr=False)
    whatsapp_phone_number_id: str | None = None
    whatsapp_app_secret: str | None = field(default=None, repr=False)
    whatsapp_verify_token: str | None = field(default=None, repr=False)
    whatsapp_api_url: str = WHATSAPP_API_URL
    whatsapp_phone_number: str | None = None  # the business number people write to (wa.me links)

    @property
    def database_path(self) -> Path:
        """The SQLite file behind `database_url`."""
        return database_path(self.database_url)

    @property
    def file_base_url(self) -> str | None:
        """The Bot API file URL: explicit, or derived from the base URL as Telegram lays it out."""
        if self.telegram_base_file_url:
            return self.telegram_base_file_url
        if self.telegram_base_url and self.telegram_base_url.rstrip("/").endswith("/bot"):
            return self.telegram_base_url.rstrip("/")[: -len("/bot")] + "/file/bot"
        return None

    @property
    def mail_configured(self) -> bool:
        """True when e-mail can be sent (`SMTP_HOST` is set); the web inbox says so when not."""
        return self.smtp_host is not None

    @property
    def whatsapp_configured(self) -> bool:
        """True when the WhatsApp channel can run (`WHATSAPP_TOKEN` and the phone number id)."""
        return bool(self.whatsapp_token and self.whatsapp_phone_number_id)

    def secrets(self) -> list[str]:
        """Values that must never reach a log line."""
        found = (
            self.telegram_bot_token,
            self.telegram_webhook_secret,
            self.smtp_password,
            self.web_secret,
            self.whatsapp_token,
            self.whatsapp_app_secret,
            self.whatsapp_verify_token,
        )
        return [s for s in found if s]


def _local_base_url(listen: str, port: int) -> str:
    """The inbox's address when PTO_WEB_BASE_URL is unset: where it listens, so a changed
    PTO_WEB_PORT or PTO_WEB_LISTEN gives links that work (all interfaces: 127.0.0.1)."""
    host = listen if listen and listen not in ("0.0.0.0", "::") else "127.0.0.1"  # noqa: S104 (a comparison, not a bind)
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def load_settings(env: Mapping[str, str] | None = None, env_file: Path | None = None) -> Settings:
    """Read settings from `env` (default: the process environment) over the `.env` file."""
    merged: dict[str, str] = {}
    dotenv = env_file if env_file is not None else Path(".env")
    if env is None and dotenv.is_file():
        merged.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
    merged.update(os.environ if env is None else env)
    token = merged.get("TELEGRAM_BOT_TOKEN", "").strip() or None
    policy = merged.get("PTO_POLICY", "").strip()
    settings = Settings(
        telegram_bot_token=token,
        telegram_base_url=merged.get("TELEGRAM_BASE_URL", "").strip() or None,
        telegram_bot_username=merged.get("TELEGRAM_BOT_USERNAME", "").strip().lstrip("@") or None,
        telegram_base_file_url=merged.get("TELEGRAM_BASE_FILE_URL", "").strip() or None,
        telegram_webhook_url=merged.get("TELEGRAM_WEBHOOK_URL", "").strip() or None,
        telegram_webhook_secret=merged.get("TELEGRAM_WEBHOOK_SECRET", "").strip() or None,
        telegram_webhook_listen=merged.get("TELEGRAM_WEBHOOK_LISTEN", "").strip() or "127.0.0.1",
        telegram_webhook_port=_int(merged, "TELEGRAM_WEBHOOK_PORT", 8443, 1),
        telegram_http_client=_choice(merged, "TELEGRAM_HTTP_CLIENT", HTTP_CLIENTS),
        database_url=merged.get("DATABASE_URL", "").strip() or "sqlite:///data/pto.db",
        policy_path=Path(policy) if policy else None,
        proof_dir=Path(merged.get("PTO_PROOF_DIR", "").strip() or "data/proof"),
        proof_max_bytes=_int(merged, "PTO_PROOF_MAX_BYTES", 10 * 1024 * 1024, 1),
        invite_ttl_days=_int(merged, "PTO_INVITE_TTL_DAYS", 14, 1),
        max_text_length=_int(merged, "PTO_MAX_TEXT_LENGTH", 2000, 10),
        flood_limit_per_minute=_int(merged, "PTO_FLOOD_LIMIT_PER_MINUTE", 30, 1),
        outbox_max_attempts=_int(merged, "PTO_OUTBOX_MAX_ATTEMPTS", 8, 1),
        demo=_bool(merged, "PTO_DEMO", True),
        log_level=(merged.get("LOG_LEVEL", "").strip() or "INFO").upper(),
        web=_bool(merged, "PTO_WEB", True),
        web_listen=merged.get("PTO_WEB_LISTEN", "").strip() or "127.0.0.1",
        web_port=_int(merged, "PTO_WEB_PORT", 8080, 1),
        web_secret=merged.get("PTO_WEB_SECRET", "").strip() or None,
        smtp_host=merged.get("SMTP_HOST", "").strip() or None,
        smtp_port=_int(merged, "SMTP_PORT", 587, 1),
        smtp_username=merged.get("SMTP_USERNAME", "").strip() or None,
        smtp_password=merged.get("SMTP_PASSWORD", "") or None,
        smtp_from=merged.get("SMTP_FROM", "").strip() or None,
        smtp_starttls=_bool(merged, "SMTP_STARTTLS", True),
        web_base_url=(
            merged.get("PTO_WEB_BASE_URL", "").strip()
            or _local_base_url(
                merged.get("PTO_WEB_LISTEN", "").strip(), _int(merged, "PTO_WEB_PORT", 8080, 1)
            )
        ).rstrip("/"),
        whatsapp_token=merged.get("WHATSAPP_TOKEN", "").strip() or None,
        whatsapp_phone_number_id=merged.get("WHATSAPP_PHONE_NUMBER_ID", "").strip() or None,
        whatsapp_app_secret=merged.get("WHATSAPP_APP_SECRET", "").strip() or None,
        whatsapp_verify_token=merged.get("WHATSAPP_VERIFY_TOKEN", "").strip() or None,
        whatsapp_api_url=(merged.get("WHATSAPP_API_URL", "").strip() or WHATSAPP_API_URL).rstrip(
            "/"
        ),
        whatsapp_phone_number=(
            "".join(ch for ch in merged.get("WHATSAPP_PHONE_NUMBER", "") if ch.isdigit()) or None
        ),
    )
    database_path(settings.database_url)  # validate early
    if settings.whatsapp_configured and not settings.whatsapp_app_secret:
        raise ConfigError("WHATSAPP_APP_SECRET is required when WHATSAPP_TOKEN is set")
    if settings.telegram_webhook_url and not settings.telegram_webhook_secret:
        raise ConfigError("TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_WEBHOOK_URL is set")
    if not settings.web_base_url.startswith(("http://", "https://")):
        raise ConfigError("PTO_WEB_BASE_URL must start with http:// or https://")
    _check_mail(settings)
    return settings


def _check_mail(settings: Settings) -> None:
    """With `SMTP_HOST`, a usable `SMTP_FROM` (`name@host` or `Name <name@host>`) is required."""
    if settings.smtp_host is None:
        return
    if settings.smtp_from is None:
        raise ConfigError("SMTP_FROM is required when SMTP_HOST is set")
    address = parseaddr(settings.smtp_from)[1].strip().lower()
    if not is_email(address):
        raise ConfigError(f"SMTP_FROM must be an e-mail address, got {settings.smtp_from!r}")
