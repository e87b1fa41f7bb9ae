"""The public CV's routes: the page, its PDF, photo and share image, shares and contact.

    GET  /cv/{slug}            the page (?lang=en for English labels)
    GET  /cv/{slug}.pdf        the PDF, made once per published version and language
    GET  /cv/{slug}/photo      the photo, only while the CV is published
    GET  /cv/{slug}/share.png  the picture social networks show (OpenGraph, Twitter)
    POST /cv/{slug}/share      counts one share (?network=linkedin…), nothing about who
    POST /cv/{slug}/contact    a message for the coach (form, honeypot, rate limits)

Every answer about a candidate says 404 when there is no published CV and 410 when there was
one. Pages of candidates who keep the default are not indexed (meta robots and X-Robots-Tag,
also on the PDF and the pictures). Answers are not cached by shared caches: an unpublished CV
must disappear at once.
"""

import logging
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote

from sqlalchemy.orm import Session, sessionmaker
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.public_cv.contact import (
    ContactInput,
    ContactState,
    is_bot,
    store_message,
    validate,
)
from bot.public_cv.labels import PL_, page_language
from bot.public_cv.mailer import MailError, contact_mail, send_mail, smtp_config
from bot.public_cv.page import content_security_policy, page_links, render_page, share_caption
from bot.public_cv.pdf import PDF_TYPE, PdfUnavailableError, html_to_pdf
from bot.public_cv.published import (
    SHARE_NETWORKS,
    PublishedCv,
    Unavailable,
    count_share,
    count_view,
    find_published,
    photo_of,
)
from bot.public_cv.renders import cached_render
from bot.public_cv.share_image import PNG_TYPE, share_image
from bot.public_cv.view import cv_page
from bot.runtime.settings import Settings
from bot.web.ratelimit import Limit, hashed_key, hit
from bot.web.request_body import FORM_TYPE, media_type, read_limited_body
from bot.web.templates import templates
from storage import Coach

if TYPE_CHECKING:  # the runtime builds this: only its type is needed here
    pass

__all__ = ["CONTACT_LIMITS", "ROUTES"]

log = logging.getLogger(__name__)

#: Per sender (their address, hashed): a few messages an hour. Per CV: enough for real interest,
#: too few to bury a coach's inbox.
CONTACT_LIMITS = (
    Limit("contact_sender", 5, timedelta(hours=1)),
    Limit("contact_cv", 30, timedelta(days=1)),
)
_MAX_FORM_BYTES = 32 * 1024
_NO_SHARED_CACHE = "private, no-cache"


def _robots(published: PublishedCv) -> dict[str, str]:
    headers = {"Cache-Control": _NO_SHARED_CACHE, "X-Content-Type-Options": "nosniff"}
    if published.noindex:
        headers["X-Robots-Tag"] = "noindex, nofollow"
    return headers


def _page_headers(published: PublishedCv, nonce: str) -> dict[str, str]:
    return {
        **_robots(published),
        "Content-Security-Policy": content_security_policy(nonce),
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }


def _unavailable(missing: Unavailable) -> HTMLResponse:
    gone = missing.status_code == 410
    html = templates().get_template("public_cv/unavailable.html").render(gone=gone)
    headers = {"X-Robots-Tag": "noindex", "Cache-Control": _NO_SHARED_CACHE}
    return HTMLResponse(html, missing.status_code, headers=headers)


async def _read_form(request: Request) -> dict[str, str] | None:
    """The url-encoded fields (first value of each), or None when the body is too large."""
    body = await read_limited_body(request, _MAX_FORM_BYTES)
    if body is None:
        return None
    if media_type(request) != FORM_TYPE:
        return {}
    fields: dict[str, str] = {}
    for name, value in parse_qsl(body.decode("utf-8", "replace"), True):
        fields.setdefault(name, value)
    return fields


@dataclass(frozen=True, slots=True)
class _Context:
    """What the public pages need, read from the application's state (``bot/web/app.py``)."""

    settings: Settings
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime]


def _context(request: Request) -> _Context:
    state = request.app.state
    return _Context(state.settings, state.sessions, state.clock)


def lookup(ctx: _Context, slug: str) -> PublishedCv | Unavailable:
    with ctx.sessions() as session:
        return find_published(session, slug)


