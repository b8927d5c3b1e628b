"""API-key authentication: ``X-API-Key: KEY`` or ``Authorization: Bearer KEY`` on every route under /v1.

401 when no key is sent or the key is not one of the workspace's, 403 when it was revoked. Keys are read
from the workspace at each request (a small file), so ``shopmine apikey revoke`` takes effect at once.
"""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from shopmine.api.errors import ApiError

# auto_error=False: a missing key is answered in the API's envelope, not FastAPI's own 403.
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key from `shopmine apikey create`.")
_bearer = HTTPBearer(auto_error=False, description="The same API key, as a bearer token.")

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="shopmine"'}


def require_key(request: Request, header: str | None = Depends(_header),
                bearer: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> str:
    """The name of the key the request sent; raise 401/403 otherwise."""
    key = header or (bearer.credentials if bearer is not None else None)
    if not key:
        raise ApiError(401, "an API key is needed: send it as X-API-Key or Authorization: Bearer (create one with "
                            "`shopmine apikey create`)", code="unauthorized", headers=_CHALLENGE)
    found = request.app.state.keys.check(key)
    if found is None:
        raise ApiError(401, "unknown API key", code="unauthorized", headers=_CHALLENGE)
    if found.revoked is not None:
        raise ApiError(403, f"API key {found.name} was revoked", code="forbidden")
    return found.name
