"""The PDF and the share image: made once per published version, readable, private, and in
fonts that cover the scripts they show."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.public_cv.pdf import pdf_support
from bot.public_cv.share_image import SHARE_IMAGE_SIZE
from storage.models import CvRender, Media
from tests.bot.public_cv.conftest import MakePerson, assert_private
from tests.bot.public_cv.publishing import publish
from tests.web import TestClient

pytestmark = pytest.mark.skipif(
    pdf_support() is not None, reason=f"PDF tests skipped: {pdf_support()}"
)

# A 2×2 JPEG is enough to stand for a photo (the media module stores them re-encoded).
_PHOTO = io.BytesIO()
Image.new("RGB", (2, 2), (200, 30, 30)).save(_PHOTO, format="JPEG")
PHOTO = _PHOTO.getvalue()


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed: apt-get install poppler-utils")
    return found


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "cv.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        [_tool("pdftotext"), "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _renders(session_factory: sessionmaker[Session], candidate_id: str) -> list[tuple[int, str]]:
    with session_factory() as session:
        rows = session.execute(
            select(CvRender.version_number, CvRender.kind)
            .where(CvRender.candidate_id == candidate_id)
            .order_by(CvRender.version_number, CvRender.kind)
        ).all()
    return [(number, kind) for number, kind in rows]


def _ink(image: Image.Image) -> float:
    """How far the picture is from a blank page: the spread of its grey levels."""
    return float(ImageStat.Stat(image.convert("L")).stddev[0])


def test_the_pdf_reads_as_the_page_and_hides_what_the_page_hides(
    client: TestClient, make_person: MakePerson, tmp_path: Path
) -> None:
    person = make_person()
    response = client.get(f"/cv/{person.slug}.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        "inline; filename=\"CV-Amina-D.pdf\"; filename*=UTF-8''CV-Amina-D.pdf"
    )
    assert response.content.startswith(b"%PDF-")
    text = _pdf_text(response.content, tmp_path)
    for shown in ("Amina D.", "Sérieuse et rapide", "Mon histoire", "Aide-cuisinière", "Dari"):
        assert shown in text, shown
    assert "Partager" not in text and "Votre message" not in text  # the web-only parts
    assert f"/cv/{person.slug}" in text.replace("\n", "")  # how to reach the coach
    assert_private(text)
    assert_private(response.content.decode("latin-1"))  # nor in the PDF's metadata


def test_the_pdf_is_made_once_per_version_and_language(
    client: TestClient, make_person: MakePerson, session_factory: sessionmaker[Session]
) -> None:
    person = make_person()
    first = client.get(f"/cv/{person.slug}.pdf").content
    assert client.get(f"/cv/{person.slug}.pdf").content == first
    english = client.get(f"/cv/{person.slug}.pdf?lang=en").content
    assert english != first
    assert _renders(session_factory, person.candidate_id) == [(1, "pdf_en"), (1, "pdf_fr")]
    with session_factory.begin() as session:
        publish(session, person.candidate_id)
    client.get(f"/cv/{person.slug}.pdf")
    assert (2, "pdf_fr") in _renders(session_factory, person.candidate_id)


def test_the_pdf_prints_as_a_page_with_ink_on_it(
    client: TestClient, make_person: MakePerson, tmp_path: Path
) -> None:
    person = make_person()
    (tmp_path / "cv.pdf").write_bytes(client.get(f"/cv/{person.slug}.pdf").content)
    subprocess.run(
        [_tool("pdftoppm"), "-r", "40", "-png", "-f", "1", "-l", "1", "cv.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )
    (page,) = tmp_path.glob("page*.png")
    with Image.open(page) as image:
        width, height = image.size
        assert 0.65 < width / height < 0.75  # A4, portrait
        assert _ink(image) > 20
        # Text from top to bottom of the first page, not one line lost in white.
        top = image.crop((0, 0, width, height // 3))
        assert _ink(top) > 20


@pytest.mark.parametrize(
    ("first_name", "script"),
    [("أمينة", "Arabic"), ("Аміна", "Cyrillic"), ("አሚና", "Ethiopic")],
)
def test_names_in_other_scripts_print_in_the_pdf(
    client: TestClient, make_person: MakePerson, tmp_path: Path, first_name: str, script: str
) -> None:
    person = make_person(person={"first_name": first_name})
    response = client.get(f"/cv/{person.slug}.pdf")
    assert response.headers["content-disposition"].startswith('inline; filename="CV-D.pdf"; ')
    text = _pdf_text(response.content, tmp_path)
    assert f"{first_name} D." in text or first_name in text, script


def test_the_photo_is_served_while_published_and_printed_in_the_pdf(
    client: TestClient, make_person: MakePerson, session_factory: sessionmaker[Session]
) -> None:
    person = make_person(published=False, photo={"ref": "pending"})
    with session_factory.begin() as session:
        media = Media(
            candidate_id=person.candidate_id,
            kind="photo",
            content_type="image/jpeg",
            data=PHOTO,
            size=len(PHOTO),
            width=2,
            height=2,
        )
        session.add(media)
    assert client.get(f"/cv/{person.slug}/photo").status_code == 404
    with session_factory.begin() as session:
        publish(session, person.candidate_id)
    html = client.get(f"/cv/{person.slug}").text
    assert f'src="/cv/{person.slug}/photo?v=1" alt="Photo d’Amina"' in html
    response = client.get(f"/cv/{person.slug}/photo")
    assert response.status_code == 200 and response.content == PHOTO
    assert response.headers["content-type"] == "image/jpeg"
    # The PDF embeds it (WeasyPrint fetches nothing but data: URLs).
    assert b"/Subtype /Image" in client.get(f"/cv/{person.slug}.pdf").content


def test_no_photo_in_the_version_means_none_on_the_page(
    client: TestClient, make_person: MakePerson, session_factory: sessionmaker[Session]
) -> None:
    person = make_person()
    with session_factory.begin() as session:
        session.add(
            Media(
                candidate_id=person.candidate_id,
                kind="photo",
                content_type="image/jpeg",
                data=PHOTO,
                size=len(PHOTO),
            )
        )
    assert "/photo" not in client.get(f"/cv/{person.slug}").text
    assert client.get(f"/cv/{person.slug}/photo").status_code == 404


def test_the_share_image_is_a_picture_of_the_cv_made_once(
    client: TestClient, make_person: MakePerson, session_factory: sessionmaker[Session]
) -> None:
    person = make_person()
    response = client.get(f"/cv/{person.slug}/share.png?v=1")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.size == SHARE_IMAGE_SIZE
        assert _ink(image) > 10
    assert client.get(f"/cv/{person.slug}/share.png").content == response.content
    with session_factory() as session:
        count = session.scalar(
            select(func.count()).select_from(CvRender).where(CvRender.kind == "share_png_fr")
        )
    assert count == 1


def test_the_share_image_draws_a_name_in_arabic_script(
    client: TestClient, make_person: MakePerson
) -> None:
    latin = make_person(catchphrase=None)
    arabic = make_person(person={"first_name": "أمينة"}, catchphrase=None)
    images = []
    for person in (latin, arabic):
        content = client.get(f"/cv/{person.slug}/share.png").content
        with Image.open(io.BytesIO(content)) as image:
            images.append(image.convert("L").crop((0, 0, 1200, 230)))
    # Same jobs, same layout: only the name differs, and it is drawn (not blank, not tofu-alike).
    assert _ink(images[1]) > 10
    assert images[0].tobytes() != images[1].tobytes()