async def _published(ctx: _Context, request: Request) -> PublishedCv | Response:
    """The CV the URL names, or the page that says it is gone (410) or was never there (404)."""
    found = await run_in_threadpool(lookup, ctx, request.path_params["slug"])
    return _unavailable(found) if isinstance(found, Unavailable) else found


def with_photo(ctx: _Context, published: PublishedCv) -> tuple[bytes, str] | None:
    with ctx.sessions() as session:
        return photo_of(session, published)


def page_html(
    ctx: _Context,
    published: PublishedCv,
    lang: str,
    nonce: str,
    *,
    contact: ContactState | None = None,
) -> str:
    cv = cv_page(published.document, lang, has_photo=published.photo_id is not None)
    links = page_links(ctx.settings.public_url, published.slug, lang, published.number)
    return render_page(cv, links, noindex=published.noindex, contact=contact, nonce=nonce)


def viewed(ctx: _Context, published: PublishedCv, lang: str, nonce: str, *, count: bool) -> str:
    html = page_html(ctx, published, lang, nonce)
    if count:
        with ctx.sessions.begin() as session:
            count_view(session, published.candidate_id)
    return html


async def page(request: Request) -> Response:
    ctx = _context(request)
    lang = page_language(request.query_params.get("lang"))
    published = await _published(ctx, request)
    if isinstance(published, Response):
        return published
    # A HEAD (a link checker, a crawler's probe) is not a reader.
    count = request.method == "GET"
    nonce = secrets.token_urlsafe(16)
    html = await run_in_threadpool(viewed, ctx, published, lang, nonce, count=count)
    return HTMLResponse(html, headers=_page_headers(published, nonce))


def make_pdf(ctx: _Context, published: PublishedCv, lang: str) -> bytes:
    def make() -> bytes:
        cv = cv_page(published.document, lang, has_photo=published.photo_id is not None)
        links = page_links(ctx.settings.public_url, published.slug, lang, published.number)
        html = render_page(
            cv, links, noindex=published.noindex, for_pdf=True, photo=with_photo(ctx, published)
        )
        return html_to_pdf(html, base_url=links.url)

    return cached_render(
        ctx.sessions,
        candidate_id=published.candidate_id,
        version=published.number,
        kind=f"pdf_{lang}",
        content_type=PDF_TYPE,
        make=make,
    )


async def pdf(request: Request) -> Response:
    ctx = _context(request)
    lang = page_language(request.query_params.get("lang"))
    published = await _published(ctx, request)
    if isinstance(published, Response):
        return published
    try:
        data = await run_in_threadpool(make_pdf, ctx, published, lang)
    except PdfUnavailableError as missing:
        # Said to the operator once per request; the visitor is told the PDF is not here.
        log.error("%s", missing)
        return PlainTextResponse(
            "Le PDF n'est pas disponible pour le moment. / The PDF is not available right now.",
            status_code=503,
        )
    cv = cv_page(published.document, lang)
    name = "-".join(cv.name.replace(".", "").split()) or "CV"
    headers = {
        **_robots(published),
        # An ASCII name for old browsers, the real one (Arabic, Cyrillic…) for the others.
        "Content-Disposition": f'inline; filename="CV-{_ascii(name)}.pdf"; '
        f"filename*=UTF-8''{quote(f'CV-{name}.pdf')}",
    }
    return Response(data, media_type=PDF_TYPE, headers=headers)


async def photo(request: Request) -> Response:
    ctx = _context(request)
    published = await _published(ctx, request)
    if isinstance(published, Response):
        return published
    found = await run_in_threadpool(with_photo, ctx, published)
    if found is None:
        return PlainTextResponse("No photo.", 404, headers={"X-Robots-Tag": "noindex"})
    data, content_type = found
    return Response(data, media_type=content_type, headers=_robots(published))


def make_image(ctx: _Context, published: PublishedCv, lang: str) -> bytes:
    return cached_render(
        ctx.sessions,
        candidate_id=published.candidate_id,
        version=published.number,
        kind=f"share_png_{lang}",
        content_type=PNG_TYPE,
        make=lambda: share_image(cv_page(published.document, lang), caption=share_caption(lang)),
    )


async def image(request: Request) -> Response:
    ctx = _context(request)
    lang = page_language(request.query_params.get("lang"))
    published = await _published(ctx, request)
    if isinstance(published, Response):
        return published
    data = await run_in_threadpool(make_image, ctx, published, lang)
    return Response(data, media_type=PNG_TYPE, headers=_robots(published))


