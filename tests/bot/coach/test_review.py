"""Reviewing a draft: editing with a French version, comments, asking for changes over the
candidate's channel, publishing and unpublishing; every action in the history."""

from typing import Any

from sqlalchemy import select
from starlette.applications import Starlette

from bot.runtime.root import Runtime
from storage import AuditEvent, Candidate, Conversation, CvDraft, CvVersion, Outbox, Review
from tests.bot.coach.conftest import (
    ARABIC_CV,
    FRENCH_CV,
    Coaches,
    Texter,
    csrf_of,
    invitation,
    logged_in,
)
from tests.web import TestClient

PHONE = "+33611111111"


def _with_code(script: list[str], code: str) -> list[str]:
    return [*script[:3], code, *script[4:]]


def _candidate(runtime: Runtime, candidate_id: str) -> dict[str, Any]:
    with runtime.sessions() as session:
        candidate = session.get(Candidate, candidate_id)
        draft = session.scalar(select(CvDraft).where(CvDraft.candidate_id == candidate_id))
        conversation = session.scalar(
            select(Conversation).where(Conversation.candidate_id == candidate_id)
        )
        assert candidate and draft and conversation
        return {
            "status": candidate.status,
            "published_version": candidate.published_version,
            "draft_status": draft.status,
            "document": draft.document,
            "state": conversation.state,
            "version": conversation.version,
            "versions": [
                (v.number, v.kind)
                for v in session.scalars(
                    select(CvVersion)
                    .where(CvVersion.candidate_id == candidate_id)
                    .order_by(CvVersion.number)
                )
            ],
            "audit": [
                e.action
                for e in session.scalars(
                    select(AuditEvent)
                    .where(AuditEvent.candidate_id == candidate_id)
                    .order_by(AuditEvent.id)
                )
            ],
            "outbox": [
                (row.purpose, row.address, row.body)
                for row in session.scalars(
                    select(Outbox).where(Outbox.candidate_id == candidate_id).order_by(Outbox.id)
                )
            ],
        }


def _post(client: TestClient, candidate_id: str, action: str, **data: str) -> Any:
    page = client.get(f"/coach/candidates/{candidate_id}")
    return client.post(
        f"/coach/candidates/{candidate_id}/{action}", data={"csrf": csrf_of(page.text), **data}
    )


def test_asking_for_changes_reaches_the_candidate_and_send_returns_the_draft(
    app: Starlette, coaches: Coaches, runtime: Runtime, text: Texter
) -> None:
    candidate_id = text(PHONE, *_with_code(FRENCH_CV, invitation(runtime, coaches.a)))
    assert candidate_id is not None
    alice = logged_in(app, coaches.a)
    words = "Dis-moi le nom exact du restaurant."
    asked = _post(alice, candidate_id, "request-changes", part="3", comment=words)
    assert asked.status_code == 303

    after = _candidate(runtime, candidate_id)
    assert after["status"] == after["draft_status"] == "changes_requested"
    assert after["state"]["status"] == "changes_requested"
    assert after["state"]["step"] == "has_experience"
    coach_rows = [row for row in after["outbox"] if row[0] == "coach"]
    assert coach_rows[0][1] == PHONE and words in coach_rows[0][2]
    assert any("Partie 3 sur 6" in row[2] for row in coach_rows)
    assert after["audit"][-1] == "changes_requested"
    with runtime.sessions() as session:
        review = session.scalars(select(Review)).one()
        assert review.part == "3" and review.comment == words

    page = alice.get(f"/coach/candidates/{candidate_id}").text
    assert "Modification demandée au candidat" in page and words in page

    # The candidate rewrites the experience, and SEND returns the draft to the coach.
    text(PHONE, "3", "Aide cuisinière", "Restaurant Chez Nous", "passer", "2019-2021")
    text(PHONE, "passer", "2", "1")
    back = _candidate(runtime, candidate_id)
    assert back["status"] == "submitted" and back["state"]["step"] == "submitted"
    employer = back["document"]["cv"]["experiences"][0]["employer"]["text"]
    assert employer == "Restaurant Chez Nous"
    assert [kind for _, kind in back["versions"]] == ["submitted", "submitted"]


