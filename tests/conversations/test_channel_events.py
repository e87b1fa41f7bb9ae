"""What the engine answers to what a rich channel (Telegram) sends besides text."""

from datetime import UTC, datetime

from conversations.engine import step
from conversations.events import Capabilities, MediaReceived, PhotoReceived, TextReceived
from conversations.flow import DEFAULT_FLOW
from conversations.outputs import Say
from conversations.state import State

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
TELEGRAM = Capabilities(share_contact=True, send_photo=True, buttons=True, knows_phone=False)


def _said(state: State, event: MediaReceived | PhotoReceived | TextReceived) -> list[str]:
    _, outputs = step(DEFAULT_FLOW, state, event, now=NOW)
    return [output.text.id for output in outputs if isinstance(output, Say)]


def test_at_the_photo_question_each_kind_of_file_gets_its_answer() -> None:
    at_photo = State(step="photo", locale="fr", consent_at=NOW.isoformat())
    assert _said(at_photo, MediaReceived("photo", TELEGRAM)) == ["photo_unreadable", "ask_photo"]
    assert _said(at_photo, MediaReceived("sticker", TELEGRAM)) == ["photo_expected", "ask_photo"]
    assert _said(at_photo, MediaReceived("voice", TELEGRAM)) == ["voice_kept", "ask_photo"]
    assert _said(at_photo, PhotoReceived("m1", TELEGRAM))[0] == "photo_saved"


def test_elsewhere_a_file_gets_the_text_only_answer_and_a_kept_voice_note_its_thanks() -> None:
    at_name = State(step="first_name", locale="fr", consent_at=NOW.isoformat())
    assert _said(at_name, MediaReceived("photo", TELEGRAM)) == [
        "media_unsupported",
        "ask_first_name",
    ]
    assert _said(at_name, MediaReceived("audio")) == ["media_unsupported", "ask_first_name"]
    assert _said(at_name, MediaReceived("voice", TELEGRAM)) == ["voice_kept", "ask_first_name"]


def test_link_where_the_channel_cannot_link_says_where_to_send_it() -> None:
    at_name = State(step="first_name", locale="fr", consent_at=NOW.isoformat())
    for word in ("LIER", "link", "ربط", "ЛІНК"):
        assert _said(at_name, TextReceived(word)) == ["link_elsewhere", "ask_first_name"]
