"""The WhatsApp channel's record: Twilio's webhooks in, the outbox and Twilio's REST API out,
with WhatsApp's 24-hour window (docs/whatsapp.md)."""

from datetime import timedelta

from bot.channels.contract import Channel, OutsideWindow, Sender
from bot.channels.whatsapp.intercept import WindowIntercept
from bot.channels.whatsapp.render import render_whatsapp
from bot.channels.whatsapp.templates import template_for
from bot.channels.whatsapp.twilio import (
    CHANNEL,
    WHATSAPP_CAPABILITIES,
    WHATSAPP_OFF_MESSAGE,
    WhatsAppSender,
    whatsapp_enabled,
    whatsapp_routes,
)
from bot.runtime.settings import Settings
from conversations.outputs import Output

__all__ = ["WHATSAPP", "WINDOW", "approved_templates"]

WINDOW = timedelta(hours=24)
"""WhatsApp's customer service window: free-form messages only this long after the person's
last message."""


def _sender(settings: Settings, timeout: float) -> Sender:
    return WhatsAppSender(settings, timeout=timeout)


def approved_templates(content_sids: dict[str, str]) -> OutsideWindow:
    """The outside-window rule over the templates that have a Content sid."""

    def outside(purpose: str, outputs: list[Output], locale: str) -> tuple:  # type: ignore[type-arg]
        return template_for(purpose, outputs, locale, content_sids)

    return outside


def _outside_window(settings: Settings) -> OutsideWindow:
    return approved_templates(dict(settings.twilio_whatsapp_content_sids))


WHATSAPP = Channel(
    name=CHANNEL,
    capabilities=WHATSAPP_CAPABILITIES,
    render=render_whatsapp,
    routes=whatsapp_routes,
    enabled=whatsapp_enabled,
    sender=_sender,
    off_message=WHATSAPP_OFF_MESSAGE,
    intercept=WindowIntercept,
    carries_phone=True,
    network="phone",
    window=WINDOW,
    outside_window=_outside_window,
)
