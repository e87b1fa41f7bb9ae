"""The public CV in the coach workspace: the inbox of contact messages and the indexing switch,
behind the workspace's own login, CSRF check and scope."""

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.coach.accounts import create_coach
from bot.runtime.root import Runtime
from bot.web.app import create_app
from storage import Candidate
from tests.bot.coach.conftest import PASSWORD, client_for, csrf_of, login
from tests.bot.public_cv.conftest import COACH_EMAIL, MakePerson
from tests.web import TestClient

OTHER_COACH = "bruno@asso-b.example"
FORM = {
    "name": "Claire Martin",
    "email": "claire@bistrot.example",
    "message": "Bonjour, nous cherchons une commis de cuisine. Pouvons-nous parler ?",
}


@pytest.fixture
def coaches(session_factory: sessionmaker[Session]) -> None:
    """Sarah (the candidates' coach) and Bruno, of another organisation."""
    with session_factory.begin() as session:
        create_coach(session, COACH_EMAIL, "Sarah", password=PASSWORD)
        create_coach(session, OTHER_COACH, "Bruno", organisation="Asso B", password=PASSWORD)


def _coach(runtime: Runtime, email: str) -> TestClient:
    client = client_for(create_app(runtime))
    login(client, email)
    return client


def test_contact_messages_reach_the_coach_inbox_and_no_one_else(
    runtime: Runtime, client: TestClient, make_person: MakePerson, coaches: None
) -> None:
    person = make_person()
    sarah, bruno = _coach(runtime, COACH_EMAIL), _coach(runtime, OTHER_COACH)
    assert "Aucun message" in sarah.get("/coach/inbox").text
    assert client.post(f"/cv/{person.slug}/contact", data=FORM).status_code == 200

    page = sarah.get("/coach/inbox")
    assert page.status_code == 200
    assert "Claire Martin" in page.text and "nous cherchons une commis" in page.text
    assert f'href="/coach/candidates/{person.candidate_id}">Amina D.</a>' in page.text
    assert "mailto:claire@bistrot.example" in page.text and "<strong>non lu</strong>" in page.text
    assert 'href="/coach/inbox">Messages</a>' in page.text  # in the workspace's menu
    assert "Claire Martin" not in bruno.get("/coach/inbox").text

    message_id = page.text.split('action="/coach/inbox/')[1].split("/read")[0]
    forged = sarah.post(f"/coach/inbox/{message_id}/read", data={"csrf": "forged"})
    assert forged.status_code == 403
    assert (
        bruno.post(
            f"/coach/inbox/{message_id}/read", data={"csrf": csrf_of(bruno.get("/coach/").text)}
        ).status_code
        == 404
    )
    read = sarah.post(f"/coach/inbox/{message_id}/read", data={"csrf": csrf_of(page.text)})
    assert read.status_code == 303 and read.headers["location"] == "/coach/inbox"
    assert "<strong>non lu</strong>" not in sarah.get("/coach/inbox").text
    assert "Claire Martin" not in sarah.get("/coach/inbox?unread=1").text
    # Logged out, the inbox is the login page.
    assert client_for(create_app(runtime)).get("/coach/inbox").headers["location"] == "/coach/login"


def test_the_coach_sees_the_counters_and_lets_search_engines_index(
    runtime: Runtime,
    client: TestClient,
    make_person: MakePerson,
    coaches: None,
    session_factory: sessionmaker[Session],
) -> None:
    person = make_person()
    client.get(f"/cv/{person.slug}")
    client.post(f"/cv/{person.slug}/share?network=whatsapp")
    sarah, bruno = _coach(runtime, COACH_EMAIL), _coach(runtime, OTHER_COACH)
    page = sarah.get(f"/coach/candidates/{person.candidate_id}")
    assert '<strong id="cv-views">1</strong>' in page.text
    assert '<strong id="cv-shares">1</strong>' in page.text
    assert "priés de ne pas référencer" in page.text

    refused = bruno.post(
        f"/coach/candidates/{person.candidate_id}/indexing",
        data={"csrf": csrf_of(bruno.get("/coach/").text), "indexed": "1"},
    )
    assert refused.status_code == 403
    switched = sarah.post(
        f"/coach/candidates/{person.candidate_id}/indexing",
        data={"csrf": csrf_of(page.text), "indexed": "1"},
    )
    assert switched.status_code == 303
    with session_factory() as session:
        assert session.get_one(Candidate, person.candidate_id).noindex is False
    assert "x-robots-tag" not in client.get(f"/cv/{person.slug}").headers
    page = sarah.get(f"/coach/candidates/{person.candidate_id}")
    assert "peuvent référencer cette page" in page.text
    sarah.post(
        f"/coach/candidates/{person.candidate_id}/indexing",
        data={"csrf": csrf_of(page.text), "indexed": "0"},
    )
    assert client.get(f"/cv/{person.slug}").headers["x-robots-tag"] == "noindex, nofollow"
