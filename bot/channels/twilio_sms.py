"""SMS over Twilio: webhooks in, REST deliveries out (being written)."""

from starlette.routing import BaseRoute

from bot.runtime import Runtime

__all__ = ["twilio_routes"]


def twilio_routes(runtime: Runtime) -> list[BaseRoute]:
    del runtime
    return []
