"""Headers on every dashboard answer: a Content-Security-Policy that allows only the dashboard's own files.

No inline script, no other origin, no framing: a shop string that slipped past escaping would still run
nothing. Styles are the one exception: plotly.js writes ``<style>`` elements of its own when it draws
(their text is plotly's, not the page's), which ``style-src 'self'`` blocks with a console error each; a
style cannot run script, and the pages themselves have no inline style.
Pages are not cached (they show shop data behind a login); static files are.
"""

from __future__ import annotations

#: Path prefix of the dashboard.
PREFIX = "/dashboard"

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
COMMON = {"content-security-policy": CSP, "x-content-type-options": "nosniff", "referrer-policy": "no-referrer",
          "x-frame-options": "DENY"}


class DashboardHeaders:
    """ASGI middleware adding :data:`COMMON` (and ``Cache-Control: no-store`` outside ``/static``) to answers
    under :data:`PREFIX`."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == PREFIX or path.startswith(PREFIX + "/")):
            await self.app(scope, receive, send)
            return
        extra = dict(COMMON)
        if not path.startswith(PREFIX + "/static/"):
            extra["cache-control"] = "no-store"

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _value in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (name.encode(), value.encode()) for name, value in extra.items() if name.encode() not in names]
            await send(message)

        await self.app(scope, receive, send_with_headers)
