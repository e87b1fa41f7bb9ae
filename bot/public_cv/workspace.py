"""The public CV's part of the coach workspace: the inbox of contact messages, the public
page's counters on the candidate page, and the switch that lets search engines index it.

The routes reuse the workspace's own login and CSRF check (``login_required``) and page
renderer, which ``bot/coach/views.py`` passes in; scope is the workspace's (``bot.coach.scope``):
a coach reads the messages about the candidates they may see, and changes only those they may
change.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, or_
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.coach.auth import Authenticated
from bot.coach.scope import can_change, in_scope, unassigned
from bot.public_cv.inbox import inbox_messages, mark_read, unread_count
from bot.public_cv.published import set_indexing
from storage import utcnow

__all__ = ["INBOX_PATH", "workspace_routes"]

#: Where the inbox is, under the workspace's mount (/coach).
INBOX_PATH = "/inbox"

LoginRequired = Callable[..., Callable[..., Any]]
RenderPage = Callable[..., Response]


def _visible(me: Authenticated) -> ColumnElement[bool]:
    return or_(in_scope(me), unassigned())


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, 303, headers={"Cache-Control": "no-store"})


def workspace_routes(login_required: LoginRequired, page: RenderPage) -> list[BaseRoute]:
    """Routes to add under the workspace's mount; they read the sessions and settings from the
    application's state, as the workspace's own endpoints do."""

    async def inbox(request: Request, me: Authenticated) -> Response:
        sessions, settings = request.app.state.sessions, request.app.state.settings
        unread_only = request.query_params.get("unread") == "1"

        def read() -> dict[str, Any]:
            with sessions() as session:
                return {
                    "messages": inbox_messages(session, _visible(me), unread_only=unread_only),
                    "unread": unread_count(session, _visible(me)),
                }

        data = await run_in_threadpool(read)
        return page(
            "public_cv/coach_inbox.html",
            me=me,
            unread_only=unread_only,
            public_url=settings.public_url,
            **data,
        )

    async def read_message(request: Request, me: Authenticated) -> Response:
        sessions = request.app.state.sessions
        message_id = request.path_params["message_id"]

        def mark() -> bool:
            with sessions.begin() as session:
                return mark_read(session, message_id, _visible(me), now=utcnow())

        if not await run_in_threadpool(mark):
            return page("coach_base.html", 404, me=me, error="Message introuvable.")
        return _see_other(f"/coach{INBOX_PATH}")

    async def indexing(request: Request, me: Authenticated) -> Response:
        sessions = request.app.state.sessions
        candidate_id = request.path_params["candidate_id"]
        form = await request.form()
        indexed = form.get("indexed") == "1"

        def switch() -> bool:
            with sessions.begin() as session:
                if not can_change(session, me, candidate_id):
                    return False
                return set_indexing(session, candidate_id, indexed=indexed)

        if not await run_in_threadpool(switch):
            return page("coach_base.html", 403, me=me, error="Cette personne n'est pas suivie ici.")
        query = urlencode({"notice": "indexed" if indexed else "not_indexed"})
        return _see_other(f"/coach/candidates/{candidate_id}?{query}#public-cv")

    return [
        Route(INBOX_PATH, login_required(inbox), methods=["GET"], name="coach-inbox"),
        Route(f"{INBOX_PATH}/{{message_id}}/read", login_required(read_message), methods=["POST"]),
        Route("/candidates/{candidate_id}/indexing", login_required(indexing), methods=["POST"]),
    ]
