"""The dashboard's login session: a signed token in a cookie, so the API key itself never sits in the browser.

A token is ``NAME~CREATED~EXPIRES~MAC``: the name of the key that logged in, when that key was created, when
the session ends (Unix seconds), and HMAC-SHA256 of those three under the workspace's ``.secret/
dashboard_session.key`` (a key of its own: rotating it ends every session and touches no API key). The key's
creation time is in it so that a key made later under a reused name (after ``api_keys.json`` was deleted)
does not inherit the old key's sessions. Each request checks the MAC in constant time, the expiry, and the key
in the key store, so ``shopmine apikey revoke`` ends the key's dashboard sessions at the next request.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from shopmine.api.keys import ApiKey, KeyStore, secret_bytes

__all__ = ["COOKIE", "SESSION_SECONDS", "Sessions", "SessionState"]

#: The cookie that holds the token.
COOKIE = "shopmine_session"
#: How long a login lasts.
SESSION_SECONDS = 8 * 3600
SESSION_KEY_FILE = "dashboard_session.key"
# Neither a key name (letters, digits, '.', '_', '-'), an ISO time nor a number has one.
_SEP = "~"


@dataclass(frozen=True)
class SessionState:
    """What a cookie amounts to: the key's name when it logs in, else why not (``missing``, ``invalid``,
    ``expired``, ``revoked``)."""

    name: str | None
    problem: str | None = None


class Sessions:
    """Session tokens for the keys of ``store``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> store = KeyStore(pathlib.Path(tempfile.mkdtemp()) / ".secret")
    >>> sessions = Sessions(store)
    >>> token = sessions.issue(store.check(store.create("shop")))
    >>> sessions.check(token), sessions.check(token + "0").problem
    (SessionState(name='shop', problem=None), 'invalid')
    >>> _ = store.revoke("shop"); sessions.check(token).problem
    'revoked'
    """

    def __init__(self, store: KeyStore, seconds: int = SESSION_SECONDS):
        self.store, self.seconds = store, seconds

    def _mac(self, payload: str) -> str:
        key = secret_bytes(self.store.secret_dir, SESSION_KEY_FILE)
        return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()

    def issue(self, key: ApiKey) -> str:
        """A token for ``key`` (a key the store just checked), valid for ``seconds``."""
        payload = _SEP.join((key.name, key.created, str(int(time.time()) + self.seconds)))
        return f"{payload}{_SEP}{self._mac(payload)}"

    def check(self, token: str | None) -> SessionState:
        """Whether ``token`` logs in, and as which key."""
        if not token:
            return SessionState(None, "missing")
        parts = token.split(_SEP)
        if len(parts) != 4:
            return SessionState(None, "invalid")
        name, created, expires, mac = parts
        if not hmac.compare_digest(self._mac(_SEP.join((name, created, expires))), mac):
            return SessionState(None, "invalid")
        if not expires.isdigit() or int(expires) < time.time():
            return SessionState(None, "expired")
        found = next((k for k in self.store.list() if k.name == name and k.created == created), None)
        if found is None:
            return SessionState(None, "invalid")
        if found.revoked is not None:
            return SessionState(None, "revoked")
        return SessionState(name)
