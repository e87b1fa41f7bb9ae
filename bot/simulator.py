"""The phone simulator at /simulator (being written)."""

from starlette.routing import BaseRoute

from bot.runtime import Runtime

__all__ = ["simulator_routes"]


def simulator_routes(runtime: Runtime) -> list[BaseRoute]:
    del runtime
    return []