def test_a_change_request_to_an_arabic_candidate_is_in_arabic_or_says_a_translation_follows(
    app: Starlette, coaches: Coaches, runtime: Runtime, text: Texter
) -> None:
    candidate_id = text(PHONE, *_with_code(ARABIC_CV, invitation(runtime, coaches.a)))
    assert candidate_id is not None
    alice = logged_in(app, coaches.a)
    page = alice.get(f"/coach/candidates/{candidate_id}").text
    assert "Le candidat lit en <strong>arabe</strong>" in page
    assert 'name="translation_follows"' in page

    french = "Précise le nom du restaurant."
    refused = _post(alice, candidate_id, "request-changes", part="3", comment=french)
    assert refused.status_code == 409 and "Cette personne lit en arabe" in refused.text
    assert not [row for row in _candidate(runtime, candidate_id)["outbox"] if row[0] == "coach"]

    in_arabic = "ما اسم المطعم؟"
    assert (
        _post(alice, candidate_id, "request-changes", part="3", comment=in_arabic).status_code
        == 303
    )
    told = [row[2] for row in _candidate(runtime, candidate_id)["outbox"] if row[0] == "coach"]
    assert in_arabic in told[0]

    warned = _post(
        alice,
        candidate_id,
        "request-changes",
        part="3",
        comment=french,
        translation_follows="yes",
    )
    assert warned.status_code == 303
    told = [row[2] for row in _candidate(runtime, candidate_id)["outbox"] if row[0] == "coach"]
    with_french = next(body for body in told if french in body)
    assert with_french != told[0] and "ترجمة" in with_french  # the Arabic frame says so


def test_no_request_goes_to_a_person_who_sent_stop(
    app: Starlette, coaches: Coaches, runtime: Runtime, text: Texter
) -> None:
    candidate_id = text(PHONE, *_with_code(FRENCH_CV, invitation(runtime, coaches.a)), "STOP")
    assert candidate_id is not None
    before = _candidate(runtime, candidate_id)
    refused = _post(
        logged_in(app, coaches.a), candidate_id, "request-changes", part="1", comment="Hop"
    )
    assert refused.status_code == 409 and "STOP" in refused.text
    after = _candidate(runtime, candidate_id)
    assert after["outbox"] == before["outbox"] and after["state"] == before["state"]


def test_a_free_text_in_another_language_needs_its_french_before_publication(
    app: Starlette, coaches: Coaches, runtime: Runtime, text: Texter
) -> None:
    candidate_id = text(PHONE, *_with_code(ARABIC_CV, invitation(runtime, coaches.a)))
    assert candidate_id is not None
    alice = logged_in(app, coaches.a)
    page = alice.get(f"/coach/candidates/{candidate_id}").text
    assert 'name="cv.experiences.0.title.fr"' in page and 'name="cv.story.fr"' in page
    assert 'lang="ar"' in page and 'dir="rtl"' in page  # the transcript and the Arabic words

    refused = _post(alice, candidate_id, "publish")
    assert refused.status_code == 409
    for name in ("Expérience 1 (intitulé)", "Expérience 1 (lieu)", "Histoire"):
        assert name in refused.text
    assert _candidate(runtime, candidate_id)["status"] == "submitted"

    version = str(_candidate(runtime, candidate_id)["version"])
    edited = _post(
        alice,
        candidate_id,
        "edit",
        part="3",
        version=version,
        **{
            "cv.experiences.0.title.fr": "Aide cuisinier",
            "cv.experiences.0.location.fr": "Afghanistan",
        },
    )
    assert edited.status_code == 303
    _post(
        alice,
        candidate_id,
        "edit",
        part="6",
        version=str(_candidate(runtime, candidate_id)["version"]),
        **{"cv.story.fr": "Arrivé en France en 2022, je veux travailler en cuisine."},
    )
    saved = _candidate(runtime, candidate_id)
    title = saved["document"]["cv"]["experiences"][0]["title"]
    assert title == {"text": "مساعد طباخ", "lang": "ar", "fr": "Aide cuisinier"}
    assert saved["version"] > int(version)  # the conversation changed with the draft
    assert [kind for _, kind in saved["versions"]] == ["submitted", "edit", "edit"]
    assert saved["audit"].count("edited") == 2

    published = _post(alice, candidate_id, "publish")
    assert published.status_code == 303
    online = _candidate(runtime, candidate_id)
    assert online["status"] == online["draft_status"] == online["state"]["status"] == "published"
    assert online["published_version"] == 4 and online["versions"][-1] == (4, "published")
    with runtime.sessions() as session:
        slug = session.scalars(select(Candidate.slug)).one()
    link = f"https://tremplin.example.org/cv/{slug}"
    last = online["outbox"][-1]
    assert last[0] == "published" and link in last[2] and "سيرتك" in last[2]  # in Arabic
    assert link in alice.get(f"/coach/candidates/{candidate_id}").text

    withdrawn = _post(alice, candidate_id, "unpublish")
    assert withdrawn.status_code == 303
    off = _candidate(runtime, candidate_id)
    assert off["status"] == off["state"]["status"] == "unpublished"
    assert off["published_version"] is None
    history = alice.get(f"/coach/candidates/{candidate_id}").text
    for label in ("Publié", "Publication retirée", "Brouillon modifié"):
        assert label in history


