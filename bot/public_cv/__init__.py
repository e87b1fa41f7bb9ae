"""The published CV: a page and a PDF an employer wants to read, shared without exposing the
candidate (issue #6). Mounted in ``bot/web/app.py`` with ``public_cv_routes(runtime)``."""

from bot.public_cv.routes import public_cv_routes

__all__ = ["public_cv_routes"]
