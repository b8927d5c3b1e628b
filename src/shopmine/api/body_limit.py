"""A limit on the size of request bodies (413 in the error envelope), as plain ASGI middleware.

The body is read up to the limit before the app sees it: a ``Content-Length`` over the limit is refused at
once, and a chunked body is counted as it arrives, so neither can make the server buffer more than the limit.
"""

from __future__ import annotations

import json

#: The default limit: ample for a batch of a few thousand rows to score.
DEFAULT_MAX_BODY_BYTES = 1_000_000


class BodySizeLimit:
    def __init__(self, app, max_bytes: int = DEFAULT_MAX_BODY_BYTES):
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, send) -> None:
        body = json.dumps({"error": {"code": "payload_too_large", "field": "body",
                                     "message": f"request body over {self.max_bytes:,} bytes; send fewer rows "
                                                "per request"}}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    return await self._refuse(send)
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return await self._refuse(send)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body, replayed = b"".join(chunks), False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect, as Starlette expects

        return await self.app(scope, replay, send)
