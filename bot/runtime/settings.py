"""Settings from the environment (and an optional ``.env`` file), as the README and
docs/deployment.md list them."""

import os
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values

__all__ = ["DEFAULT_DATABASE_URL", "DEFAULT_PUBLIC_URL", "Settings", "content_sids"]

DEFAULT_DATABASE_URL = "sqlite:///./tremplin.db"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    public_url: str = DEFAULT_PUBLIC_URL
    secret_key: str | None = None
    default_locale: str = "fr"
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_api_base_url: str | None = None
    twilio_whatsapp_from: str | None = None
    """The WhatsApp sender, ``+33…`` (Twilio's ``whatsapp:`` prefix is added when sending)."""
    twilio_whatsapp_messaging_service_sid: str | None = None
    twilio_whatsapp_content_sids: tuple[tuple[str, str], ...] = ()
    """Approved Twilio Content templates: ``(key, HX…)``, key ``<template>:<locale>`` or the
    shape of an interactive message (``buttons_2``, ``list_7``): see docs/whatsapp.md."""
    twilio_voice_number: str | None = None
    """The number candidates call (Twilio Voice); with Twilio's credentials it turns calls on."""
    voice_clips_dir: Path | None = None
    """Where calls' spoken-once clips are made (default: a directory in the system's temp)."""
    telegram_bot_token: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_api_base_url: str | None = None
    smtp_url: str | None = None
    """``smtp://user:password@host:port`` (``smtps://`` for TLS): contact messages by email too."""
    smtp_from: str | None = None
    retention_days: int = 365
    """Message bodies older than this are purged by the retention job (the rows stay, anonymous)."""
    worker_lease_seconds: float = 120.0
    """How long an outbox row claimed by a worker is its own (docs/deployment.md): a killed
    worker's message goes again after this; each send times out at a third of it."""

    @classmethod
    def from_env(
        cls, env: dict[str, str] | None = None, dotenv: Path | None = Path(".env")
    ) -> "Settings":
        """Read the process environment, falling back to ``.env`` for what it does not set."""
        values: dict[str, str] = {}
        if dotenv is not None and dotenv.is_file():
            values.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
        values.update(os.environ if env is None else env)

        def get(name: str) -> str | None:
            value = values.get(name, "").strip()
            return value or None

        return cls(
            database_url=get("TREMPLIN_DATABASE_URL") or DEFAULT_DATABASE_URL,
            public_url=(get("TREMPLIN_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/"),
            secret_key=get("TREMPLIN_SECRET_KEY"),
            default_locale=get("TREMPLIN_DEFAULT_LOCALE") or "fr",
            twilio_account_sid=get("TWILIO_ACCOUNT_SID"),
            twilio_auth_token=get("TWILIO_AUTH_TOKEN"),
            twilio_from=get("TWILIO_FROM"),
            twilio_messaging_service_sid=get("TWILIO_MESSAGING_SERVICE_SID"),
            twilio_api_base_url=get("TWILIO_API_BASE_URL"),
            twilio_whatsapp_from=get("TWILIO_WHATSAPP_FROM"),
            twilio_whatsapp_messaging_service_sid=get("TWILIO_WHATSAPP_MESSAGING_SERVICE_SID"),
            twilio_whatsapp_content_sids=content_sids(get("TWILIO_WHATSAPP_CONTENT_SIDS")),
            twilio_voice_number=get("TWILIO_VOICE_NUMBER"),
            voice_clips_dir=Path(clips) if (clips := get("TREMPLIN_VOICE_CLIPS_DIR")) else None,
            telegram_bot_token=get("TELEGRAM_BOT_TOKEN"),
            telegram_webhook_secret=get("TELEGRAM_WEBHOOK_SECRET"),
            telegram_api_base_url=get("TELEGRAM_API_BASE_URL"),
            smtp_url=get("TREMPLIN_SMTP_URL"),
            smtp_from=get("TREMPLIN_SMTP_FROM"),
            retention_days=int(get("TREMPLIN_RETENTION_DAYS") or 365),
            worker_lease_seconds=float(get("TREMPLIN_WORKER_LEASE_SECONDS") or 120),
        )


def content_sids(value: str | None) -> tuple[tuple[str, str], ...]:
    """``key=HX…`` pairs separated by commas, spaces or new lines; a malformed pair is refused
    at start (``ValueError``) rather than found missing when a message must go."""
    pairs: list[tuple[str, str]] = []
    for item in (value or "").replace(",", " ").split():
        key, equals, sid = item.partition("=")
        if not equals or not key or not sid.startswith("HX"):
            raise ValueError(
                f"TWILIO_WHATSAPP_CONTENT_SIDS: {item!r} is not <template>:<locale>=HX… "
                "or <shape>=HX…"
            )
        pairs.append((key, sid))
    return tuple(pairs)
