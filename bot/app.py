"""The web app: one Starlette application that the channel, coach and CV features extend."""

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import BaseRoute, Route

from bot.channels.twilio_sms import twilio_routes
from bot.locales_page import locales_routes
from bot.runtime import Runtime
from bot.simulator import simulator_routes

__all__ = ["create_app"]


def create_app(runtime: Runtime, *, simulator: bool = False) -> Starlette:
    """The app; ``simulator`` mounts the phone simulator (on when serving on loopback)."""

    async def healthz(request: Request) -> JSONResponse:
        """Liveness and readiness: the process answers and the database does too."""
        del request
        try:
            with runtime.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:  # noqa: BLE001 - any database failure means "not ready"
            return JSONResponse({"status": "error", "database": type(error).__name__}, 503)
        return JSONResponse({"status": "ok", "database": "ok"})

    async def index(request: Request) -> PlainTextResponse:
        del request
        return PlainTextResponse(
            "Tremplin is running. Health: /healthz. Try a conversation: tremplin chat\n"
        )

    routes: list[BaseRoute] = [Route("/healthz", healthz), Route("/", index)]
    routes += twilio_routes(runtime)
    routes += locales_routes()
    if simulator:
        routes += simulator_routes(runtime)
    app = Starlette(routes=routes)
    app.state.runtime = runtime
    return app
