"""The public CV from the shell: ``tremplin cv show ID --format html|pdf`` and ``cv index``.

``cv show`` prints the page (or writes the PDF) of the published version when there is one, as
the public sees it; otherwise a preview of the current draft, which says so on stderr.
``cv index ID --on`` lets search engines index the candidate's page; ``--off`` (the default for
everyone) asks them not to.
"""

import sys
from pathlib import Path

from sqlalchemy import select

from bot.cv.document import find_candidate
from bot.public_cv.page import page_links, render_page
from bot.public_cv.pdf import PDF_TYPE, html_to_pdf
from bot.public_cv.published import PublishedCv, find_published, photo_of, set_indexing
from bot.public_cv.renders import cached_render
from bot.public_cv.view import cv_page
from bot.runtime.root import open_runtime
from bot.runtime.settings import Settings
from storage.models import CvDraft

__all__ = ["set_index", "show_public"]


def show_public(settings: Settings, key: str, fmt: str, output: Path | None, lang: str) -> int:
    """Print the HTML, or write the PDF, of a candidate's public CV (or of its preview)."""
    if fmt == "pdf" and output is None and sys.stdout.isatty():
        print("A PDF does not print on a terminal: add -o cv.pdf (or pipe it).", file=sys.stderr)
        return 2
    runtime = open_runtime(settings)
    try:
        with runtime.sessions() as session:
            candidate = find_candidate(session, key)
            if candidate is None:
                print(f"No candidate found for {key!r}. See: tremplin cv list", file=sys.stderr)
                return 1
            found = find_published(session, candidate.slug)
            if isinstance(found, PublishedCv):
                published = found
                photo = photo_of(session, published)
            else:
                draft = session.scalar(select(CvDraft).where(CvDraft.candidate_id == candidate.id))
                print("Not published: this is a preview of the current draft.", file=sys.stderr)
                published = PublishedCv(
                    candidate_id=candidate.id,
                    slug=candidate.slug,
                    number=0,
                    document=draft.document if draft else {},
                    noindex=True,
                    coach_id=candidate.coach_id,
                    photo_id=None,
                )
                photo = None
        cv = cv_page(published.document, lang, has_photo=photo is not None)
        links = page_links(settings.public_url, published.slug, lang, published.number)
        if fmt == "html":
            html = render_page(cv, links, noindex=published.noindex)
            if output is not None:
                output.write_text(html, encoding="utf-8")
            else:
                print(html)
            return 0

        def make() -> bytes:
            html = render_page(cv, links, noindex=published.noindex, for_pdf=True, photo=photo)
            return html_to_pdf(html, base_url=links.url)

        if published.number:
            data = cached_render(
                runtime.sessions,
                candidate_id=published.candidate_id,
                version=published.number,
                kind=f"pdf_{lang}",
                content_type=PDF_TYPE,
                make=make,
            )
        else:
            data = make()
        if output is not None:
            output.write_bytes(data)
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        return 0
    finally:
        runtime.close()


def set_index(settings: Settings, key: str, *, indexed: bool) -> int:
    """Let search engines index a candidate's public page (``--on``) or not (``--off``)."""
    runtime = open_runtime(settings)
    try:
        with runtime.sessions.begin() as session:
            candidate = find_candidate(session, key)
            if candidate is None:
                print(f"No candidate found for {key!r}. See: tremplin cv list", file=sys.stderr)
                return 1
            set_indexing(session, candidate.id, indexed=indexed)
            state = "may index" if indexed else "are asked not to index"
            print(f"Search engines {state} the public CV of {candidate.id}.")
        return 0
    finally:
        runtime.close()
