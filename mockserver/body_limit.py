"""Refuses request bodies larger than the family of their path allows.

The body it buffered stays readable for the whole request as `scope[RAW_BODY]`, for checks that
need the exact bytes (AK/SK signatures).
"""

from connexion.exceptions import ClientProblem
from starlette.types import ASGIApp, Message, Receive, Scope, Send

RAW_BODY = "ticketkit.raw_body"


class BodyTooLarge(ClientProblem):
    def __init__(self, limit: int) -> None:
        super().__init__(
            status=413, title="Payload Too Large", detail=f"the body exceeds {limit} bytes"
        )


class BodyLimitMiddleware:
    """Buffers each request body, up to the limit `limit_for(path)` gives, then replays it."""

    def __init__(self, app: ASGIApp, limit_for) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            raise BodyTooLarge(limit)
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                raise BodyTooLarge(limit)
            if not message.get("more_body", False):
                break
        scope[RAW_BODY] = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": scope[RAW_BODY], "more_body": False}

        await self.app(scope, replay, send)
