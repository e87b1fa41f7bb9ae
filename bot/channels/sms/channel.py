"""The SMS channel's record: Twilio's webhooks in, the outbox and Twilio's REST API out."""

from bot.channels.contract import Channel, Sender
from bot.channels.sms.render import render_sms
from bot.channels.sms.twilio import (
    CHANNEL,
    SMS_OFF_MESSAGE,
    TwilioSender,
    sms_enabled,
    twilio_routes,
)
from bot.runtime.settings import Settings
from conversations.events import SMS_CAPABILITIES

__all__ = ["SMS"]


def _sender(settings: Settings, timeout: float) -> Sender:
    return TwilioSender(settings, timeout=timeout)


SMS = Channel(
    name=CHANNEL,
    capabilities=SMS_CAPABILITIES,
    render=render_sms,
    routes=twilio_routes,
    enabled=sms_enabled,
    sender=_sender,
    off_message=SMS_OFF_MESSAGE,
    carries_phone=True,
    network="phone",
)
