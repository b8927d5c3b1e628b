"""The dashboard's own files, open without a login (they hold no shop data): plotly.js from the plotly package
(no CDN; the version plotly.py writes its figures for), and the page script and style sheet."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import Response

from shopmine.report.pages import plotlyjs

router = APIRouter(prefix="/static")

#: Browsers keep the files a day, and ask again with the ETag after that.
CACHE = "public, max-age=86400"
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


@lru_cache(maxsize=None)
def _file(name: str) -> tuple[bytes, str]:
    """The bytes of static file ``name`` and their ETag, read once."""
    if name == "plotly.min.js":
        body = str(plotlyjs()).encode("utf-8")
    else:
        body = resources.files("shopmine.api.dashboard").joinpath("static", name).read_bytes()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _serve(request: Request, name: str) -> Response:
    body, etag = _file(name)
    headers = {"ETag": etag, "Cache-Control": CACHE}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=TYPES[name[name.rindex("."):]], headers=headers)


@router.get("/plotly.min.js", include_in_schema=False)
def plotly_js(request: Request) -> Response:
    return _serve(request, "plotly.min.js")


@router.get("/dashboard.js", include_in_schema=False)
def dashboard_js(request: Request) -> Response:
    return _serve(request, "dashboard.js")


@router.get("/dashboard.css", include_in_schema=False)
def dashboard_css(request: Request) -> Response:
    return _serve(request, "dashboard.css")
