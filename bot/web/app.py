"""The web app: one Starlette application that the channel, coach and CV features extend."""

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import BaseRoute, Route

from bot.channels import registry
from bot.coach.views import ROUTES as COACH_ROUTES
from bot.public_cv.routes import ROUTES as PUBLIC_CV_ROUTES
from bot.web.locales_page import locales_routes
from bot.web.templates import templates
from bot.web.unavailable import database_error_handlers
from storage import ping

if TYPE_CHECKING:  # the runtime builds this: only its type is needed here
    from bot.runtime.root import Runtime

__all__ = ["create_app"]


def create_app(runtime: "Runtime", *, simulator: bool = False) -> Starlette:
    """The app; ``simulator`` mounts the phone simulator (on when serving on loopback)."""

    async def healthz(request: Request) -> JSONResponse:
        """Liveness and readiness: the process answers and the database does too."""
        del request
        try:
            await run_in_threadpool(ping, runtime.engine)
        except Exception as error:  # noqa: BLE001 - any database failure means "not ready"
            return JSONResponse({"status": "error", "database": type(error).__name__}, 503)
        return JSONResponse({"status": "ok", "database": "ok"})

    async def index(request: Request) -> HTMLResponse:
        del request
        return HTMLResponse(templates().get_template("home.html").render(simulator=simulator))

    routes: list[BaseRoute] = [Route("/healthz", healthz), Route("/", index)]
    routes += registry.routes(runtime, local=simulator)
    routes += locales_routes()
    routes += PUBLIC_CV_ROUTES
    routes += COACH_ROUTES
    app = Starlette(routes=routes, exception_handlers=database_error_handlers())
    # What module-level endpoints read (bot/public_cv/routes.py): the app's own dependencies.
    app.state.settings = runtime.settings
    app.state.sessions = runtime.sessions
    app.state.clock = runtime.service.clock
    app.state.runtime = runtime  # the workspace's actions reach the service (bot/coach/views.py)
    return app
