"""Every channel the product speaks, in one place: adding a channel is one line here.

The runtime asks it for the renderers and intercepts of the conversation service, the server for
the outbox's senders and for what to say about channels left off, the web app for the webhooks,
the CV document for which addresses are phone numbers. Nothing else names a channel.
"""

from typing import Any

from starlette.routing import BaseRoute

from bot.channels.contract import Channel, Render, Sender
from bot.channels.local import CONSOLE, SIMULATOR, SIMULATOR_VOICE, SIMULATOR_WHATSAPP
from bot.channels.sms.channel import SMS
from bot.channels.telegram.channel import TELEGRAM
from bot.channels.voice.channel import VOICE
from bot.channels.whatsapp.channel import WHATSAPP
from bot.delivery.courier import ChannelWay, Courier
from bot.runtime.settings import Settings

__all__ = [
    "CHANNELS",
    "channel",
    "courier",
    "inline",
    "intercepts",
    "names",
    "networks",
    "off_messages",
    "renderers",
    "routes",
    "senders",
    "turns",
]

CHANNELS: tuple[Channel, ...] = (
    SMS,
    TELEGRAM,
    WHATSAPP,
    VOICE,
    CONSOLE,
    SIMULATOR,
    SIMULATOR_WHATSAPP,
    SIMULATOR_VOICE,
)
_BY_NAME = {record.name: record for record in CHANNELS}


def channel(name: str) -> Channel:
    """The record of a channel by name; ``KeyError`` for a name no channel has."""
    return _BY_NAME[name]


def names() -> tuple[str, ...]:
    return tuple(_BY_NAME)


def renderers() -> dict[str, Render]:
    return {record.name: record.render for record in CHANNELS}


def intercepts(flow: Any) -> dict[str, Any]:
    """Each channel's intercept, built for the flow (bot/conversation/service.py, Intercept)."""
    return {record.name: record.intercept(flow) for record in CHANNELS if record.intercept}


def senders(settings: Settings, *, timeout: float) -> dict[str, Sender]:
    """The outbox's senders of the channels this deployment configured."""
    return {
        record.name: record.sender(settings, timeout)
        for record in CHANNELS
        if record.sender is not None and record.enabled(settings)
    }


def off_messages(settings: Settings) -> list[str]:
    """What to say at start about each channel left off, and how to turn it on."""
    return [
        record.off_message
        for record in CHANNELS
        if record.off_message and not record.enabled(settings)
    ]


def routes(runtime: Any, *, local: bool) -> list[BaseRoute]:
    """Every channel's webhooks; those of the local phones only when ``local``."""
    found: list[BaseRoute] = []
    for record in CHANNELS:
        if record.routes is not None and (local or not record.local_only):
            found += record.routes(runtime)
    return found


def turns(settings: Settings) -> dict[str, Any]:
    """The turn handlers of the channels that answer each request themselves (calls)."""
    return {record.name: record.turns(settings) for record in CHANNELS if record.turns}


def inline() -> frozenset[str]:
    """The channels whose replies are the answer to the provider's request (a call's TwiML)."""
    return frozenset(record.name for record in CHANNELS if record.delivery == "inline")


def networks() -> dict[str, str]:
    """The channels that share people by address, with their network (the service's rule)."""
    return {record.name: record.network for record in CHANNELS if record.network is not None}


def courier(settings: Settings) -> Courier:
    """Which way a message outside a turn goes, in this deployment (bot/delivery/courier.py)."""
    return Courier(
        {
            record.name: ChannelWay(
                render=record.render,
                # A channel with a sender needs its settings; the local phones deliver themselves.
                delivers=(record.sender is None or record.enabled(settings))
                and record.delivery == "outbox",
                network=record.network,
                window=record.window,
                outside_window=record.outside_window(settings) if record.outside_window else None,
                inline=record.delivery == "inline",
            )
            for record in CHANNELS
        }
    )
