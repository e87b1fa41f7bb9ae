"""The two phones that live on this machine: the terminal phone (``tremplin chat``) and the
web simulator (``/simulator``). Both show what a basic phone shows, so both render as SMS."""

from bot.channels.contract import Channel
from bot.channels.simulator import CHANNEL as SIMULATOR_CHANNEL
from bot.channels.simulator import simulator_routes
from bot.channels.sms.render import render_sms
from conversations.events import SMS_CAPABILITIES

__all__ = ["CONSOLE", "SIMULATOR"]

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
)
