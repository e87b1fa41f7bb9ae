"""The phones that live on this machine: the terminal phone (``tremplin chat``) and the web
simulator's phones (``/simulator``), its phone call among them. The terminal phone and the
simulator's SMS phone show what a basic phone shows, so they render as SMS; the simulator's
WhatsApp phone renders as WhatsApp, with its 24-hour window, every catalogued template counting
as approved (docs/whatsapp.md); its call speaks as a call does (docs/voice.md)."""

from typing import Any

from bot.channels.contract import Channel, OutsideWindow
from bot.channels.simulator import CHANNEL as SIMULATOR_CHANNEL
from bot.channels.simulator import VOICE_CHANNEL, WHATSAPP_CHANNEL, simulator_routes
from bot.channels.sms.render import render_sms
from bot.channels.voice.render import render_voice
from bot.channels.voice.simulator import simulated_call_routes, simulated_call_turns
from bot.channels.whatsapp.channel import WINDOW, approved_templates
from bot.channels.whatsapp.intercept import WindowIntercept
from bot.channels.whatsapp.render import render_whatsapp
from bot.channels.whatsapp.twilio import WHATSAPP_CAPABILITIES
from bot.runtime.settings import Settings
from conversations.events import SMS_CAPABILITIES

__all__ = ["CONSOLE", "SIMULATOR", "SIMULATOR_VOICE", "SIMULATOR_WHATSAPP"]


class _EveryTemplate(dict[str, str]):
    """On the simulator every template of the catalogue is approved: its Content sid is made up."""

    def get(self, key: str, default: Any = None) -> str:
        del default
        return "HXsimulator" + key.replace(":", "_")


def _simulated_templates(settings: Settings) -> OutsideWindow:
    del settings
    return approved_templates(_EveryTemplate())


CONSOLE = Channel(
    name="console", capabilities=SMS_CAPABILITIES, render=render_sms, carries_phone=True
)
SIMULATOR = Channel(
    name=SIMULATOR_CHANNEL,
    capabilities=SMS_CAPABILITIES,
    render=render_sms,
    routes=simulator_routes,
    carries_phone=True,
    local_only=True,
    network="simulator",
)
SIMULATOR_WHATSAPP = Channel(
    name=WHATSAPP_CHANNEL,
    capabilities=WHATSAPP_CAPABILITIES,
    render=render_whatsapp,
    carries_phone=True,
    local_only=True,
    intercept=WindowIntercept,
    network="simulator",
    window=WINDOW,
    outside_window=_simulated_templates,
)
SIMULATOR_VOICE = Channel(
    name=VOICE_CHANNEL,
    capabilities=SMS_CAPABILITIES,
    render=render_voice,
    delivery="inline",
    turns=simulated_call_turns,
    routes=simulated_call_routes,
    carries_phone=True,
    local_only=True,
    network="simulator",
)
