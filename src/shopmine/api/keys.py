"""API keys of a workspace: created once, stored only as keyed hashes in ``.secret/api_keys.json``.

A key is shown once, when it is created (``secrets.token_urlsafe(32)``: 43 URL-safe characters, 256 random
bits). What the workspace keeps is HMAC-SHA256 of the key under ``.secret/api_keys.key`` (a pepper of its
own, so that a copied ``api_keys.json`` alone cannot even be used to test guesses offline, and so that it
can be rotated without touching the signing or pseudonym keys). A presented key is checked against every
stored hash with :func:`hmac.compare_digest`, so the time taken says nothing about how close a guess was.
The file is rewritten atomically (write beside, then rename): a reader sees the old list or the new one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from shopmine.atomic import atomic_path
from shopmine.errors import ShopmineInputError

KEYS_FILE = "api_keys.json"
PEPPER_FILE = "api_keys.key"
#: Bytes of randomness in a key; token_urlsafe writes them as 43 characters.
KEY_BYTES = 32
#: A key name is typed on the command line and shown in listings: letters, digits, ``.``, ``_``, ``-``.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class ApiKey:
    """One stored key as listed: its name, when it was created, when it was revoked (None: in use)."""

    name: str
    created: str
    revoked: str | None = None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def secret_bytes(secret_dir: Path, filename: str) -> bytes:
    """32 random bytes kept in ``secret_dir/filename`` (mode 0600), made by the first process that needs them."""
    path = secret_dir / filename
    if not path.exists():
        secret_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            return path.read_bytes()
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
    return path.read_bytes()


def _pepper(secret_dir: Path) -> bytes:
    return secret_bytes(secret_dir, PEPPER_FILE)


def _digest(pepper: bytes, key: str) -> str:
    return hmac.new(pepper, key.encode("utf-8"), hashlib.sha256).hexdigest()


class KeyStore:
    """The API keys of the workspace whose ``.secret`` folder is ``secret_dir``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> store = KeyStore(pathlib.Path(tempfile.mkdtemp()) / ".secret")
    >>> key = store.create("shop-frontend")     # shown once; only its keyed hash is kept
    >>> len(key), store.check(key).name, store.check(key + "x")
    (43, 'shop-frontend', None)
    """

    def __init__(self, secret_dir: str | Path):
        self.secret_dir = Path(secret_dir)
        self.path = self.secret_dir / KEYS_FILE
        # (file's mtime, size, inode) -> its records and the pepper: a server checks a key per request, and
        # reads the file again only when a create or revoke (an atomic rename: a new inode) changed it.
        self._seen: tuple[tuple[int, int, int], list[dict], bytes] | None = None

    # -- reading ------------------------------------------------------------------------------
    def _records(self) -> list[dict]:
        if not self.path.exists():
            return []
        try:
            records = json.loads(self.path.read_text(encoding="utf-8"))["keys"]
        except (ValueError, KeyError, TypeError):
            raise ShopmineInputError(f"{self.path} is not a key list shopmine wrote; restore it or delete it and "
                                     "create new keys with `shopmine apikey create`.") from None
        return records

    def list(self) -> list[ApiKey]:
        """Every key, oldest first, without its hash."""
        return [ApiKey(r["name"], r["created"], r.get("revoked")) for r in self._records()]

    def check(self, key: str) -> ApiKey | None:
        """The stored key that ``key`` is (revoked or not), or None. Every stored hash is compared, in
        constant time each, whether or not an earlier one matched."""
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return None
        stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        if self._seen is None or self._seen[0] != stamp:
            self._seen = (stamp, self._records(), _pepper(self.secret_dir))
        _stamp, records, pepper = self._seen
        if not records:
            return None
        presented = _digest(pepper, key)
        found = None
        for record in records:
            if hmac.compare_digest(presented, record["hash"]):
                found = record
        return None if found is None else ApiKey(found["name"], found["created"], found.get("revoked"))

    # -- writing ------------------------------------------------------------------------------
    def _write(self, records: list[dict]) -> None:
        self.secret_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        with atomic_path(self.path) as tmp:
            os.chmod(tmp, 0o600)
            tmp.write_text(json.dumps({"keys": records}, indent=2) + "\n", encoding="utf-8")

    def create(self, name: str | None = None) -> str:
        """Store a new key named ``name`` (default ``key-N``) and return it: the only time it is seen.

        Raises
        ------
        ShopmineInputError
            When a key of that name exists (revoked ones too: a name always means one key), or the name
            has characters other than letters, digits, ``.``, ``_`` and ``-``.
        """
        records = self._records()
        names = {r["name"] for r in records}
        if name is None:
            number = len(records) + 1
            while f"key-{number}" in names:
                number += 1
            name = f"key-{number}"
        if not NAME.fullmatch(name):
            raise ShopmineInputError(f"{{name}}: {name[:70]!r} is not a key name; use up to 64 letters, digits, "
                                     "'.', '_' or '-'.", "name")
        if name in names:
            raise ShopmineInputError(f"{{name}}: a key named {name!r} exists already; choose another name (see "
                                     "`shopmine apikey list`).", "name")
        key = secrets.token_urlsafe(KEY_BYTES)
        records.append({"name": name, "created": _now(), "revoked": None,
                        "hash": _digest(_pepper(self.secret_dir), key)})
        self._write(records)
        return key

    def revoke(self, name: str) -> ApiKey:
        """Mark the key ``name`` revoked (requests with it get 403 from then on); return it.

        Raises
        ------
        ShopmineInputError
            When there is no key of that name.
        """
        records = self._records()
        for record in records:
            if record["name"] == name:
                if record.get("revoked") is None:
                    record["revoked"] = _now()
                    self._write(records)
                return ApiKey(record["name"], record["created"], record["revoked"])
        known = ", ".join(r["name"] for r in records) or "none yet"
        raise ShopmineInputError(f"{{name}}: no API key named {name[:70]!r} (keys: {known}).", "name")
