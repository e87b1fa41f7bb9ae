"""Every part of the workspace's edit form saves, for a candidate of every locale, and a CV
written in Arabic goes from the chat to a published page through the workspace alone."""

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from bot.coach.draft_view import draft_parts
from bot.runtime.root import Runtime
from conversations.state import State
from storage import Candidate, Conversation, CvDraft
from tests.bot.coach.conftest import Coaches, Texter, csrf_of, invitation, logged_in
from tests.web import TestClient

GOLDEN = Path(__file__).parents[2] / "conversations" / "golden"
LOCALES = ("fr", "en", "ar", "fa_AF", "ps", "uk", "ti")
# What the candidate says they like, in their own words (the goldens skip that question).
INTERESTS = {
    "fr": "football, cuisine",
    "en": "football, cooking",
    "ar": "كرة القدم، الطبخ",
    "fa_AF": "فوتبال، آشپزی",
    "ps": "فوټبال، پخلی",
    "uk": "футбол, кулінарія",
    "ti": "ኩዕሶ እግሪ፣ ምኽሻን",
}


def answers_of(locale: str, code: str) -> list[str]:
    """The inputs of the locale's same-CV golden, with a coach's code and interests given."""
    answers, step = [], ""
    for line in (GOLDEN / f"{locale}_same_cv.chat").read_text(encoding="utf-8").splitlines():
        if line.startswith("[step:"):
            step = line[len("[step:") : -1]
        elif line.startswith("> "):
            given = line[2:]
            if step == "invite_code":
                given = code
            elif step == "interests":
                given = INTERESTS[locale]
            answers.append(given)
            step = ""
    return answers


def _state(runtime: Runtime, candidate_id: str) -> tuple[State, int]:
    with runtime.sessions() as session:
        conversation = session.scalars(
            select(Conversation).where(Conversation.candidate_id == candidate_id)
        ).one()
        draft = session.scalars(select(CvDraft).where(CvDraft.candidate_id == candidate_id)).one()
        return State.from_parts(conversation.state, draft.document), conversation.version


def _save_part(client: TestClient, runtime: Runtime, candidate_id: str, part: int) -> int:
    """Post the part's form as a coach fills it: every free text gets a French version."""
    state, version = _state(runtime, candidate_id)
    page = client.get(f"/coach/candidates/{candidate_id}")
    data = {"csrf": csrf_of(page.text), "part": str(part), "version": str(version)}
    editables = next(p for p in draft_parts(state) if p.number == part).editables
    for editable in editables:
        assert f'name="{editable.path}"' in page.text, editable.path  # the form offers it
        data[editable.path] = editable.value or editable.suggestion or ""  # as the form shows
        if editable.path == "candidate.first_name":
            data[editable.path] = editable.value + "a"
        if editable.wants_fr:
            data[f"{editable.path}.fr"] = f"Version française {editable.path}"
    response = client.post(f"/coach/candidates/{candidate_id}/edit", data=data)
    assert response.status_code == 303, response.text
    return len(editables)


def _publish(client: TestClient, candidate_id: str) -> Any:
    page = client.get(f"/coach/candidates/{candidate_id}").text
    return client.post(f"/coach/candidates/{candidate_id}/publish", data={"csrf": csrf_of(page)})


def _public_page(app: Starlette, runtime: Runtime) -> str:
    """The published page of the one candidate there is, as a visitor gets it."""
    with runtime.sessions() as session:
        slug = session.scalars(select(Candidate.slug)).one()
    page = TestClient(app, base_url="https://testserver").get(f"/cv/{slug}")
    assert page.status_code == 200
    return page.text


@pytest.mark.parametrize("locale", LOCALES)
def test_each_part_of_the_form_saves_for_a_candidate_of_each_locale(
    app: Starlette, coaches: Coaches, runtime: Runtime, text: Texter, locale: str
) -> None:
    candidate_id = text("+33622222222", *answers_of(locale, invitation(runtime, coaches.a)))
    assert candidate_id is not None
    state, _ = _state(runtime, candidate_id)
    assert state.status == "submitted" and state.locale == locale
    assert state.cv["interests"], "the interests answer was saved as free text"
    alice = logged_in(app, coaches.a)
    for part in range(1, 7):
        _save_part(alice, runtime, candidate_id, part)
    saved, _ = _state(runtime, candidate_id)
    for interest in saved.cv["interests"]:
        if locale != "fr":
            assert interest["fr"].startswith("Version française cv.interests.")
        assert interest["text"] and interest["lang"]