def record_share(ctx: _Context, slug: str) -> int:
    with ctx.sessions.begin() as session:
        published = find_published(session, slug)
        if isinstance(published, Unavailable):
            return published.status_code
        count_share(session, published.candidate_id)
        return 204


async def share(request: Request) -> Response:
    ctx = _context(request)
    if request.query_params.get("network") not in SHARE_NETWORKS:
        return PlainTextResponse("Unknown network.", 400)
    status = await run_in_threadpool(record_share, ctx, request.path_params["slug"])
    return Response(status_code=status)


def take_contact(
    ctx: _Context, published: PublishedCv, form: dict[str, str], client: str
) -> tuple[int, ContactState, ContactInput | None, str | None]:
    """(status, what the form shows, the message to mail, the coach's address)."""
    now = ctx.clock()
    with ctx.sessions.begin() as session:
        sender = hashed_key(session, client, secret_key=ctx.settings.secret_key)
        if is_bot(form):
            # Looks sent to the program that filled the trap; nothing is kept but the hit.
            hit(session, CONTACT_LIMITS[0], sender, now=now)
            return 200, ContactState(sent=True), None, None
        contact, errors, values = validate(form)
        if contact is None:
            return 422, ContactState(values=values, errors=errors), None, None
        cv_key = hashed_key(session, published.candidate_id, secret_key=ctx.settings.secret_key)
        if not hit(session, CONTACT_LIMITS[0], sender, now=now) or not hit(
            session, CONTACT_LIMITS[1], cv_key, now=now
        ):
            errors = {"message": PL_("Trop de messages en peu de temps : réessayez plus tard.")}
            return 429, ContactState(values=values, errors=errors), None, None
        store_message(
            session,
            candidate_id=published.candidate_id,
            coach_id=published.coach_id,
            contact=contact,
            now=now,
        )
        coach = session.get(Coach, published.coach_id) if published.coach_id else None
        return 200, ContactState(sent=True), contact, coach.email if coach else None


async def contact(request: Request) -> Response:
    ctx = _context(request)
    lang = page_language(request.query_params.get("lang"))
    published = await _published(ctx, request)
    if isinstance(published, Response):
        return published
    form = await _read_form(request)
    if form is None:
        return PlainTextResponse("Request too large.", 413)
    client = request.client.host if request.client else "unknown"
    status, state, message, coach_email = await run_in_threadpool(
        take_contact, ctx, published, form, client
    )
    nonce = secrets.token_urlsafe(16)
    html = await run_in_threadpool(page_html, ctx, published, lang, nonce, contact=state)
    task = None
    if message is not None and coach_email:
        task = BackgroundTask(mail_coach, ctx, published, message, coach_email)
    headers = _page_headers(published, nonce)
    return HTMLResponse(html, status, headers=headers, background=task)


def deliver(ctx: _Context, published: PublishedCv, message: ContactInput, to: str) -> None:
    config = smtp_config(ctx.settings)
    if config is None:
        return
    cv = cv_page(published.document, "fr")
    mail = contact_mail(
        config,
        to=to,
        contact=message,
        candidate_name=cv.name,
        page_url=page_links(ctx.settings.public_url, published.slug, "fr", published.number).url,
        inbox_url=f"{ctx.settings.public_url}/coach/inbox",
    )
    try:
        send_mail(config, mail)
    except MailError as error:
        # The message is in the inbox; say so loudly, without its words or its sender.
        log.error("Contact message for candidate %s not mailed: %s", published.candidate_id, error)


async def mail_coach(ctx: _Context, published: PublishedCv, message: ContactInput, to: str) -> None:
    await run_in_threadpool(deliver, ctx, published, message, to)


ROUTES: list[BaseRoute] = [
    Route("/cv/{slug}.pdf", pdf, methods=["GET"], name="public-cv-pdf"),
    Route("/cv/{slug}/photo", photo, methods=["GET"], name="public-cv-photo"),
    Route("/cv/{slug}/share.png", image, methods=["GET"], name="public-cv-image"),
    Route("/cv/{slug}/share", share, methods=["POST"], name="public-cv-share"),
    Route("/cv/{slug}/contact", contact, methods=["POST"], name="public-cv-contact"),
    Route("/cv/{slug}", page, methods=["GET"], name="public-cv"),
]


def _ascii(name: str) -> str:
    """A file name any browser accepts in a header (the page shows the real name)."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "-".join(part for part in folded.split("-") if part.isalnum()) or "CV"
