"""The phone-call channel's record: Twilio Voice webhooks in, TwiML out in the same answer."""

from bot.channels.contract import Channel
from bot.channels.voice.render import render_voice
from bot.channels.voice.twilio import (
    CHANNEL,
    VOICE_OFF_MESSAGE,
    call_turns,
    voice_enabled,
    voice_routes,
)
from conversations.events import SMS_CAPABILITIES

__all__ = ["VOICE"]

# A call can neither show buttons nor take a photo; the number it comes from is the person's.
VOICE = Channel(
    name=CHANNEL,
    capabilities=SMS_CAPABILITIES,
    render=render_voice,
    delivery="inline",
    turns=call_turns,
    routes=voice_routes,
    enabled=voice_enabled,
    off_message=VOICE_OFF_MESSAGE,
    carries_phone=True,
    network="phone",
)