def test_an_arabic_cv_is_published_through_the_workspace(
    app: Starlette, coaches: Coaches, runtime: Runtime, text: Texter
) -> None:
    candidate_id = text("+33633333333", *answers_of("ar", invitation(runtime, coaches.a)))
    assert candidate_id is not None
    alice = logged_in(app, coaches.a)
    refused = _publish(alice, candidate_id)
    assert refused.status_code == 409 and "Loisir 1" in refused.text
    for part in range(1, 7):
        _save_part(alice, runtime, candidate_id, part)
    published = _publish(alice, candidate_id)
    assert published.status_code == 303, published.text
    page = _public_page(app, runtime)
    assert "Version française cv.interests.0" in page
    assert "كرة القدم" not in page  # the French page shows the French version


def test_the_coach_sees_what_the_public_page_will_hide_and_why(
    app: Starlette, coaches: Coaches, runtime: Runtime, text: Texter
) -> None:
    answers = answers_of("fr", invitation(runtime, coaches.a))
    story = answers.index("Je suis arrivée en France en 2022. Je veux travailler en cuisine.")
    answers[story] = "J'habite 12 rue de la Paix, appelez-moi au 06 12 34 56 78."
    candidate_id = text("+33655555555", *answers)
    page = logged_in(app, coaches.a).get(f"/coach/candidates/{candidate_id}").text
    hidden = page[page.index('id="hidden-on-page"') :].split("</div>")[0]
    assert "12 rue de la Paix" in hidden and "adresse postale" in hidden
    assert "06 12 34 56 78" in hidden and "numéro de téléphone" in hidden
    assert "Histoire" in hidden
    # Erasing sits in its own section, away from the button that publishes.
    assert page.index('id="erase"') > page.index('id="part-6"')


def _replace_answer(answers: list[str], old: str, new: str) -> list[str]:
    return [new if given == old else given for given in answers]


def test_a_name_and_a_place_in_arabic_script_get_latin_french_words_before_publication(
    app: Starlette, coaches: Coaches, runtime: Runtime, text: Texter
) -> None:
    answers = answers_of("ar", invitation(runtime, coaches.a))
    answers = _replace_answer(answers, "Amina", "ليلى")
    answers = _replace_answer(answers, "Saint-Denis 93200", "ليون")
    answers = _replace_answer(answers, "Diallo", "حيدري")
    candidate_id = text("+33666666666", *answers)
    state, _ = _state(runtime, candidate_id)
    assert state.cv["locations"] == [{"label": "Lyon", "postal_code": None, "department": "69"}]

    alice = logged_in(app, coaches.a)
    page = alice.get(f"/coach/candidates/{candidate_id}").text
    assert 'name="candidate.first_name_latin" value="Leila"' in page  # prefilled, to confirm
    refused = _publish(alice, candidate_id)
    assert refused.status_code == 409 and "Prénom en lettres latines" in refused.text
    for part in range(1, 7):
        _save_part(alice, runtime, candidate_id, part)
    saved, _ = _state(runtime, candidate_id)
    assert saved.person["first_name_latin"] == "Leila"
    published = _publish(alice, candidate_id)
    assert published.status_code == 303, published.text
    public = _public_page(app, runtime)
    # The initial of a last name in Arabic script is in Latin letters too; the name stays private.
    assert (
        "Leila H." in public
        and "ليلى" not in public
        and "حيدري" not in public
        and "ح." not in public
    )
    assert "Lyon" in public and "ليون" not in public


def test_a_place_no_commune_matches_needs_its_french_version(
    app: Starlette, coaches: Coaches, runtime: Runtime, text: Texter
) -> None:
    answers = answers_of("uk", invitation(runtime, coaches.a))
    answers = _replace_answer(answers, "Saint-Denis 93200", "Маленьке село")
    candidate_id = text("+33677777777", *answers)
    alice = logged_in(app, coaches.a)
    page = alice.get(f"/coach/candidates/{candidate_id}").text
    assert 'name="cv.locations.0.fr"' in page
    refused = _publish(alice, candidate_id)
    assert refused.status_code == 409 and "Lieu de travail souhaité" in refused.text
