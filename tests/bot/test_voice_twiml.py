"""The TwiML of a call's answer: kept once built, yet each answer posts to its own turn."""

import xml.etree.ElementTree as ET

from bot.channels.voice.twiml import Listen, Speaker, build
from tests.bot.voice_world import check_twiml

ANSWER = "https://tremplin.example/webhooks/twilio/voice/answer"
QUESTION = [["fr", "Quel est ton prénom ?"], ["fr", "Dis-le après le bip."]]


def speaker() -> Speaker:
    return Speaker(lambda locale, text: f"https://tremplin.example/voice/clips/{len(text)}.gsm")


def actions(twiml: str) -> tuple[str | None, str | None]:
    """Where the ``<Gather>`` posts the answer, and where the ``<Redirect>`` posts a silence."""
    root = ET.fromstring(twiml)
    check_twiml(root)
    gather, redirect = root.find("Gather"), root.find("Redirect")
    assert gather is not None and redirect is not None
    return gather.get("action"), redirect.text


def test_two_callers_at_one_question_hear_it_alike_and_post_to_their_own_turn() -> None:
    first = build(speaker(), [], QUESTION, Listen("text", 0, "fr", f"{ANSWER}?turn=3"))
    second = build(speaker(), [], QUESTION, Listen("text", 0, "fr", f"{ANSWER}?turn=12"))
    assert actions(first) == (f"{ANSWER}?turn=3", f"{ANSWER}?turn=3")
    assert actions(second) == (f"{ANSWER}?turn=12", f"{ANSWER}?turn=12")
    assert first.replace("turn=3", "turn=12") == second
    said = ET.fromstring(second).find("Gather/Say")
    assert said is not None and said.text == "Quel est ton prénom ? Dis-le après le bip."


def test_words_like_the_kept_documents_stand_in_are_said_as_they_are() -> None:
    heard = [["fr", "Tu as dit : tremplin-answer-action & <moi>."]]
    twiml = build(speaker(), heard, QUESTION, Listen("choice", 2, "fr", f"{ANSWER}?turn=4"))
    root = ET.fromstring(twiml)
    said = root.find("Say")
    assert said is not None and said.text == "Tu as dit : tremplin-answer-action & <moi>."
    assert actions(twiml) == (f"{ANSWER}?turn=4", f"{ANSWER}?turn=4")


def test_an_answer_url_that_xml_escapes_still_comes_back_whole() -> None:
    action = f"{ANSWER}?call=7&turn=5"
    twiml = build(speaker(), [], QUESTION, Listen("choice", 3, "fr", action))
    assert actions(twiml) == (action, action)
    again = build(speaker(), [], QUESTION, Listen("choice", 3, "fr", f"{ANSWER}?call=7&turn=6"))
    assert actions(again) == (f"{ANSWER}?call=7&turn=6", f"{ANSWER}?call=7&turn=6")


def test_a_goodbye_hangs_up_and_a_dari_question_plays_its_clip() -> None:
    goodbye = ET.fromstring(build(speaker(), [["fr", "Au revoir."]], hangup=True))
    assert [child.tag for child in goodbye] == ["Say", "Hangup"]
    dari = build(speaker(), [], [["fa_AF", "نام شما چیست؟"]], Listen("text", 0, "fa_AF", ANSWER))
    played = ET.fromstring(dari).find("Gather/Play")
    assert played is not None and played.text == "https://tremplin.example/voice/clips/13.gsm"
