"""Reading a request's body with a size limit, for the endpoints anyone on the Internet can reach.

Starlette's ``request.body()`` reads whatever arrives; the webhooks and the public contact form
stop reading at their limit instead, so an oversized body costs no memory and gets a 413.
"""

from starlette.requests import Request

__all__ = ["FORM_TYPE", "media_type", "read_limited_body"]

FORM_TYPE = "application/x-www-form-urlencoded"


async def read_limited_body(request: Request, max_bytes: int) -> bytes | None:
    """The whole body, or None as soon as it grows past ``max_bytes``."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def media_type(request: Request) -> str:
    """The request's Content-Type without its parameters, lower case ("" when absent)."""
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()
