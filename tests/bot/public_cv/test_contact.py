"""The contact form: messages reach the coach (inbox, and mail when SMTP is set), the sender
learns nothing private, and spam meets a honeypot, checked input and rate limits."""

import dataclasses
import logging
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope
from aiosmtpd.smtp import Session as SmtpSession
from sqlalchemy import func, select, true
from sqlalchemy.orm import Session, sessionmaker

from bot.public_cv.contact import ContactInput
from bot.public_cv.inbox import inbox_messages, mark_read, unread_count
from bot.public_cv.mailer import MailError, SmtpConfig, contact_mail, send_mail
from bot.runtime.root import Runtime
from bot.web.app import create_app
from storage.models import Candidate, ContactMessage, RateLimitHit
from tests.bot.conftest import Clock
from tests.bot.public_cv.conftest import COACH_EMAIL, MakePerson, assert_private
from tests.servers import free_port
from tests.web import TestClient

FORM = {
    "name": "Claire Martin",
    "email": "claire@bistrot.example",
    "organisation": "Le Bistrot du Canal",
    "message": "Bonjour, nous cherchons une commis de cuisine à Saint-Denis. Pouvons-nous parler ?",
    "website": "",
}


def _messages(session_factory: sessionmaker[Session]) -> list[ContactMessage]:
    with session_factory() as session:
        return list(session.scalars(select(ContactMessage)).all())


def test_a_message_goes_to_the_coach_inbox_and_reveals_nothing(
    client: TestClient, make_person: MakePerson, session_factory: sessionmaker[Session]
) -> None:
    person = make_person()
    response = client.post(f"/cv/{person.slug}/contact", data=FORM)
    assert response.status_code == 200
    assert "Votre message a été transmis au coach d’Amina" in response.text
    assert_private(response.text)
    (stored,) = _messages(session_factory)
    assert stored.candidate_id == person.candidate_id and stored.coach_id == person.coach_id
    assert (stored.sender_name, stored.sender_email) == ("Claire Martin", FORM["email"])
    assert stored.organisation == "Le Bistrot du Canal" and stored.body == FORM["message"]
    assert stored.read_at is None


def test_the_honeypot_looks_sent_to_a_bot_and_keeps_nothing(
    client: TestClient, make_person: MakePerson, session_factory: sessionmaker[Session]
) -> None:
    person = make_person()
    response = client.post(
        f"/cv/{person.slug}/contact", data={**FORM, "website": "https://cheap-pills.example"}
    )
    assert response.status_code == 200 and "Merci !" in response.text
    assert _messages(session_factory) == []


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"name": ""}, "name", "Indiquez votre nom."),
        ({"email": "claire@"}, "email", "ne semble pas complète"),
        ({"email": "claire@bistrot.example\r\nBcc: x@y.example"}, "email", "ne semble pas"),
        ({"message": "Salut"}, "message", "un peu court"),
        ({"message": "x" * 4001}, "message", "trop long"),
        (
            {"message": "Voir http://a.example http://b.example http://c.example www.d.example"},
            "message",
            "Trop de liens",
        ),
        ({"organisation": "o" * 201}, "organisation", "trop long"),
    ],
)
def test_bad_input_is_refused_kindly_and_what_was_typed_is_kept(
    client: TestClient,
    make_person: MakePerson,
    session_factory: sessionmaker[Session],
    changes: dict[str, str],
    field: str,
    error: str,
) -> None:
    person = make_person()
    response = client.post(f"/cv/{person.slug}/contact", data={**FORM, **changes})
    assert response.status_code == 422
    assert error in response.text
    assert f'id="contact-{field}"' in response.text and 'aria-invalid="true"' in response.text
    if field != "name":
        assert 'value="Claire Martin"' in response.text  # nothing typed is lost
    assert _messages(session_factory) == []


def test_a_sender_is_rate_limited_by_a_hash_of_their_address(
    client: TestClient,
    make_person: MakePerson,
    session_factory: sessionmaker[Session],
    clock: Clock,
) -> None:
    person = make_person()
    statuses = [client.post(f"/cv/{person.slug}/contact", data=FORM).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert "Trop de messages" in client.post(f"/cv/{person.slug}/contact", data=FORM).text
    assert len(_messages(session_factory)) == 5
    with session_factory() as session:
        keys = set(session.scalars(select(RateLimitHit.key)))
    # TestClient's client address is "testclient": only an HMAC of it is stored.
    assert keys and all(len(key) == 64 and "testclient" not in key for key in keys)
    clock.now += timedelta(hours=1, minutes=1)
    assert client.post(f"/cv/{person.slug}/contact", data=FORM).status_code == 200
    with session_factory() as session:
        old = session.scalar(
            select(func.count())
            .select_from(RateLimitHit)
            .where(RateLimitHit.bucket == "contact_sender")
        )
    assert old == 1  # the hits of the past hour were cleared as the new one came


def test_a_body_too_large_or_of_another_type_is_refused(
    client: TestClient, make_person: MakePerson, session_factory: sessionmaker[Session]
) -> None:
    person = make_person()
    large = client.post(f"/cv/{person.slug}/contact", data={**FORM, "message": "x" * 40_000})
    assert large.status_code == 413
    as_json = client.post(f"/cv/{person.slug}/contact", json=FORM)
    assert as_json.status_code == 422
    assert _messages(session_factory) == []


# Email ------------------------------------------------------------------------------------------
class _Collect:
    def __init__(self) -> None:
        self.mails: list[tuple[Envelope, Message]] = []

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        del server, session
        self.mails.append((envelope, message_from_bytes(envelope.content, policy=policy.default)))  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[int, _Collect]]:
    """A real SMTP server on loopback that keeps what it receives."""
    handler = _Collect()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()


