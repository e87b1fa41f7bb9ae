"""``tremplin telegram set-webhook`` and ``tremplin telegram poll`` against a fake Bot API."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.runtime.cli import main
from tests.bot.fake_telegram import SECRET, TOKEN, FakeBotApi, update


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeBotApi]:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    with FakeBotApi().running() as fake:
        for name, value in {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "TREMPLIN_PUBLIC_URL": "https://tremplin.example.org",
            "TREMPLIN_DATABASE_URL": f"sqlite:///{tmp_path / 'tremplin.db'}",
        }.items():
            monkeypatch.setenv(name, value)
        for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"):
            monkeypatch.delenv(name, raising=False)
        yield fake


def test_set_webhook_registers_the_public_url_with_the_secret(
    api: FakeBotApi, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["telegram", "set-webhook"]) == 0
    (call,) = api.called("setWebhook")
    assert call["url"] == "https://tremplin.example.org/webhooks/telegram"
    assert call["secret_token"] == SECRET
    assert call["allowed_updates"] == ["message"]
    assert "https://tremplin.example.org/webhooks/telegram" in capsys.readouterr().out


def test_poll_handles_updates_with_the_same_service_and_delivers_the_replies(
    api: FakeBotApi,
) -> None:
    first = update("text", language_code="fr")
    api.updates = [first, first | {"update_id": first["update_id"] + 1}]
    assert main(["telegram", "poll", "--once"]) == 0
    assert api.called("deleteWebhook")  # Telegram gives updates one way only
    texts = api.texts()
    assert len(texts) == 2
    assert texts[0].startswith("Pour changer de langue, envoie LANGUE.")
    offsets = [call.get("offset") for call in api.called("getUpdates")]
    assert str(first["update_id"] + 2) in [str(offset) for offset in offsets]  # acknowledged


def test_without_settings_the_commands_say_what_is_missing(
    api: FakeBotApi, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET")
    assert main(["telegram", "set-webhook"]) == 1
    assert "TELEGRAM_WEBHOOK_SECRET" in capsys.readouterr().out
    assert api.calls == []
