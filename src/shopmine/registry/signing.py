"""Keyed signatures of model folders: HMAC-SHA256 with a secret that never sits beside the model.

A plain checksum only proves that a file matches the checksum written next to it; whoever replaces the
file rewrites the checksum too. The registry therefore signs each version's record (``metadata.json``,
which holds the SHA-256 of every model file, the format, the name, the version and the caller's metadata)
with HMAC-SHA256 under a secret key, and verifies the signature before it reads a model file.

Where the key lives:

- in a workspace: ``<workspace>/.secret/signing.key`` (folder 0700, file 0600). It is a separate file
  from ``pseudonym.key`` so that either can be rotated, or shared with a colleague, without the other;
- outside a workspace: the user's key ``$SHOPMINE_HOME/signing.key`` (default
  ``~/.config/shopmine/signing.key``), created 0600 on first use.

The key is never stored inside a model folder: an attacker who replaces the folder would replace the key
with it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shopmine.errors import ShopmineInputError

#: Environment variable naming the folder of the per-user key.
HOME_ENV = "SHOPMINE_HOME"
KEY_FILE = "signing.key"
SIGNATURE_FIELD = "signature"
ALGORITHM = "hmac-sha256"
_KEY_BYTES = 32


@dataclass(frozen=True)
class SigningKey:
    """A secret key and where it came from (for messages; the secret is never shown).

    Parameters
    ----------
    secret : bytes
        The key.
    source : str
        Whose key it is, e.g. ``"the workspace /shop"`` or ``"this user"``.
    path : pathlib.Path
        The key file.
    """

    secret: bytes = field(repr=False)
    source: str
    path: Path

    @property
    def key_id(self) -> str:
        """A short public fingerprint, to tell keys apart in messages without revealing them."""
        return hmac.new(self.secret, b"shopmine signing key id", hashlib.sha256).hexdigest()[:16]

    def describe(self) -> str:
        """``"the signing key of <source>, <path> (key id <id>)"``."""
        return f"the signing key of {self.source}, {self.path} (key id {self.key_id})"


def load_or_create_key(path: str | Path, source: str) -> SigningKey:
    """Read the key file ``path``, creating it (0600, folder 0700) with a random key when missing.

    Creation is atomic: the key is written to a private temporary file and linked into place, so
    two processes starting at once end up with the same key and nobody reads a half-written one.

    Parameters
    ----------
    path : path
        The key file.
    source : str
        What the key belongs to, for messages.

    Returns
    -------
    SigningKey

    Raises
    ------
    ShopmineInputError
        When the key file cannot be read or created, or does not hold a key.
    """
    path = Path(path)
    try:
        if not path.exists():
            _create_key(path)
        secret = path.read_bytes()
    except OSError as exc:
        raise ShopmineInputError(
            f"cannot read or create the signing key {path}: {exc.strerror or exc}. Check the folder's "
            f"permissions."
        ) from None
    if len(secret) < _KEY_BYTES:
        raise ShopmineInputError(
            f"the signing key {path} holds {len(secret)} bytes, fewer than {_KEY_BYTES}: it is damaged. "
            f"Delete it and re-fit the models it signed."
        )
    return SigningKey(secret, source, path)


def _create_key(path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(_KEY_BYTES))
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # fails if another process created the key first; then we use theirs
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)


def user_key_path() -> Path:
    """The per-user key file: ``$SHOPMINE_HOME/signing.key``, default ``~/.config/shopmine/``."""
    home = os.environ.get(HOME_ENV)
    folder = Path(home).expanduser() if home else Path.home() / ".config" / "shopmine"
    return folder / KEY_FILE


def user_key() -> SigningKey:
    """The current user's signing key, for model folders outside any workspace (created when missing).

    Returns
    -------
    SigningKey
    """
    path = user_key_path()
    return load_or_create_key(path, "this user")


# -- signing records ---------------------------------------------------------------------------
def _canonical(record: dict[str, Any]) -> bytes:
    unsigned = {k: v for k, v in record.items() if k != SIGNATURE_FIELD}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def sign(record: dict[str, Any], key: SigningKey) -> dict[str, Any]:
    """Return the signature entry of ``record`` (every field but the signature itself).

    Parameters
    ----------
    record : dict
        JSON values.
    key : SigningKey

    Returns
    -------
    dict
        ``{"algorithm": "hmac-sha256", "key_id": ..., "mac": <hex>}``.
    """
    mac = hmac.new(key.secret, _canonical(record), hashlib.sha256).hexdigest()
    return {"algorithm": ALGORITHM, "key_id": key.key_id, "mac": mac}


def verify(record: dict[str, Any], key: SigningKey, where: str) -> None:
    """Raise unless ``record`` carries a valid signature under ``key``.

    Parameters
    ----------
    record : dict
        A record as read from ``metadata.json``.
    key : SigningKey
    where : str
        The model folder, for messages.

    Raises
    ------
    ShopmineInputError
        When the record has no signature (saved by a shopmine before signing, or not by shopmine),
        or its signature does not verify with ``key``. The message says to re-fit the model.
    """
    signature = record.get(SIGNATURE_FIELD)
    if not isinstance(signature, dict) or not isinstance(signature.get("mac"), str):
        raise ShopmineInputError(
            f"refusing to load the model in {where}: it is not signed (saved by a shopmine before "
            f"model signing, or not by shopmine at all). Re-fit the model to save it signed; shopmine "
            f"has no command that signs an existing folder, because that would vouch for whatever the "
            f"folder holds."
        )
    try:
        expected = hmac.new(key.secret, _canonical(record), hashlib.sha256).hexdigest()
    except ValueError:  # NaN or infinity, which shopmine never writes: the record was edited
        expected = ""
    # Compared as bytes: compare_digest refuses str with non-ASCII characters.
    valid = expected and hmac.compare_digest(expected.encode(), signature["mac"].encode("utf-8"))
    if signature.get("algorithm") == ALGORITHM and valid:
        return
    if signature.get("key_id") != key.key_id:
        why = (f"it was signed with another key (key id {signature.get('key_id')}): it was saved in "
               f"another workspace or by another user, or replaced from outside")
    else:
        why = "its metadata.json was modified after saving"
    raise ShopmineInputError(
        f"refusing to load the model in {where}: its signature does not verify with {key.describe()}; "
        f"{why}. Loading a model file can run code, so only models signed with this key are read. "
        f"Re-fit the model here, or load it with the key it was signed with (from the workspace it was "
        f"fitted in)."
    )
