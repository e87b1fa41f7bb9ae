"""The registry is the one list of channels: the CV document's schema names the same ones, and
every channel has what the product asks of it."""

import json
from importlib.resources import files

from bot.channels import registry
from bot.channels.contract import Channel
from bot.runtime.settings import Settings


def test_the_cv_schema_lists_exactly_the_registered_channels() -> None:
    schema = json.loads(files("bot").joinpath("schemas/cv.schema.json").read_text())
    listed = schema["properties"]["candidate"]["properties"]["channels"]["items"]
    assert set(listed["properties"]["channel"]["enum"]) == set(registry.names())


def test_every_channel_renders_and_only_configured_ones_deliver() -> None:
    assert registry.names() == (
        "sms",
        "telegram",
        "whatsapp",
        "voice",
        "console",
        "simulator",
        "sim_whatsapp",
        "sim_voice",
    )
    for record in registry.CHANNELS:
        assert isinstance(record, Channel) and callable(record.render)
        assert record.delivery in ("outbox", "inline")
    assert registry.senders(Settings(), timeout=1.0) == {}  # nothing configured, nothing sent
    said = registry.off_messages(Settings())
    assert any("SMS is off" in line for line in said)
    assert any("Telegram is off" in line for line in said)
    assert any("WhatsApp is off" in line for line in said)
    assert any("Phone calls are off" in line for line in said)
    assert registry.inline() == {"voice", "sim_voice"}  # replies are the TwiML itself
