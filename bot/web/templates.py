"""The Jinja2 environment of every server-rendered page (autoescaped: pages show people's words)."""

from functools import cache

from jinja2 import Environment, PackageLoader

__all__ = ["templates"]


@cache
def templates() -> Environment:
    return Environment(loader=PackageLoader("bot", "templates"), autoescape=True)