def test_an_edit_based_on_a_stale_page_is_refused(
    app: Starlette, coaches: Coaches, runtime: Runtime, text: Texter
) -> None:
    candidate_id = text(PHONE, *_with_code(FRENCH_CV[:12], invitation(runtime, coaches.a)))
    assert candidate_id is not None
    alice = logged_in(app, coaches.a)
    seen = str(_candidate(runtime, candidate_id)["version"])
    text(PHONE, "1")  # the candidate answers meanwhile
    stale = _post(
        alice, candidate_id, "edit", part="1", version=seen, **{"candidate.first_name": "Aminata"}
    )
    assert stale.status_code == 409 and "relisez" in stale.text
    assert _candidate(runtime, candidate_id)["document"]["candidate"]["first_name"] == "Amina"
    fresh = _post(
        alice,
        candidate_id,
        "edit",
        part="1",
        version=str(_candidate(runtime, candidate_id)["version"]),
        **{"candidate.first_name": "Aminata"},
    )
    assert fresh.status_code == 303
    assert _candidate(runtime, candidate_id)["document"]["candidate"]["first_name"] == "Aminata"
    # The conversation reads the edited draft: the candidate's next VIEW shows it.
    text(PHONE, "VOIR")
    assert "Aminata" in _candidate(runtime, candidate_id)["outbox"][-2][2]


def test_comments_are_kept_per_part_and_in_the_history(
    app: Starlette, coaches: Coaches, runtime: Runtime, text: Texter
) -> None:
    candidate_id = text(PHONE, *_with_code(FRENCH_CV, invitation(runtime, coaches.a)))
    assert candidate_id is not None
    alice = logged_in(app, coaches.a)
    assert (
        _post(alice, candidate_id, "comment", part="2", comment="Vérifier le permis").status_code
        == 303
    )
    empty = _post(alice, candidate_id, "comment", part="2", comment="   ")
    assert empty.status_code == 409
    page = alice.get(f"/coach/candidates/{candidate_id}").text
    part_two = page.split('id="part-2"')[1].split('id="part-3"')[0]
    assert "Vérifier le permis" in part_two and "Alice" in part_two
    assert "Note ajoutée" in page
    assert [row for row in _candidate(runtime, candidate_id)["outbox"] if row[0] == "coach"] == []


def test_publication_is_refused_while_the_cv_is_incomplete(
    app: Starlette, coaches: Coaches, runtime: Runtime, text: Texter
) -> None:
    candidate_id = text(PHONE, *_with_code(FRENCH_CV[:9], invitation(runtime, coaches.a)))
    assert candidate_id is not None
    refused = _post(logged_in(app, coaches.a), candidate_id, "publish")
    assert refused.status_code == 409 and "un métier" in refused.text
    assert _candidate(runtime, candidate_id)["published_version"] is None


def test_erasing_from_the_workspace_removes_the_person_after_confirmation(
    app: Starlette, coaches: Coaches, runtime: Runtime, text: Texter
) -> None:
    candidate_id = text(PHONE, *_with_code(FRENCH_CV, invitation(runtime, coaches.a)))
    assert candidate_id is not None
    alice, bruno = logged_in(app, coaches.a), logged_in(app, coaches.b)
    other = bruno.post(
        f"/coach/candidates/{candidate_id}/erase",
        data={"csrf": csrf_of(bruno.get("/coach/").text), "confirm": "yes"},
    )
    assert other.status_code == 404
    unconfirmed = _post(alice, candidate_id, "erase")
    assert unconfirmed.status_code == 409 and "Je confirme" in unconfirmed.text
    erased = _post(alice, candidate_id, "erase", confirm="yes")
    assert erased.status_code == 303 and erased.headers["location"] == "/coach/?notice=erased"
    assert alice.get(f"/coach/candidates/{candidate_id}").status_code == 404
    with runtime.sessions() as session:
        assert session.get(Candidate, candidate_id) is None
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "candidate_erased")
        ).one()
        assert event.candidate_id is None and event.coach_id is not None
