"""Logging in to the dashboard with an API key, once, and the check every page makes.

``POST /dashboard/login`` checks the key with the API's key store and answers with a session cookie holding a
signed token (:mod:`.session`), never the key. The cookie is HttpOnly (no script reads it), SameSite=Strict
(no other site's page or form sends it) and scoped to ``/dashboard``. It is not ``Secure``: the server
listens on plain http://127.0.0.1, where a browser would drop a Secure cookie; behind an HTTPS proxy the
proxy should add the flag. Every page depends on :func:`signed_in`: without a valid session it redirects
to the login form (and a revoked key's cookie is cleared).
"""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from shopmine.api.dashboard.render import page
from shopmine.api.dashboard.session import COOKIE, SESSION_SECONDS

router = APIRouter()

LOGIN = "/dashboard/login"
HOME = "/dashboard"
#: What the login form says after a redirect, by the ``reason`` it was given (never the query's own text).
REASONS = {"expired": "Your session expired; log in again.",
           "revoked": "The key you logged in with was revoked; log in with another key.",
           "invalid": "Your session is not valid here; log in again.",
           "logout": "You are logged out."}
#: Longer input is no key (keys are 43 characters).
MAX_KEY_CHARS = 200


class LoginRequired(Exception):
    """Raised by :func:`signed_in`; answered with a redirect to the login form."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


def _set_session(response: Response, token: str) -> None:
    # secure=False: see the module docstring (plain http on 127.0.0.1).
    response.set_cookie(COOKIE, token, max_age=SESSION_SECONDS, path=HOME, httponly=True, samesite="strict",
                        secure=False)


def _clear_session(response: Response) -> None:
    response.delete_cookie(COOKIE, path=HOME, httponly=True, samesite="strict", secure=False)


def signed_in(request: Request) -> str:
    """The name of the key the session logged in with; raise :class:`LoginRequired` otherwise."""
    state = request.app.state.sessions.check(request.cookies.get(COOKIE))
    if state.name is None:
        raise LoginRequired(state.problem)
    request.state.dashboard_user = state.name
    return state.name


def login_redirect(_request: Request, exc: LoginRequired) -> RedirectResponse:
    """The answer to :class:`LoginRequired`: to the login form, clearing a cookie that no longer logs in."""
    reason = exc.problem if exc.problem in REASONS else None
    response = RedirectResponse(LOGIN + (f"?reason={reason}" if reason else ""), status_code=303)
    if exc.problem != "missing":
        _clear_session(response)
    return response


@router.get("/login", include_in_schema=False)
def login_form(request: Request, reason: str | None = None):
    return page(request, "login.html", title="Log in", figures_on_page=False, message=REASONS.get(reason or ""),
                error=None)


@router.post("/login", include_in_schema=False)
async def login(request: Request):
    # The form is parsed here rather than with FastAPI's Form (which needs python-multipart for one field).
    try:
        fields = parse_qs((await request.body()).decode("utf-8", errors="replace"), max_num_fields=5)
    except ValueError:  # more fields than the form has: no key
        fields = {}
    key = (fields.get("key") or [""])[0].strip()
    found = request.app.state.keys.check(key) if 0 < len(key) <= MAX_KEY_CHARS else None
    if found is None:
        return page(request, "login.html", title="Log in", figures_on_page=False, status_code=401, message=None,
                    error="That is not an API key of this workspace (create one with `shopmine apikey create`).")
    if found.revoked is not None:
        return page(request, "login.html", title="Log in", figures_on_page=False, status_code=403, message=None,
                    error=f"The key {found.name} was revoked; use another key.")
    response = RedirectResponse(HOME, status_code=303)
    _set_session(response, request.app.state.sessions.issue(found))
    return response


@router.post("/logout", include_in_schema=False)
def logout() -> RedirectResponse:
    response = RedirectResponse(f"{LOGIN}?reason=logout", status_code=303)
    _clear_session(response)
    return response
