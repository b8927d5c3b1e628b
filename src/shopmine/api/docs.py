"""``/docs``: Swagger UI over ``/openapi.json``, every file served by the app itself (no CDN).

FastAPI's own ``/docs`` loads Swagger UI from a CDN and starts it with an inline script. Here the page loads
Swagger UI's files from the ``fastapi-offline`` package (which ships the swagger-ui dist files) and starts it
with ``docs_files/swagger-init.js``, under a Content-Security-Policy that allows the server's own origin only.
One exception: ``img-src`` also allows ``data:``, because Swagger UI's stylesheet draws its icons (the
arrows of a select, the lock of a secured route) as ``data:`` images inside the CSS; such an image comes from
no host and runs nothing.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from shopmine.api.errors import ApiError

__all__ = ["CSP", "install"]

#: Where the page and its files are.
DOCS = "/docs"
STATIC = DOCS + "/static"

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "X-Frame-Options": "DENY"}
#: Browsers keep the files a day, and ask again with the ETag after that.
CACHE = "public, max-age=86400"

#: name served under STATIC -> (package, file in it, media type)
FILES = {
    "swagger-ui-bundle.js": ("fastapi_offline", "static/swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
    "swagger-ui.css": ("fastapi_offline", "static/swagger-ui.css", "text/css; charset=utf-8"),
    "favicon.png": ("fastapi_offline", "static/favicon.png", "image/png"),
    "swagger-init.js": ("shopmine.api", "docs_files/swagger-init.js", "text/javascript; charset=utf-8"),
}

PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>shopmine API</title>
<link rel="icon" type="image/png" href="{STATIC}/favicon.png">
<link rel="stylesheet" href="{STATIC}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{STATIC}/swagger-ui-bundle.js"></script>
<script src="{STATIC}/swagger-init.js"></script>
</body>
</html>
"""

router = APIRouter()


@lru_cache(maxsize=None)
def _file(name: str) -> tuple[bytes, str, str]:
    """The bytes of static file ``name``, their ETag and media type, read once."""
    package, path, media_type = FILES[name]
    body = resources.files(package).joinpath(path).read_bytes()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"', media_type


@router.get(DOCS, include_in_schema=False)
def docs() -> HTMLResponse:
    return HTMLResponse(PAGE, headers={**HEADERS, "Cache-Control": "no-cache"})


@router.get(STATIC + "/{name}", include_in_schema=False)
def static(request: Request, name: str) -> Response:
    if name not in FILES:
        raise ApiError(404, f"no file {name[:80]!r} in {STATIC}")
    body, etag, media_type = _file(name)
    headers = {**HEADERS, "ETag": etag, "Cache-Control": CACHE}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def install(app: FastAPI) -> None:
    """Serve ``/docs`` and its files from ``app`` (made with ``docs_url=None``)."""
    app.include_router(router)
