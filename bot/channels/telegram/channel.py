"""The Telegram channel's record: the Bot API's webhook (or polling) in, the outbox out."""

from bot.channels.contract import Channel, Sender
from bot.channels.telegram.api import TelegramSender
from bot.channels.telegram.intercept import TelegramIntercept
from bot.channels.telegram.render import render_telegram
from bot.channels.telegram.updates import (
    CHANNEL,
    TELEGRAM_CAPABILITIES,
    TELEGRAM_OFF_MESSAGE,
    telegram_enabled,
)
from bot.channels.telegram.webhook import telegram_routes
from bot.runtime.settings import Settings

__all__ = ["TELEGRAM"]


def _sender(settings: Settings, timeout: float) -> Sender:
    return TelegramSender(settings, timeout=timeout)


TELEGRAM = Channel(
    name=CHANNEL,
    capabilities=TELEGRAM_CAPABILITIES,
    render=render_telegram,
    routes=telegram_routes,
    enabled=telegram_enabled,
    sender=_sender,
    off_message=TELEGRAM_OFF_MESSAGE,
    intercept=TelegramIntercept,
)
