"""Organisations: a coach sees and changes only their organisation's candidates; the unassigned
queue; direct URLs to another organisation's candidate are refused."""

from sqlalchemy import func, select
from starlette.applications import Starlette

from bot.runtime.root import Runtime
from storage import Candidate, Review
from tests.bot.coach.conftest import FRENCH_CV, Coaches, Texter, csrf_of, invitation, logged_in


def _with_code(code: str) -> list[str]:
    return [*FRENCH_CV[:3], code, *FRENCH_CV[4:]]


def test_an_invitation_code_brings_the_candidate_to_that_coachs_organisation(
    app: Starlette, coaches: Coaches, runtime: Runtime, text: Texter
) -> None:
    code = invitation(runtime, coaches.a)
    assert len(code) == 5 and code[0].isalpha() and code[1:].isdigit()
    mine = text("+33611111111", *_with_code(code))
    stranger = text("+33622222222", *FRENCH_CV)
    alice, bruno, root = (logged_in(app, who) for who in (coaches.a, coaches.b, coaches.admin))

    assert f"/coach/candidates/{mine}" in alice.get("/coach/").text
    assert f"/coach/candidates/{stranger}" not in alice.get("/coach/").text
    # Bruno, of another organisation: the candidate does not exist for him, whatever he tries.
    assert f"/coach/candidates/{mine}" not in bruno.get("/coach/").text
    assert bruno.get(f"/coach/candidates/{mine}").status_code == 404
    token = csrf_of(bruno.get("/coach/").text)
    for action in ("publish", "unpublish", "edit", "comment", "request-changes", "take"):
        response = bruno.post(
            f"/coach/candidates/{mine}/{action}",
            data={"csrf": token, "part": "1", "comment": "Hop", "candidate.first_name": "X"},
        )
        assert response.status_code in (403, 404, 409), action
        assert "Amina" not in response.text
    with runtime.sessions() as session:
        candidate = session.get(Candidate, mine)
        assert candidate is not None and candidate.status == "submitted"
        assert session.scalar(select(func.count()).select_from(Review)) == 0
    # The administrator sees everyone.
    listing = root.get("/coach/").text
    assert f"/coach/candidates/{mine}" in listing and f"/coach/candidates/{stranger}" in listing
    assert root.get(f"/coach/candidates/{mine}").status_code == 200


def test_a_colleague_of_the_same_organisation_sees_the_candidate(
    app: Starlette, coaches: Coaches, runtime: Runtime, text: Texter
) -> None:
    from bot.coach.accounts import create_coach
    from tests.bot.coach.conftest import PASSWORD

    with runtime.sessions.begin() as session:
        create_coach(
            session, "colleague@asso-a.example", "Céline", organisation="Asso A", password=PASSWORD
        )
    mine = text("+33611111111", *_with_code(invitation(runtime, coaches.a)))
    colleague = logged_in(app, "colleague@asso-a.example")
    assert colleague.get(f"/coach/candidates/{mine}").status_code == 200


def test_candidates_without_a_code_wait_in_a_queue_a_coach_can_take(
    app: Starlette, coaches: Coaches, runtime: Runtime, text: Texter
) -> None:
    waiting = text("+33633333333", *FRENCH_CV)
    alice, bruno = logged_in(app, coaches.a), logged_in(app, coaches.b)
    assert f"/coach/candidates/{waiting}" in alice.get("/coach/?queue=1").text
    assert f"/coach/candidates/{waiting}" not in alice.get("/coach/").text
    page = alice.get(f"/coach/candidates/{waiting}")
    assert page.status_code == 200 and "Accompagner cette personne" in page.text
    # Seeing is not changing: before taking, a comment is refused.
    refused = alice.post(
        f"/coach/candidates/{waiting}/comment",
        data={"csrf": csrf_of(page.text), "part": "1", "comment": "Bien"},
    )
    assert refused.status_code == 403
    taken = alice.post(f"/coach/candidates/{waiting}/take", data={"csrf": csrf_of(page.text)})
    assert taken.status_code == 303
    assert f"/coach/candidates/{waiting}" in alice.get("/coach/").text
    assert f"/coach/candidates/{waiting}" not in alice.get("/coach/?queue=1").text
    # Once taken, the candidate belongs to Alice's organisation: gone for Bruno.
    assert bruno.get(f"/coach/candidates/{waiting}").status_code == 404
    late = bruno.post(
        f"/coach/candidates/{waiting}/take", data={"csrf": csrf_of(bruno.get("/coach/").text)}
    )
    assert late.status_code in (404, 409)
    with runtime.sessions() as session:
        candidate = session.get(Candidate, waiting)
        assert candidate is not None and candidate.organisation_id is not None
