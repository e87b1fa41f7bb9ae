"""A candidate with a full CV (and details that must never show), and the app around it."""

import copy
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels import registry
from bot.conversation.service import ConversationService
from bot.i18n import available_locales, lexicon
from bot.runtime.root import Runtime
from bot.runtime.settings import Settings
from bot.web.app import create_app
from conversations.flow import build_flow
from conversations.questions import Flow
from storage import Candidate, ChannelIdentity, Coach, CvDraft
from tests.bot.conftest import Clock
from tests.bot.public_cv.publishing import publish
from tests.web import TestClient

PUBLIC_URL = "https://tremplin.example"
COACH_EMAIL = "coach.sarah@asso.example"

#: What the public must never read, in any form the page, PDF or metadata could carry it.
SECRETS = (
    "Diallo",
    "amina.d@example.org",
    "example.org",
    "+33612345678",
    "0612345678",
    "06 12 34 56 78",
    "612345678",
    "rue des Lilas",
    "rue de la Paix",
    "Victor Hugo",
    "12 ru ",
    COACH_EMAIL,
)

DOCUMENT: dict[str, Any] = {
    "candidate": {
        "first_name": "Amina",
        "last_name": "Diallo",
        "email": "amina.d@example.org",
        "phone": "+33612345678",
    },
    "cv": {
        "target_jobs": [
            {"code": "cuisinier", "text": "آشپز", "lang": "prs", "fr": None, "rome": "G1602"},
            {"code": None, "text": "pâtissière", "lang": "fr"},
        ],
        "sectors": ["catering_hotels"],
        "contract_types": ["cdi", "interim"],
        "work_time": "full_time",
        "availability": {"immediate": False, "from": "2027-03-01"},
        "locations": [
            {
                "label": "12 rue des Lilas 93200 Saint-Denis",
                "postal_code": "93200",
                "department": "93",
            },
            {"label": "Paris", "postal_code": None, "department": None},
        ],
        "driving_licence": True,
        "transport": ["public_transport", "bike"],
        "languages": [
            {"code": "prs", "level": "native"},
            {"code": "fr", "level": "intermediate"},
            {"code": "en", "level": "notions"},
        ],
        "skills": [
            {"code": "cooking", "text": "Cuisson des aliments", "lang": "fr"},
            {"code": None, "text": "ponctuelle", "lang": "fr"},
        ],
        "interests": [{"text": "فوتبال", "lang": "prs", "fr": "Le football"}],
        "experiences": [
            {
                "title": {"text": "کمک آشپز", "lang": "prs", "fr": "Aide-cuisinière"},
                "employer": {"text": "Restaurant Bamyan", "lang": "fr"},
                "location": {"text": "کابل", "lang": "prs", "fr": "Kaboul"},
                "country": "AF",
                "start": "2019-03",
                "end": "2021",
                "current": False,
                "informal": True,
                "description": {
                    "text": "…",
                    "lang": "prs",
                    "fr": "Préparation des légumes pour 80 couverts. Contact : 06 12 34 56 78.",
                },
            }
        ],
        "trainings": [
            {
                "title": {"text": "CAP cuisine", "lang": "fr"},
                "institution": {"text": "GRETA", "lang": "fr"},
                "country": "FR",
                "year": 2024,
            }
        ],
        "story": {
            "text": "در سال 2022 به فرانسه آمدم.",
            "lang": "prs",
            "fr": "Je suis Amina Diallo, arrivée en France en 2022.\n"
            "Écrivez-moi : amina.d@example.org ou au +33612345678.\n"
            "J'habite 12 rue de la Paix, puis J habite 3 rue Victor Hugo à Lyon.",
        },
        "catchphrase": {"text": "جدی و سریع", "lang": "prs", "fr": "Sérieuse et rapide"},
        "photo": None,
    },
}


@dataclass
class Person:
    candidate_id: str
    slug: str
    coach_id: str


MakePerson = Callable[..., Person]


def create_person(
    session_factory: sessionmaker[Session],
    *,
    phone: str = "+33612345678",
    published: bool = True,
    person: dict[str, Any] | None = None,
    **changes: Any,
) -> Person:
    """A candidate with DOCUMENT as draft (``changes`` replace parts of its cv), a coach and a
    phone; published unless ``published=False``."""
    document = copy.deepcopy(DOCUMENT)
    document["cv"].update(copy.deepcopy(changes))
    document["candidate"].update(person or {})
    with session_factory.begin() as session:
        coach = session.scalar(select(Coach).where(Coach.email == COACH_EMAIL))
        if coach is None:
            coach = Coach(email=COACH_EMAIL, name="Sarah", password_hash="x")
            session.add(coach)
            session.flush()
        candidate = Candidate(coach_id=coach.id, locale="fa_AF", status="submitted")
        session.add(candidate)
        session.flush()
        session.add(ChannelIdentity(candidate_id=candidate.id, channel="sms", address=phone))
        session.add(CvDraft(candidate_id=candidate.id, document=document))
        session.flush()
        if published:
            publish(session, candidate.id)
        return Person(candidate.id, candidate.slug, coach.id)


@pytest.fixture
def make_person(session_factory: sessionmaker[Session]) -> MakePerson:
    """``create_person`` on the test's database; each person has their own phone."""
    numbers = itertools.count()

    def make(**options: Any) -> Person:
        phone = f"+336123456{78 + next(numbers):02d}"
        return create_person(session_factory, phone=phone, **options)

    return make


@pytest.fixture
def settings(migrated_engine: Engine) -> Settings:
    return Settings(
        database_url=migrated_engine.url.render_as_string(hide_password=False),
        public_url=PUBLIC_URL,
    )


@cache
def _product_flow() -> Flow:
    """The flow ``tremplin serve`` runs: every complete catalog offered (Dari among them)."""
    locales = available_locales()
    return build_flow(locales, lexicon(locales))


@pytest.fixture
def service(session_factory: sessionmaker[Session], clock: Clock) -> ConversationService:
    return ConversationService(
        session_factory, _product_flow(), clock=clock, renderers=registry.renderers()
    )


@pytest.fixture
def runtime(
    settings: Settings,
    migrated_engine: Engine,
    session_factory: sessionmaker[Session],
    service: ConversationService,
) -> Runtime:
    return Runtime(settings, migrated_engine, session_factory, service)


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime)) as test_client:
        yield test_client


def assert_private(text: str) -> None:
    """None of the candidate's private details, in any case."""
    folded = text.casefold()
    for secret in SECRETS:
        assert secret.casefold() not in folded, secret