def _client_with(runtime: Runtime, **settings: Any) -> TestClient:
    changed = dataclasses.replace(
        runtime, settings=dataclasses.replace(runtime.settings, **settings)
    )
    return TestClient(create_app(changed))


def test_the_coach_gets_it_by_mail_when_smtp_is_set(
    runtime: Runtime, make_person: MakePerson, smtp: tuple[int, _Collect]
) -> None:
    port, server = smtp
    person = make_person()
    with _client_with(
        runtime, smtp_url=f"smtp://127.0.0.1:{port}", smtp_from="Tremplin <cv@tremplin.example>"
    ) as client:
        assert client.post(f"/cv/{person.slug}/contact", data=FORM).status_code == 200
    ((envelope, mail),) = server.mails
    assert envelope.rcpt_tos == [COACH_EMAIL]
    assert mail["From"] == "Tremplin <cv@tremplin.example>"
    assert mail["Reply-To"] == "Claire Martin <claire@bistrot.example>"
    assert mail["Subject"] == "Tremplin : un message pour le CV d’Amina D."
    body = mail.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert FORM["message"] in body and f"https://tremplin.example/cv/{person.slug}" in body
    assert "Diallo" not in body and "+33612345678" not in body


def test_a_mail_server_that_refuses_loses_nothing_and_says_so(
    runtime: Runtime,
    make_person: MakePerson,
    session_factory: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    def refuse(*args: Any) -> AuthResult:
        del args
        return AuthResult(success=False, handled=False)

    port = free_port()
    controller = Controller(
        _Collect(), hostname="127.0.0.1", port=port, authenticator=refuse, auth_require_tls=False
    )
    controller.start()
    try:
        person = make_person()
        with (
            caplog.at_level(logging.ERROR),
            _client_with(runtime, smtp_url=f"smtp://tremplin:wrong@127.0.0.1:{port}") as client,
        ):
            assert client.post(f"/cv/{person.slug}/contact", data=FORM).status_code == 200
    finally:
        controller.stop()
    assert len(_messages(session_factory)) == 1  # in the inbox all the same
    (record,) = [r for r in caplog.records if "not mailed" in r.getMessage()]
    assert FORM["message"] not in record.getMessage() and FORM["email"] not in record.getMessage()


def test_sending_is_retried_then_reported() -> None:
    config = SmtpConfig(
        host="127.0.0.1",
        port=free_port(),
        username=None,
        password=None,
        tls=False,
        sender="t@tremplin.example",
        timeout=2,
    )
    contact = ContactInput("Claire", "claire@bistrot.example", None, "Bonjour, un poste ?")
    mail = contact_mail(
        config,
        to=COACH_EMAIL,
        contact=contact,
        candidate_name="Amina D.",
        page_url="u",
        inbox_url="i",
    )
    pauses: list[float] = []
    with pytest.raises(MailError):
        send_mail(config, mail, attempts=3, pause=1.5, sleep=pauses.append)
    assert pauses == [1.5, 3.0]


# The coach's inbox ------------------------------------------------------------------------------
def test_the_inbox_lists_a_coach_messages_newest_first_and_marks_them_read(
    client: TestClient,
    make_person: MakePerson,
    session_factory: sessionmaker[Session],
    clock: Clock,
) -> None:
    person = make_person()
    client.post(f"/cv/{person.slug}/contact", data=FORM)
    client.post(
        f"/cv/{person.slug}/contact",
        data={**FORM, "name": "Paul", "message": "Une mission d'intérim la semaine prochaine ?"},
    )
    mine, theirs = Candidate.coach_id == person.coach_id, Candidate.coach_id == "another-coach"
    with session_factory.begin() as session:
        assert unread_count(session, mine) == 2
        assert unread_count(session, theirs) == 0
        newest, oldest = inbox_messages(session, mine)
        assert (newest.sender_name, oldest.sender_name) == ("Paul", "Claire Martin")
        assert newest.candidate_name == "Amina D." and newest.slug == person.slug
        assert inbox_messages(session, theirs) == []
        assert not mark_read(session, newest.id, theirs, now=clock())
        assert mark_read(session, newest.id, mine, now=clock())
        assert [m.sender_name for m in inbox_messages(session, true(), unread_only=True)] == [
            "Claire Martin"
        ]
