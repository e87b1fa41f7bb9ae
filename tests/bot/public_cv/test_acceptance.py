"""Acceptance, as a new user tries it: a CV built in a conversation held in Dari, given French
versions of its free texts by the coach and published, reads as a French CV on the page and in
the PDF, and shares cleanly."""

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.coach.accounts import create_coach
from bot.runtime.root import Runtime
from bot.web.app import create_app
from storage import Candidate, ChannelIdentity, Outbox
from tests.bot.coach.conftest import PASSWORD, client_for, csrf_of, login
from tests.bot.conftest import Send
from tests.bot.public_cv.conftest import PUBLIC_URL
from tests.bot.public_cv.publishing import french_versions, publish
from tests.web import TestClient

GOLDEN = Path(__file__).parents[2] / "conversations" / "golden" / "fa_AF_same_cv.chat"
PHONE = "+33755512345"
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")
FRENCH = {
    "کمک آشپز": "Aide-cuisinière",
    "افغانستان": "Afghanistan",
    "در سال 2022 به فرانسه آمدم. می‌خواهم در آشپزخانه کار کنم.": (
        "Je suis arrivée en France en 2022. Je veux travailler en cuisine."
    ),
}


def _golden_inputs() -> list[str]:
    lines = GOLDEN.read_text(encoding="utf-8").splitlines()
    return [line[2:] for line in lines if line.startswith("> ")]


def test_a_cv_written_in_dari_reads_as_a_french_cv(
    send: Send, client: TestClient, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    for text in _golden_inputs():
        send(text, phone=PHONE)
    with session_factory.begin() as session:
        candidate_id = session.scalars(
            select(ChannelIdentity.candidate_id).where(ChannelIdentity.address == PHONE)
        ).one()
        candidate = session.get_one(Candidate, candidate_id)
        assert (candidate.status, candidate.locale) == ("submitted", "fa_AF")
        slug = candidate.slug
        french_versions(session, candidate_id, FRENCH)
        publish(session, candidate_id)

    page = client.get(f"/cv/{slug}")
    assert page.status_code == 200
    html = page.text
    assert ARABIC_SCRIPT.search(html) is None, ARABIC_SCRIPT.findall(html)
    for shown in (
        "Amina D.",
        "Je suis arrivée en France en 2022. Je veux travailler en cuisine.",
        "Cuisinier / Cuisinière",
        "Aide-cuisinière",
        "<span>Afghanistan</span><span>2019 – 2021</span>",
        "Cuisson des aliments",
        "Langue maternelle",
        "CDI, Intérim",
        "Disponible immédiatement",
        "Saint-Denis 93200",
    ):
        assert shown in html, shown
    assert "Diallo" not in html and PHONE not in html and PHONE[1:] not in html

    pdf = client.get(f"/cv/{slug}.pdf").content
    (tmp_path / "cv.pdf").write_bytes(pdf)
    pdftotext = "pdftotext"
    try:
        text = subprocess.run(
            [pdftotext, "-enc", "UTF-8", str(tmp_path / "cv.pdf"), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except FileNotFoundError:
        pytest.skip("pdftotext is not installed: apt-get install poppler-utils")
    assert "Aide-cuisinière" in text and "Je veux travailler en cuisine." in text
    assert ARABIC_SCRIPT.search(text) is None and "Diallo" not in text

    assert '<meta property="og:title" content="Amina D. · Cuisinier / Cuisinière">' in html
    assert f'<meta property="og:image" content="{PUBLIC_URL}/cv/{slug}/share.png?v=' in html
    image = client.get(f"/cv/{slug}/share.png")
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")


def test_through_the_coach_workspace_from_dari_to_a_shared_french_cv(
    send: Send,
    runtime: Runtime,
    client: TestClient,
    session_factory: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    """The same, as people do it: the coach takes the candidate from the queue, writes the
    French versions in the workspace, publishes (the candidate gets the link), and withdraws."""
    for text in _golden_inputs():
        send(text, phone=PHONE)
    with session_factory.begin() as session:
        create_coach(session, "sarah@asso.example", "Sarah", password=PASSWORD)
        candidate = session.scalars(select(Candidate)).one()
        candidate_id, slug = candidate.id, candidate.slug
    sarah = client_for(create_app(runtime))
    login(sarah, "sarah@asso.example")

    def post(action: str, **data: str) -> Any:
        page = sarah.get(f"/coach/candidates/{candidate_id}").text
        version = re.search(r'name="version" value="(\d+)"', page)
        fields = {"csrf": csrf_of(page), **data}
        if version and action == "edit":
            fields["version"] = version.group(1)
        return sarah.post(f"/coach/candidates/{candidate_id}/{action}", data=fields)

    assert post("take").status_code == 303
    assert post("publish").status_code == 409  # the Dari texts have no French yet
    assert (
        post(
            "edit",
            part="3",
            **{
                "cv.experiences.0.title.fr": FRENCH["کمک آشپز"],
                "cv.experiences.0.location.fr": FRENCH["افغانستان"],
            },
        ).status_code
        == 303
    )
    story = FRENCH["در سال 2022 به فرانسه آمدم. می‌خواهم در آشپزخانه کار کنم."]
    assert post("edit", part="6", **{"cv.story.fr": story}).status_code == 303
    assert post("publish").status_code == 303
    with session_factory() as session:
        link = session.scalars(
            select(Outbox.body)
            .where(Outbox.candidate_id == candidate_id)
            .order_by(Outbox.id.desc())
        ).first()
    assert link is not None and f"{PUBLIC_URL}/cv/{slug}" in link  # sent over SMS, in Dari

    html = client.get(f"/cv/{slug}").text
    assert ARABIC_SCRIPT.search(html) is None
    assert story in html and "Aide-cuisinière" in html and "Amina D." in html
    assert "Diallo" not in html
    pdf = client.get(f"/cv/{slug}.pdf")
    assert pdf.status_code == 200 and b"Diallo" not in pdf.content
    assert client.get(f"/cv/{slug}/share.png").status_code == 200
    page = sarah.get(f"/coach/candidates/{candidate_id}").text
    assert '<strong id="cv-views">1</strong>' in page

    assert post("unpublish").status_code == 303
    assert client.get(f"/cv/{slug}").status_code == 410
    assert client.get(f"/cv/{slug}.pdf").status_code == 410
