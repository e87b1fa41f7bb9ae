"""The coach workspace on a migrated database (SQLite and PostgreSQL), with helpers that act as
people do: candidates text through the real service, coaches log in through the real forms."""

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette

from bot.channels import registry
from bot.channels.contract import Inbound
from bot.coach.accounts import create_coach, new_invitation
from bot.conversation.service import ConversationService
from bot.i18n import available_locales, lexicon
from bot.runtime.root import Runtime
from bot.runtime.settings import Settings
from bot.web.app import create_app
from conversations.events import TextReceived
from conversations.flow import build_flow
from storage import make_session_factory
from tests.bot.conftest import Clock
from tests.web import TestClient

PASSWORD = "a long enough password"
PUBLIC_URL = "https://tremplin.example.org"
FLOW = build_flow(available_locales(), lexicon(available_locales()))

# A French candidate from greeting to SEND: experience, story, everything a CV needs.
FRENCH_CV = [
    "Bonjour", "1", "oui", "passer", "Amina", "Diallo", "Saint-Denis 93200", "passer", "1",
    "cuisine", "1", "2", "1", "1", "1", "2", "passer", "1",
    "1", "Aide cuisinière", "Restaurant Le Soleil", "Tunis", "2019-2021", "passer", "2", "1",
    "2", "1",
    "1 2", "3", "2", "1 2", "passer", "1",
    "J'aime cuisiner pour les autres.", "fini", "passer", "1",
]  # fmt: skip
# The same in Arabic: its free texts (experience, story) need a French version to be published.
ARABIC_CV = [
    "السلام عليكم", "1", "1", "تخطي", "Amina", "Diallo", "Saint-Denis 93200", "تخطي", "1",
    "طباخ", "1", "2", "1 3", "1", "1", "2", "1", "1",
    "1", "مساعد طباخ", "تخطي", "أفغانستان", "2019-2021", "تخطي", "2", "1",
    "2", "1",
    "1 2", "2", "4", "1 2", "تخطي", "1",
    "وصلت إلى فرنسا في 2022. أريد العمل في مطبخ.", "انتهيت", "تخطي", "1",
]  # fmt: skip


@pytest.fixture
def runtime(migrated_engine: Engine, clock: Clock) -> Iterator[Runtime]:
    sessions = make_session_factory(migrated_engine)
    service = ConversationService(sessions, FLOW, clock=clock, renderers=registry.renderers())
    settings = Settings(database_url=str(migrated_engine.url), public_url=PUBLIC_URL)
    built = Runtime(settings, migrated_engine, sessions, service)
    try:
        yield built
    finally:
        built.inbox.close()  # the engine belongs to its fixture


@pytest.fixture
def app(runtime: Runtime) -> Starlette:
    return create_app(runtime)


def client_for(app: Starlette) -> TestClient:
    # https: the public URL is https, so the session cookie is Secure and only goes over https.
    return TestClient(app, base_url="https://testserver", follow_redirects=False)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


def login(client: TestClient, email: str, password: str = PASSWORD) -> object:
    page = client.get("/coach/login")
    return client.post(
        "/coach/login", data={"email": email, "password": password, "csrf": csrf_of(page.text)}
    )


@dataclass(frozen=True, slots=True)
class Coaches:
    """Two organisations, a coach in each, and an administrator."""

    a: str = "alice@asso-a.example"
    b: str = "bruno@asso-b.example"
    admin: str = "root@tremplin.example"


@pytest.fixture
def coaches(runtime: Runtime) -> Coaches:
    made = Coaches()
    with runtime.sessions.begin() as session:
        create_coach(session, made.a, "Alice", organisation="Asso A", password=PASSWORD)
        create_coach(session, made.b, "Bruno", organisation="Asso B", password=PASSWORD)
        create_coach(session, made.admin, "Root", admin=True, password=PASSWORD)
    return made


def invitation(runtime: Runtime, email: str) -> str:
    with runtime.sessions.begin() as session:
        return new_invitation(session, email)


Texter = Callable[..., str | None]


@pytest.fixture
def text(runtime: Runtime) -> Texter:
    """``text(phone, *messages)``: SMS from that phone through the service; returns the
    candidate's id."""

    def send(phone: str, *messages: str) -> str | None:
        candidate_id = None
        for message in messages:
            handled = runtime.service.handle(
                Inbound("sms", phone, TextReceived(message), external_id=uuid.uuid4().hex)
            )
            candidate_id = handled.candidate_id or candidate_id
        return candidate_id

    return send


def logged_in(app: Starlette, email: str) -> TestClient:
    client = client_for(app)
    response = login(client, email)
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    return client
