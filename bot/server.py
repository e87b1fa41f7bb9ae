"""``tremplin serve``: the web app on uvicorn, with the schema migrated first."""

import uvicorn

from bot.app import create_app
from bot.runtime import open_runtime
from bot.settings import Settings

__all__ = ["serve"]


def serve(settings: Settings, *, host: str, port: int, worker: bool) -> int:
    del worker  # in-process delivery starts with the first outbox channel (SMS, Telegram)
    runtime = open_runtime(settings)
    print(f"Tremplin is listening on http://{host}:{port}  (health: /healthz)", flush=True)
    try:
        uvicorn.run(create_app(runtime), host=host, port=port, log_level="warning")
    finally:
        runtime.close()
    return 0
