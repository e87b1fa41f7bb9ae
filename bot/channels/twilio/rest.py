"""Twilio's REST API: one client per sender, and the sorting of its errors for the outbox.

``TWILIO_API_BASE_URL`` points the client at a local fake in tests (or a recording proxy); the
real client code, request encoding and error parsing all still run.
"""

from typing import Any
from urllib.parse import urlsplit

from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from bot.channels.contract import DeliveryError
from bot.runtime.settings import Settings

__all__ = [
    "TWILIO_API_URL",
    "UNSUBSCRIBED_ERROR",
    "delivery_error",
    "public_url_warning",
    "rest_client",
    "unreachable",
]

TWILIO_API_URL = "https://api.twilio.com"
#: Twilio error "Attempt to send to unsubscribed recipient": the person texted STOP to the carrier.
UNSUBSCRIBED_ERROR = "21610"


class _RebasedHttpClient(TwilioHttpClient):  # type: ignore[misc]
    """Twilio's HTTP client, sending to ``base_url`` instead of https://api.twilio.com."""

    def __init__(self, base_url: str | None, *, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self._base_url = base_url.rstrip("/") if base_url else None

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if self._base_url is not None and url.startswith(TWILIO_API_URL):
            url = self._base_url + url[len(TWILIO_API_URL) :]
        return super().request(method, url, *args, **kwargs)


def rest_client(settings: Settings, *, timeout: float) -> Client:
    http_client = _RebasedHttpClient(settings.twilio_api_base_url, timeout=timeout)
    return Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http_client)


def delivery_error(error: Any) -> DeliveryError:
    """Sort a Twilio error: worth a retry (5xx, 429) or final (4xx); 21610 opts the person out.

    The reason keeps the status and the Twilio code, not the message, which may quote the number.
    """
    status = getattr(error, "status", None)
    code = getattr(error, "code", None)
    reason = f"twilio {status} error {code}"
    if not isinstance(status, int):
        return DeliveryError(f"twilio error {type(error).__name__}", retryable=True)
    return DeliveryError(
        reason,
        retryable=status >= 500 or status == 429,
        opted_out=str(code) == UNSUBSCRIBED_ERROR,
    )


def unreachable(error: OSError) -> DeliveryError:
    """requests' timeouts and connection errors: worth another try later."""
    return DeliveryError(f"twilio unreachable: {type(error).__name__}", retryable=True)


def public_url_warning(settings: Settings, *, enabled: bool) -> str | None:
    """A hint when a Twilio channel is on but the public URL is one Twilio cannot have called."""
    host = urlsplit(settings.public_url).hostname or ""
    if enabled and host in ("127.0.0.1", "localhost", "::1"):
        return (
            f"TREMPLIN_PUBLIC_URL is {settings.public_url}: Twilio signs the URL it calls, so set "
            "it to the public address of this server (a tunnel's, say) or every webhook gets 403."
        )
    return None
