"""A coach's code typed by a candidate: known codes link the person and name the organisation,
unknown ones are said to be unknown, and a near miss is linked only once the person confirms."""

import uuid

from sqlalchemy import select

from bot.channels.contract import Inbound
from bot.runtime.root import Runtime
from conversations.events import TextReceived
from storage import Candidate, Coach, Invitation
from tests.bot.coach.conftest import Coaches

PHONE = "+33644444444"


def _code(runtime: Runtime, email: str, code: str) -> None:
    with runtime.sessions.begin() as session:
        coach = session.scalars(select(Coach).where(Coach.email == email)).one()
        session.add(Invitation(code=code, coach_id=coach.id))


def _say(runtime: Runtime, text: str, phone: str = PHONE) -> list[str]:
    """The lines the candidate reads in reply (an SMS may carry several messages)."""
    handled = runtime.service.handle(
        Inbound("sms", phone, TextReceived(text), external_id=uuid.uuid4().hex)
    )
    return [line for reply in handled.replies for line in reply.text.split("\n")]


def _coach_of(runtime: Runtime, phone: str = PHONE) -> str | None:
    with runtime.sessions() as session:
        candidate = session.scalars(select(Candidate)).one()
        return candidate.coach_id


def _to_code_question(runtime: Runtime) -> None:
    for text in ("Bonjour", "1", "1"):
        _say(runtime, text)


def test_an_unknown_code_is_said_unknown_and_asked_again(
    runtime: Runtime, coaches: Coaches
) -> None:
    _code(runtime, coaches.a, "M1431")
    _to_code_question(runtime)
    replies = _say(runtime, "T9999")
    assert replies[0].startswith("Je ne connais pas le code T9999.")
    assert "PASSER" in replies[0]
    assert replies[-1].startswith("As-tu un code donné par un coach ?")  # the question again
    assert _coach_of(runtime) is None
    replies = _say(runtime, "M1431")
    assert replies[0] == "C'est noté : ton coach est chez Asso A."
    assert replies[-1] == "Quel est ton prénom ?"
    assert _coach_of(runtime) is not None


def test_a_near_miss_is_linked_only_after_a_confirmation_naming_the_organisation(
    runtime: Runtime, coaches: Coaches
) -> None:
    _code(runtime, coaches.a, "M1431")
    _to_code_question(runtime)
    replies = _say(runtime, "m 1413")
    assert replies[0].startswith("Veux-tu dire le code M1431 de Asso A ?")
    assert replies[1].startswith("1 Oui")
    assert _coach_of(runtime) is None
    replies = _say(runtime, "2")
    assert replies[0] == "D'accord, je ne le garde pas."
    assert replies[-1].startswith("As-tu un code donné par un coach ?")
    _say(runtime, "M1413")
    replies = _say(runtime, "1")
    assert replies[0] == "C'est noté : ton coach est chez Asso A."
    with runtime.sessions() as session:
        coach = session.scalars(select(Coach).where(Coach.email == coaches.a)).one()
    assert _coach_of(runtime) == coach.id


def test_an_unknown_code_in_the_first_message_is_not_taken(
    runtime: Runtime, coaches: Coaches
) -> None:
    _code(runtime, coaches.a, "M1431")
    _say(runtime, "Bonjour T9999")
    _say(runtime, "1")
    replies = _say(runtime, "1")
    assert replies[-1].startswith("As-tu un code donné par un coach ?")  # asked, not assumed
    assert _coach_of(runtime) is None
