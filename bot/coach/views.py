"""The HTTP endpoints of the coach workspace, mounted at /coach.

Every page needs a logged-in coach (else: the login page); every POST checks the CSRF token of
its form (else: 403); a candidate the coach may not see is "not found" (404), whether it exists
or not; a change to a candidate outside the coach's scope is refused (403). Database work runs
in the thread pool, never on the event loop. Pages are plain HTML, no script: they work on any
phone, and the Content-Security-Policy forbids scripts altogether.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from bot.coach import auth
from bot.coach.accounts import MIN_PASSWORD_LENGTH, AccountError, set_password, verify_password
from bot.coach.analytics import funnel, funnel_svg
from bot.coach.auth import Authenticated
from bot.coach.candidate_page import candidate_context
from bot.coach.dashboard import STATUS_LABELS, Filters, filter_options, list_candidates
from bot.coach.editing import EditError, apply_edits
from bot.coach.keys import signing_key
from bot.coach.review import MAX_COMMENT_LENGTH, ReviewError, add_comment, ask_for_changes
from bot.coach.review import take as take_candidate
from bot.coach.scope import can_change, in_scope
from bot.coach.steps import step_label
from bot.cv.publishing import PublishError, publish_candidate, unpublish_candidate
from bot.privacy.audit import audit
from bot.privacy.records import erase_candidate
from bot.public_cv.workspace import workspace_routes
from bot.web.ratelimit import Limit, hashed_key, is_limited, record_hit
from bot.web.templates import templates
from storage import Coach, utcnow

if TYPE_CHECKING:  # the runtime builds this: only its type is needed here
    from bot.runtime.root import Runtime

__all__ = ["ROUTES"]

_CSS = Path(__file__).resolve().parent.parent / "static" / "coach.css"
_PARIS = ZoneInfo("Europe/Paris")
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
_NOTICES = {
    "saved": "Modifications enregistrées (nouvelle version).",
    "nothing": "Rien n'a changé.",
    "commented": "Note ajoutée.",
    "asked": "Demande envoyée au candidat : la partie est rouverte dans sa conversation.",
    "published": "CV publié : le lien a été envoyé au candidat.",
    "published_silent": "CV publié. Le candidat n'a pas pu être prévenu (STOP ou aucun canal).",
    "unpublished": "Publication retirée.",
    "taken": "Vous accompagnez maintenant cette personne.",
    "password": "Mot de passe enregistré.",
    "erased": "Toutes les données de cette personne ont été effacées.",
}

_OUT_OF_SCOPE = "Cette personne n'est pas dans votre organisation : prenez-la en charge d'abord."

Handler = Callable[[Request, Authenticated], Awaitable[Response]]

# A few failures per e-mail; more per client address, which an association's people share.
LOGIN_BY_EMAIL = Limit("login_email", 5, timedelta(minutes=15))
LOGIN_BY_ADDRESS = Limit("login_address", 30, timedelta(minutes=15))


def _when(moment: datetime | None) -> str:
    return moment.astimezone(_PARIS).strftime("%d/%m/%Y %H:%M") if moment else ""


def _page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("me", None)
    context.setdefault("notice", None)
    context.setdefault("error", None)
    html = (
        templates()
        .get_template(name)
        .render(css="/coach/static/coach.css", when=_when, step_label=step_label, **context)
    )
    return HTMLResponse(html, status, headers=_HEADERS)


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, 303, headers={"Cache-Control": "no-store"})


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _part(form: FormData) -> int:
    try:
        return int(_field(form, "part"))
    except ValueError:
        return 0


@dataclass(slots=True)
class _Workspace:
    """What the workspace's endpoints read from the application's state: the runtime (its
    sessions, settings and service), whether cookies are Secure, and the signing key once read."""

    runtime: "Runtime"
    secure: bool
    key_holder: list[bytes] = field(default_factory=list)


def _workspace(request: Request) -> _Workspace:
    state = request.app.state
    found: _Workspace | None = getattr(state, "coach_workspace", None)
    if found is None:
        runtime = state.runtime
        secure = runtime.settings.public_url.lower().startswith("https://")
        found = state.coach_workspace = _Workspace(runtime, secure)
    return found


def key(ws: _Workspace) -> bytes:
    if not ws.key_holder:
        ws.key_holder.append(signing_key(ws.runtime.engine, ws.runtime.settings.secret_key))
    return ws.key_holder[0]


async def loaded_key(ws: _Workspace) -> bytes:
    """The key, read from the database off the event loop the first time."""
    if not ws.key_holder:
        await run_in_threadpool(key, ws)
    return ws.key_holder[0]


def set_cookie(
    ws: _Workspace, response: Response, name: str, value: str, max_age: int | None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/coach",
        httponly=True,
        samesite="lax",
        secure=ws.secure,
    )


def current(ws: _Workspace, token: str | None) -> Authenticated | None:
    if token is None:
        return None
    with ws.runtime.sessions() as session:
        return auth.load_session(session, token, now=utcnow())


def login_required(handler: Handler, *, password_page: bool = False) -> Callable[..., Any]:
    async def endpoint(request: Request) -> Response:
        ws = _workspace(request)
        token = auth.unsign(await loaded_key(ws), request.cookies.get(auth.SESSION_COOKIE))
        me = await run_in_threadpool(current, ws, token)
        if me is None:
            return _see_other("/coach/login")
        if me.must_change_password and not password_page:
            return _see_other("/coach/password")
        if request.method == "POST":
            form = await request.form()
            if not auth.csrf_matches(me.csrf, form.get("csrf")):
                return _page(
                    "coach_base.html",
                    403,
                    me=me,
                    error="Formulaire expiré : rechargez la page.",
                )
        return await handler(request, me)

    return endpoint


# Login, logout, password ----------------------------------------------------------------
async def login_form(
    ws: _Workspace,
    request: Request,
    *,
    email: str = "",
    error: str | None = None,
    status: int = 200,
) -> Response:
    login_token = auth.new_login_token()
    response = _page("coach_login.html", status, csrf=login_token, email=email, error=error)
    set_cookie(ws, response, auth.LOGIN_COOKIE, auth.sign(await loaded_key(ws), login_token), None)
    return response


async def login_page(request: Request) -> Response:
    ws = _workspace(request)
    return await login_form(ws, request)


def attempt_login(
    ws: _Workspace, email: str, password: str, address: str
) -> tuple[str, str | None]:
    """("ok", token) · ("limited", None) · ("bad", None); counted in the shared table."""
    now = utcnow()
    with ws.runtime.sessions.begin() as session:
        by_email = hashed_key(session, email, secret_key=ws.runtime.settings.secret_key)
        by_address = hashed_key(session, address, secret_key=ws.runtime.settings.secret_key)
        limited = is_limited(session, LOGIN_BY_EMAIL, by_email, now=now) or is_limited(
            session, LOGIN_BY_ADDRESS, by_address, now=now
        )
        if limited:
            return "limited", None
        coach = session.scalar(select(Coach).where(Coach.email == email))
        if coach is None or not verify_password(coach.password_hash, password):
            if coach is None:
                verify_password(None, password)  # as slow as a wrong password
            record_hit(session, LOGIN_BY_EMAIL, by_email, now=now)
            record_hit(session, LOGIN_BY_ADDRESS, by_address, now=now)
            return "bad", None
        token = auth.start_session(session, coach, now=now)
        audit(session, None, coach.id, "login", None, now)
        return "ok", token


async def login(request: Request) -> Response:
    ws = _workspace(request)
    form = await request.form()
    expected = auth.unsign(await loaded_key(ws), request.cookies.get(auth.LOGIN_COOKIE))
    email = _field(form, "email").strip().lower()
    if not auth.csrf_matches(expected, form.get("csrf")):
        return await login_form(
            ws, request, email=email, error="Formulaire expiré : réessayez.", status=403
        )
    address = request.client.host if request.client else "unknown"
    outcome, token = await run_in_threadpool(
        attempt_login, ws, email, _field(form, "password"), address
    )
    if outcome == "limited":
        return await login_form(
            ws,
            request,
            email=email,
            error="Trop de tentatives. Réessayez dans un quart d'heure.",
            status=429,
        )
    if outcome == "bad" or token is None:
        return await login_form(
            ws, request, email=email, error="E-mail ou mot de passe incorrect.", status=401
        )
    response = _see_other("/coach/")
    signed = auth.sign(await loaded_key(ws), token)
    set_cookie(
        ws, response, auth.SESSION_COOKIE, signed, int(auth.SESSION_LIFETIME.total_seconds())
    )
    response.delete_cookie(auth.LOGIN_COOKIE, path="/coach")
    return response


async def logout(request: Request, me: Authenticated) -> Response:
    ws = _workspace(request)
    token = auth.unsign(await loaded_key(ws), request.cookies.get(auth.SESSION_COOKIE))

    def end() -> None:
        with ws.runtime.sessions.begin() as session:
            if token is not None:
                auth.end_session(session, token)
            audit(session, None, me.coach_id, "logout", None, utcnow())

    await run_in_threadpool(end)
    response = _see_other("/coach/login")
    response.delete_cookie(auth.SESSION_COOKIE, path="/coach")
    return response


async def password_page(request: Request, me: Authenticated) -> Response:
    ws = _workspace(request)
    if request.method == "GET":
        return _page("coach_password.html", me=me, min_length=MIN_PASSWORD_LENGTH)
    form = await request.form()
    password, confirm = _field(form, "password"), _field(form, "confirm")
    if password != confirm:
        return _page(
            "coach_password.html",
            422,
            me=me,
            min_length=MIN_PASSWORD_LENGTH,
            error="Les deux mots de passe diffèrent.",
        )

    def change() -> None:
        with ws.runtime.sessions.begin() as session:
            coach = session.get(Coach, me.coach_id)
            assert coach is not None  # the session row cascades with the coach
            set_password(session, coach, password)

    try:
        await run_in_threadpool(change)
    except AccountError as error:
        return _page(
            "coach_password.html", 422, me=me, min_length=MIN_PASSWORD_LENGTH, error=str(error)
        )
    return _see_other("/coach/?notice=password")


# Dashboard and analytics ----------------------------------------------------------------
async def dashboard(request: Request, me: Authenticated) -> Response:
    ws = _workspace(request)
    params = request.query_params
    filters = Filters(
        status=params.get("status", ""),
        job=params.get("job", ""),
        department=params.get("department", ""),
        search=params.get("q", ""),
        queue=params.get("queue") == "1",
    )

    def read() -> dict[str, Any]:
        with ws.runtime.sessions() as session:
            jobs, departments = filter_options(session, me)
            return {
                "candidates": list_candidates(session, me, filters),
                "jobs": jobs,
                "departments": departments,
            }

    data = await run_in_threadpool(read)
    notice = _NOTICES.get(params.get("notice", ""))
    return _page(
        "coach_dashboard.html",
        me=me,
        filters=filters,
        statuses=STATUS_LABELS,
        notice=notice,
        **data,
    )


async def analytics(request: Request, me: Authenticated) -> Response:
    ws = _workspace(request)

    def read() -> Any:
        with ws.runtime.sessions() as session:
            return funnel(session, ws.runtime.service.flow, in_scope(me))

    figures = await run_in_threadpool(read)
    return _page("coach_analytics.html", me=me, funnel=figures, svg=funnel_svg(figures.steps))


# The candidate page and its actions -----------------------------------------------------
def candidate_response(
    ws: _Workspace,
    me: Authenticated,
    candidate_id: str,
    *,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    with ws.runtime.sessions() as session:
        context = candidate_context(session, me, candidate_id, ws.runtime.settings)
    if context is None:
        return _page("coach_base.html", 404, me=me, error="Candidat introuvable.")
    return _page(
        "coach_candidate.html",
        status,
        me=me,
        notice=notice,
        error=error,
        max_comment=MAX_COMMENT_LENGTH,
        erase_available=True,
        **context,
    )


async def candidate(request: Request, me: Authenticated) -> Response:
    ws = _workspace(request)
    candidate_id = request.path_params["candidate_id"]
    notice = _NOTICES.get(request.query_params.get("notice", ""))
    return await run_in_threadpool(candidate_response, ws, me, candidate_id, notice=notice)


def refused_outside_scope(ws: _Workspace, me: Authenticated, candidate_id: str) -> Response | None:
    """The 403 page when ``me`` may not change this candidate; None when it may."""
    with ws.runtime.sessions() as session:
        allowed = can_change(session, me, candidate_id)
    if allowed:
        return None
    return candidate_response(ws, me, candidate_id, error=_OUT_OF_SCOPE, status=403)


def action(work: Callable[["_Workspace", Authenticated, str, FormData], str]) -> Handler:
    """A POST on a candidate: refused outside scope; ``work`` returns a notice code or
    raises a ValueError whose message is shown on the page."""

    async def handler(request: Request, me: Authenticated) -> Response:
        ws = _workspace(request)
        candidate_id = request.path_params["candidate_id"]
        form = await request.form()

        def run() -> Response:
            refused = refused_outside_scope(ws, me, candidate_id)
            if refused is not None:
                return refused
            try:
                notice = work(ws, me, candidate_id, form)
            except (EditError, ReviewError, PublishError) as error:
                return candidate_response(ws, me, candidate_id, error=str(error), status=409)
            query = urlencode({"notice": notice})
            return _see_other(f"/coach/candidates/{candidate_id}?{query}")

        return await run_in_threadpool(run)

    return handler


def edit(ws: _Workspace, me: Authenticated, candidate_id: str, form: FormData) -> str:
    values = {name: value for name, value in form.items() if isinstance(value, str)}
    try:
        seen = int(values.get("version", ""))
    except ValueError:
        seen = None
    with ws.runtime.sessions.begin() as session:
        changed = apply_edits(
            session,
            candidate_id,
            _part(form),
            values,
            seen_version=seen,
            coach_id=me.coach_id,
            now=ws.runtime.service.clock(),
        )
    return "saved" if changed else "nothing"


def comment(ws: _Workspace, me: Authenticated, candidate_id: str, form: FormData) -> str:
    with ws.runtime.sessions.begin() as session:
        add_comment(
            session,
            candidate_id,
            me.coach_id,
            _part(form),
            _field(form, "comment"),
            now=ws.runtime.service.clock(),
        )
    return "commented"


def request_changes(ws: _Workspace, me: Authenticated, candidate_id: str, form: FormData) -> str:
    ask_for_changes(
        ws.runtime,
        candidate_id,
        me.coach_id,
        _part(form),
        _field(form, "comment"),
        now=ws.runtime.service.clock(),
        translation_follows=form.get("translation_follows") == "yes",
    )
    return "asked"


def publish(ws: _Workspace, me: Authenticated, candidate_id: str, form: FormData) -> str:
    del form
    published = publish_candidate(
        ws.runtime, candidate_id, coach_id=me.coach_id, now=ws.runtime.service.clock()
    )
    return "published" if published.notified else "published_silent"


def unpublish(ws: _Workspace, me: Authenticated, candidate_id: str, form: FormData) -> str:
    del form
    unpublish_candidate(
        ws.runtime, candidate_id, coach_id=me.coach_id, now=ws.runtime.service.clock()
    )
    return "unpublished"


async def take(request: Request, me: Authenticated) -> Response:
    ws = _workspace(request)
    candidate_id = request.path_params["candidate_id"]

    def run() -> Response:
        with ws.runtime.sessions.begin() as session:
            taken = take_candidate(
                session, candidate_id, me.coach_id, me.organisation_id, now=utcnow()
            )
        if not taken:
            return candidate_response(
                ws, me, candidate_id, error="Quelqu'un accompagne déjà cette personne.", status=409
            )
        return _see_other(f"/coach/candidates/{candidate_id}?notice=taken")

    return await run_in_threadpool(run)


async def erase(request: Request, me: Authenticated) -> Response:
    """Erase everything about the person (bot/privacy/records.py), once confirmed."""
    ws = _workspace(request)
    candidate_id = request.path_params["candidate_id"]
    form = await request.form()

    def run() -> Response:
        refused = refused_outside_scope(ws, me, candidate_id)
        if refused is not None:
            return refused
        if form.get("confirm") != "yes":
            message = "Cochez « Je confirme » pour effacer."
            return candidate_response(ws, me, candidate_id, error=message, status=409)
        with ws.runtime.sessions.begin() as session:
            erase_candidate(
                session.connection(), candidate_id, now=utcnow(), actor=f"coach:{me.coach_id}"
            )
        return _see_other("/coach/?notice=erased")

    return await run_in_threadpool(run)


async def stylesheet(request: Request) -> Response:
    del request
    return FileResponse(_CSS, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


async def root_redirect(request: Request) -> Response:
    del request
    return _see_other("/coach/")


_CANDIDATE = "/candidates/{candidate_id}"
_ROUTES: list[BaseRoute] = [
    Route("/", login_required(dashboard), methods=["GET"], name="coach-dashboard"),
    Route("/login", login_page, methods=["GET"], name="coach-login"),
    Route("/login", login, methods=["POST"]),
    Route("/logout", login_required(logout, password_page=True), methods=["POST"]),
    Route("/password", login_required(password_page, password_page=True), methods=["GET", "POST"]),
    Route("/analytics", login_required(analytics), methods=["GET"]),
    Route(_CANDIDATE, login_required(candidate), methods=["GET"]),
    Route(f"{_CANDIDATE}/edit", login_required(action(edit)), methods=["POST"]),
    Route(f"{_CANDIDATE}/comment", login_required(action(comment)), methods=["POST"]),
    Route(
        f"{_CANDIDATE}/request-changes",
        login_required(action(request_changes)),
        methods=["POST"],
    ),
    Route(f"{_CANDIDATE}/publish", login_required(action(publish)), methods=["POST"]),
    Route(f"{_CANDIDATE}/unpublish", login_required(action(unpublish)), methods=["POST"]),
    Route(f"{_CANDIDATE}/take", login_required(take), methods=["POST"]),
    Route(f"{_CANDIDATE}/erase", login_required(erase), methods=["POST"]),
    Route("/static/coach.css", stylesheet, methods=["GET"]),
]
_ROUTES += workspace_routes(login_required, _page)  # the inbox, public CV settings
ROUTES: list[BaseRoute] = [
    Route("/coach", root_redirect, methods=["GET"]),
    Mount("/coach", routes=_ROUTES),
]
