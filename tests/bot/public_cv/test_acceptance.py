"""Acceptance, as a new user tries it: a CV built in a conversation held in Dari, given French
versions of its free texts by the coach and published, reads as a French CV on the page and in
the PDF, and shares cleanly."""

import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage import Candidate, ChannelIdentity
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


def test_a_cv_written_in_dari_reads_as_a_french_cv(
    send: Send, client: TestClient, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    inputs = [
        line[2:]
        for line in GOLDEN.read_text(encoding="utf-8").splitlines()
        if line.startswith("> ")
    ]
    for text in inputs:
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
