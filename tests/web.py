"""Starlette's TestClient, imported once for every web test.

Starlette now prefers the ``httpx2`` package and warns when it finds ``httpx``; warnings are errors
in this project, and httpx is what the project depends on, so that one warning is silenced here.
"""

import warnings

from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

__all__ = ["TestClient"]
