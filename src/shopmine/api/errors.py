"""The one JSON error envelope, ``{"error": {"code", "message", "field"}}``, for every error the API returns.

Handlers here cover the errors FastAPI and Starlette raise themselves (unknown route 404, 405, request
validation 422), the library's own input errors (422, naming the API field), the API's not-found and auth
errors, and anything unexpected (500, with no traceback, path or secret in the body: the server log has it).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shopmine.errors import ShopmineInputError
from shopmine.runs.integrity import RunIntegrityError

log = logging.getLogger("shopmine.api")

#: The ``code`` of each status the API answers with.
CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         413: "payload_too_large", 415: "unsupported_media_type", 422: "invalid_input", 500: "internal_error",
         503: "unavailable"}


class ApiError(Exception):
    """An answer other than 2xx, raised by a route: the status, a ``code`` (default from :data:`CODES`), a
    message that says what to do, and the request field at fault (None when it is not one field)."""

    def __init__(self, status: int, message: str, *, field: str | None = None, code: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.field = status, message, field
        self.code = code or CODES.get(status, "error")
        self.headers = headers


def envelope(status: int, message: str, field: str | None = None, code: str | None = None,
             headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code or CODES.get(status, "error"), "message": message,
                                   "field": field}}, status_code=status, headers=headers)


def _location(loc) -> str:
    """``("query", "k")`` -> ``query.k``; ``("body", "rows", 0, "x")`` -> ``body.rows.0.x``."""
    return ".".join(str(part) for part in loc)


def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    field = _location(first.get("loc", ())) or None
    message = f"{field}: {first.get('msg')}" if field else str(first.get("msg"))
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem(s))"
    return envelope(422, message, field)


def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    message = {404: "no such route; the API's routes are listed at /docs and /openapi.json",
               405: "method not allowed on this route; see /docs for the methods it takes"}.get(exc.status_code)
    return envelope(exc.status_code, message or str(exc.detail), headers=getattr(exc, "headers", None))


def _api(_request: Request, exc: ApiError) -> JSONResponse:
    return envelope(exc.status, exc.message, exc.field, exc.code, exc.headers)


#: Library parameter -> the API's name for it, where they differ (the one place, as cli/options.py for the CLI).
API_NAMES = {"data": "rows"}


def _api_name(parameter: str) -> str:
    return API_NAMES.get(parameter, parameter)


def _field(request: Request, parameter: str | None) -> str | None:
    """The request location of a library parameter (``category`` -> ``query.category``)."""
    if parameter is None:
        return None
    parameter = _api_name(parameter)
    if parameter in request.query_params:
        return f"query.{parameter}"
    if parameter in request.path_params:
        return f"path.{parameter}"
    return f"body.{parameter}" if request.method in ("POST", "PUT", "PATCH") else parameter


def _input(request: Request, exc: ShopmineInputError) -> JSONResponse:
    if isinstance(exc, RunIntegrityError):  # the workspace's files, not the request, are at fault
        log.error("saved run failed verification: %s", exc)
        return envelope(500, "a saved run behind this answer failed its integrity check; see `shopmine runs list` "
                             "on the server", code="run_integrity")
    # The library names its parameters ({k}); the API's fields carry the same names.
    return envelope(422, exc.render(_api_name), _field(request, exc.parameter))


def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return envelope(500, "internal error; the server log has the details")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(ApiError, _api)
    app.add_exception_handler(ShopmineInputError, _input)
    app.add_exception_handler(Exception, _unexpected)
