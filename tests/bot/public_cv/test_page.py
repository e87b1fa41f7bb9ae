"""The public page through the real app and database: what it shows, in which order and
language, what it never shows, and when it is there at all."""

import re
from html import unescape
from html.parser import HTMLParser

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.public_cv.published import set_indexing
from storage import Candidate, CvDraft
from tests.bot.public_cv.conftest import PUBLIC_URL, MakePerson, assert_private
from tests.bot.public_cv.publishing import publish, unpublish
from tests.web import TestClient


class _Meta(HTMLParser):
    """The <meta> tags of a page (name or property → content) and its visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta":
            key = values.get("property") or values.get("name")
            if key:
                self.meta[key] = values.get("content") or ""
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.text.append(data.strip())


def _parsed(html: str) -> _Meta:
    parser = _Meta()
    parser.feed(html)
    return parser


def test_the_page_reads_as_a_french_cv_in_the_order_employers_read(
    client: TestClient, make_person: MakePerson
) -> None:
    person = make_person()
    response = client.get(f"/cv/{person.slug}")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="fr">' in html
    page = _parsed(html)
    text = " ".join(page.text)
    assert "Amina D." in text
    headings = re.findall(r"<h2 id=\"h-[a-z]+\">([^<]+)</h2>", html)
    assert headings[:8] == [
        "Mon histoire",
        "Métiers recherchés",
        "Compétences",
        "Expériences",
        "Formations",
        "Langues",
        "Disponibilité et mobilité",
        "Centres d’intérêt",
    ]
    # The catchphrase comes before the story, under the name.
    assert text.index("Sérieuse et rapide") < text.index("arrivée en France en 2022")
    # Codes in French; free texts in their French version; one without keeps its words.
    for shown in (
        "Cuisinier / Cuisinière",
        "pâtissière",
        "Cuisson des aliments",
        "Aide-cuisinière",
        "Kaboul, Afghanistan",
        "mars 2019 – 2021",
        "CAP cuisine",
        "GRETA",
        "France",
        "Dari",
        "Langue maternelle",
        "Intermédiaire",
        "Anglais",
        "Notions",
        "CDI, Intérim",
        "Temps plein",
        "Disponible à partir du 1er mars 2027",
        "Bus, métro, train, Vélo",
        "Le football",
    ):
        assert shown in text, shown
    assert "کمک آشپز" not in html and "فوتبال" not in html


def test_a_text_without_french_version_keeps_its_words_marked_with_their_language(
    client: TestClient, make_person: MakePerson
) -> None:
    person = make_person(catchphrase={"text": "جدی و سریع", "lang": "prs", "fr": None})
    html = client.get(f"/cv/{person.slug}").text
    assert '<q lang="prs" dir="auto">جدی و سریع</q>' in html


def test_english_labels_at_lang_en_with_free_text_still_in_french(
    client: TestClient, make_person: MakePerson
) -> None:
    person = make_person()
    html = client.get(f"/cv/{person.slug}?lang=en").text
    assert '<html lang="en">' in html
    text = " ".join(_parsed(html).text)
    for shown in ("Jobs sought", "Skills", "Cook", "Cooking", "Native language", "Dari", "French"):
        assert shown in text, shown
    assert "Available from March 1, 2027" in text
    # Free text stays in its French version, marked as French on the English page.
    assert '<span lang="fr" dir="auto">Aide-cuisinière</span>' in html
    assert "Métiers recherchés" not in text


def test_nothing_private_on_the_page_or_in_its_metadata(
    client: TestClient, make_person: MakePerson
) -> None:
    person = make_person()
    for lang in ("fr", "en"):
        html = client.get(f"/cv/{person.slug}?lang={lang}").text
        assert_private(html)
        meta = _parsed(html).meta
        assert_private(" ".join(meta.values()))
    # The redactions leave the rest of the sentences.
    assert "Je suis Amina D., arrivée en France en 2022." in html
    assert "Écrivez-moi : … ou au …" in html
    assert "J'habite …, puis J habite … à Lyon." in unescape(html)
    # The street address becomes its postal code; a plain town stays.
    assert "93200, Paris" in html


def test_share_metadata_describes_the_cv_with_absolute_urls(
    client: TestClient, make_person: MakePerson
) -> None:
    person = make_person()
    meta = _parsed(client.get(f"/cv/{person.slug}").text).meta
    assert meta["og:title"] == "Amina D. · Cuisinier / Cuisinière"
    assert meta["og:description"] == "Sérieuse et rapide"
    assert meta["og:url"] == f"{PUBLIC_URL}/cv/{person.slug}"
    assert meta["og:image"] == f"{PUBLIC_URL}/cv/{person.slug}/share.png?v=1"
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["twitter:image"] == meta["og:image"]
    assert meta["og:image:alt"] and meta["og:locale"] == "fr_FR"


def test_share_links_for_each_network_carry_the_page_url(
    client: TestClient, make_person: MakePerson
) -> None:
    person = make_person()
    html = client.get(f"/cv/{person.slug}").text
    encoded = f"https%3A%2F%2Ftremplin.example%2Fcv%2F{person.slug}"
    assert f"https://www.linkedin.com/sharing/share-offsite/?url={encoded}" in html
    assert f"https://www.facebook.com/sharer/sharer.php?u={encoded}" in html
    assert "https://wa.me/?text=" in html and encoded in html
    assert 'href="mailto:?subject=' in html
    assert 'id="copy-link"' in html and f'value="{PUBLIC_URL}/cv/{person.slug}"' in html


def test_not_indexed_by_default_and_the_coach_can_switch_it(
    client: TestClient, make_person: MakePerson, session_factory: sessionmaker[Session]
) -> None:
    person = make_person()
    response = client.get(f"/cv/{person.slug}")
    assert response.headers["x-robots-tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in response.text
    with session_factory.begin() as session:
        assert set_indexing(session, person.candidate_id, indexed=True)
    response = client.get(f"/cv/{person.slug}")
    assert "x-robots-tag" not in response.headers
    assert 'name="robots"' not in response.text
    with session_factory.begin() as session:
        set_indexing(session, person.candidate_id, indexed=False)
    assert client.get(f"/cv/{person.slug}.pdf").headers["x-robots-tag"] == "noindex, nofollow"


def test_never_published_is_not_found_and_unpublished_is_gone(
    client: TestClient, make_person: MakePerson, session_factory: sessionmaker[Session]
) -> None:
    draft_only = make_person(published=False)
    person = make_person()
    for path in ("", ".pdf", "/share.png", "/photo"):
        assert client.get(f"/cv/{draft_only.slug}{path}").status_code == 404
        assert client.get(f"/cv/no-such-slug-at-all{path}").status_code == 404
    with session_factory.begin() as session:
        unpublish(session, person.candidate_id)
    for path in ("", ".pdf", "/share.png", "/photo"):
        response = client.get(f"/cv/{person.slug}{path}")
        assert response.status_code == 410, path
        assert "Amina" not in response.text
    assert client.post(f"/cv/{person.slug}/share?network=copy").status_code == 410
    assert client.post(f"/cv/{person.slug}/contact", data={"name": "x"}).status_code == 410


def test_the_page_is_the_frozen_version_until_published_again(
    client: TestClient, make_person: MakePerson, session_factory: sessionmaker[Session]
) -> None:
    person = make_person()
    with session_factory.begin() as session:
        draft = session.scalars(
            select(CvDraft).where(CvDraft.candidate_id == person.candidate_id)
        ).one()
        document = {**draft.document, "cv": {**draft.document["cv"]}}
        document["cv"]["catchphrase"] = {"text": "Toujours à l'heure", "lang": "fr"}
        draft.document = document
    html = client.get(f"/cv/{person.slug}").text
    assert "Sérieuse et rapide" in html and "Toujours à l" not in html
    with session_factory.begin() as session:
        assert publish(session, person.candidate_id) == 2
    html = client.get(f"/cv/{person.slug}").text
    assert "Toujours à l&#39;heure" in html and "Sérieuse et rapide" not in html
    assert f"/cv/{person.slug}/share.png?v=2" in html


def test_views_and_shares_are_counted_and_nothing_about_the_viewer(
    client: TestClient, make_person: MakePerson, session_factory: sessionmaker[Session]
) -> None:
    person = make_person()
    for _ in range(3):
        client.get(f"/cv/{person.slug}", headers={"User-Agent": "Employer/1.0"})
    assert client.head(f"/cv/{person.slug}").status_code == 200  # a link checker: not a reader
    assert client.post(f"/cv/{person.slug}/share?network=linkedin").status_code == 204
    assert client.post(f"/cv/{person.slug}/share?network=copy").status_code == 204
    assert client.post(f"/cv/{person.slug}/share?network=evil").status_code == 400
    with session_factory() as session:
        candidate = session.get_one(Candidate, person.candidate_id)
        assert (candidate.cv_views, candidate.cv_shares) == (3, 2)


def test_the_slug_is_unguessable(make_person: MakePerson) -> None:
    slugs = {make_person().slug for _ in range(3)}
    assert len(slugs) == 3
    assert all(len(slug) >= 22 and re.fullmatch(r"[A-Za-z0-9_-]+", slug) for slug in slugs)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_page_is_accessible_markup(
    client: TestClient, make_person: MakePerson, lang: str
) -> None:
    """What axe cannot run without a browser is checked in test_browser.py; here the basics."""
    person = make_person()
    html = client.get(f"/cv/{person.slug}?lang={lang}").text
    assert html.count("<h1") == 1 and "<main" in html
    for field in ("name", "email", "organisation", "message", "website"):
        assert f'<label for="contact-{field}">' in html
    assert '<nav class="topbar no-print" aria-label=' in html


def test_only_the_page_own_style_and_script_may_run(
    client: TestClient, make_person: MakePerson
) -> None:
    person = make_person(catchphrase={"text": "<script>alert(1)</script>", "lang": "fr"})
    first, second = (client.get(f"/cv/{person.slug}") for _ in range(2))
    policy = first.headers["content-security-policy"]
    nonce = re.search(r"script-src 'nonce-([^']+)'", policy)
    assert nonce is not None and f'<script nonce="{nonce.group(1)}">' in first.text
    assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy
    assert second.headers["content-security-policy"] != policy  # a new nonce each time
    assert "<script>alert(1)</script>" not in first.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in first.text


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("Au 12 rue de la Paix, je cuisine.", "Au …, je cuisine."),
        ("J'habite 5 bis av. Foch", "J'habite …"),
        ("habite 14 impase des Lilas", "habite …"),
        ("живу на вул. Шевченка, 5 в Києві", "живу на … в Києві"),
        ("أسكن في 12 شارع الحرية", "أسكن في …"),
        ("I live at 221 Baker Street, London", "I live at …, London"),
    ],
)
def test_street_addresses_are_hidden_in_every_language_even_in_the_share_text(
    client: TestClient, make_person: MakePerson, written: str, shown: str
) -> None:
    person = make_person(catchphrase={"text": written, "lang": "fr", "fr": None})
    html = client.get(f"/cv/{person.slug}").text
    meta = _parsed(html).meta
    assert meta["og:description"] == shown
    assert shown in unescape(html)


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("Kaboul, Afghanistan", "Kaboul, Afghanistan"),
        ("Kaboul Afghanistan", "Kaboul, Afghanistan"),
        ("Afghanistan", "Afghanistan"),
        ("Kaboul", "Kaboul, Afghanistan"),
    ],
)
def test_the_country_of_a_past_job_is_written_once(
    client: TestClient, make_person: MakePerson, typed: str, shown: str
) -> None:
    experience = {
        "title": {"text": "Aide-cuisinière", "lang": "fr"},
        "location": {"text": typed, "lang": "fr"},
        "country": "AF",
        "start": "2019-03",
    }
    person = make_person(experiences=[experience])
    text = " ".join(_parsed(client.get(f"/cv/{person.slug}").text).text)
    assert shown in text
    assert text.count("Afghanistan") == 1


def test_a_last_name_in_another_script_is_hidden_in_latin_letters_too(
    client: TestClient, make_person: MakePerson
) -> None:
    story = {
        "text": "Я Олена Коваленко.",
        "lang": "uk",
        "fr": "Je suis Olena Kovalenko, cuisinière. Коваленко aussi.",
    }
    person = make_person(
        person={"first_name": "Олена", "first_name_latin": "Olena", "last_name": "Коваленко"},
        story=story,
    )
    text = unescape(client.get(f"/cv/{person.slug}").text)
    assert "Olena K." in text  # the initial in Latin letters, like the first name
    assert "Je suis Olena K., cuisinière. К. aussi." in text
    assert "Kovalenko" not in text and "Коваленко" not in text and "Олена" not in text
