"""The dashboard's order and filters, the analytics page's numbers, and the step columns the
service keeps for them."""

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from starlette.applications import Starlette

from bot.coach.analytics import weekly
from bot.runtime.root import Runtime
from storage import Candidate
from tests.bot.coach.conftest import FLOW, FRENCH_CV, Coaches, Texter, logged_in


def _names_in_order(html: str) -> list[str]:
    return re.findall(r'<a href="/coach/candidates/[^"]+" dir="auto">([^<]+)</a>', html)


def test_submitted_drafts_come_first_and_filters_narrow_the_list(
    app: Starlette, coaches: Coaches, runtime: Runtime, text: Texter
) -> None:
    text("+33611111111", *FRENCH_CV)  # Amina, submitted
    text("+33622222222", *[*FRENCH_CV[:4], "Marc", "Martin", "Lyon 69003", "passer", "1"])
    text("+33633333333", *[*FRENCH_CV[:4], "Zoé"])  # most recent, but still writing
    root = logged_in(app, coaches.admin)
    assert _names_in_order(root.get("/coach/").text) == ["Amina D.", "Zoé", "Marc M."]
    assert _names_in_order(root.get("/coach/?status=submitted").text) == ["Amina D."]
    assert _names_in_order(root.get("/coach/?q=mar").text) == ["Marc M."]
    assert _names_in_order(root.get("/coach/?department=69").text) == ["Marc M."]
    assert _names_in_order(root.get("/coach/?job=commis_cuisine").text) == ["Amina D."]
    page = root.get("/coach/").text
    assert "<td>Métier recherché</td>" in page and "<td>CV envoyé au coach</td>" in page
    assert 'value="commis_cuisine"' in page and 'value="93"' in page  # the filters' options


def test_the_analytics_page_counts_where_candidates_stop(
    app: Starlette, coaches: Coaches, text: Texter
) -> None:
    text("+33611111111", *FRENCH_CV)
    text("+33622222222", *FRENCH_CV[:7])  # stopped at the e-mail question
    page = logged_in(app, coaches.admin).get("/coach/analytics").text
    assert "<strong>2</strong> candidats" in page and "<strong>50 %</strong>" in page
    rows = dict(re.findall(r"<tr><td><code>(\w+)</code></td><td>\d</td><td>(\d+)</td>", page))
    assert rows["first_name"] == "2" and rows["email"] == "2"
    assert rows["target_jobs"] == "1" and rows["submitted"] == "1"
    assert "<svg" in page and "<title>email : 2</title>" in page
    # One submission, 37 messages a minute apart (the test clock) after the first one.
    assert "<strong>0.6 h</strong>" in page


def test_a_coach_counts_only_their_organisation(
    app: Starlette, coaches: Coaches, text: Texter
) -> None:
    text("+33611111111", *FRENCH_CV)
    page = logged_in(app, coaches.a).get("/coach/analytics").text
    assert "<strong>0</strong> candidats" in page


def test_weeks_are_iso_weeks_of_the_first_message() -> None:
    monday = datetime(2026, 11, 23, 9, tzinfo=UTC)
    rows = [
        (monday, monday + timedelta(hours=2)),
        (monday + timedelta(days=6), None),
        (monday + timedelta(days=7), monday + timedelta(days=7, hours=5)),
    ]
    table = weekly(rows)
    assert [(w.week, w.started, w.submitted, w.completion) for w in table] == [
        ("2026-S48", 2, 1, 50),
        ("2026-S49", 1, 1, 100),
    ]
    assert [w.median_hours for w in table] == [2.0, 5.0]


def test_the_service_keeps_the_current_and_furthest_step(runtime: Runtime, text: Texter) -> None:
    candidate_id = text("+33611111111", *FRENCH_CV[:7])

    def steps() -> tuple[str | None, int]:
        with runtime.sessions() as session:
            candidate = session.get(Candidate, candidate_id)
            assert candidate is not None
            return candidate.current_step, candidate.furthest_step

    index = {question.id: number for number, question in enumerate(FLOW.questions)}
    assert steps() == ("email", index["email"])
    text("+33611111111", "RETOUR", "RETOUR")
    assert steps() == ("last_name", index["email"])  # BACK never lowers the furthest step
    text("+33611111111", "passer", "passer", *FRENCH_CV[7:])
    assert steps() == ("submitted", len(FLOW.questions))
    with runtime.sessions() as session:
        assert session.scalar(select(Candidate.submitted_at)) is not None
