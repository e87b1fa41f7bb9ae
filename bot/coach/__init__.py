"""The coach workspace at /coach/: accounts, the dashboard, reviewing and publishing CVs.

``coach_routes(runtime)`` is what the app mounts. Each module has one concern: ``accounts``
(coaches, passwords, invitations), ``keys`` (the signing key every process shares), ``auth``
(sessions, cookies, CSRF), ``scope`` (who sees which candidate), ``state_store``
(changing a conversation under its lock), ``draft_view`` (the draft as the page shows it),
``editing``, ``review`` (comments, requests for changes, taking a candidate), ``dashboard``,
``analytics``, ``views`` (the HTTP endpoints), ``demo`` and ``cli``.
"""

from starlette.routing import BaseRoute

from bot.runtime.root import Runtime

__all__ = ["coach_routes"]


def coach_routes(runtime: Runtime) -> list[BaseRoute]:
    """The workspace's routes. Imported here, not at the package's import, so that modules the
    views use (``bot.cv.publishing`` imports ``bot.coach.state_store``) can be imported first."""
    from bot.coach.views import coach_routes as routes

    return routes(runtime)
