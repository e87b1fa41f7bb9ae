"""The web app for a process manager: ``uvicorn --factory bot.web.asgi:create --workers N``.

Each process calls ``create()`` once and gets its own runtime (engine, connection pool, inbox):
nothing is shared between processes but the database, which is what lets any number of them run
side by side (docs/deployment.md). This serves the webhooks and pages only; delivery runs in
``tremplin worker`` processes. Never pre-load it in a parent process that then forks (gunicorn
``--preload``): the children would share the parent's database connections.
"""

from starlette.applications import Starlette

from bot.runtime.root import open_runtime
from bot.runtime.settings import Settings
from bot.web.app import create_app

__all__ = ["create"]


def create() -> Starlette:
    """Settings from the environment, the schema brought to the latest migration, the app."""
    return create_app(open_runtime(Settings.from_env()))
