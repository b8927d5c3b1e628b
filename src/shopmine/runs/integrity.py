"""Checksums and the signature of a run's ``metadata.json``.

Every file of a saved run may have been replaced by the time it is read back (a run folder is plain
files in the workspace). ``metadata.json`` holds the SHA-256 of every other file of the run and is
signed with the workspace's signing key (HMAC-SHA256, :mod:`shopmine.registry.signing`, the key the
model registry uses), so a reader checks the signature, then each file's checksum before using it.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Any

from shopmine.errors import ShopmineInputError
from shopmine.registry import signing


class RunIntegrityError(ShopmineInputError):
    """A saved run's files do not match its signed metadata (CLI exit code 2)."""


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sign_record(record: dict[str, Any], key: signing.SigningKey) -> dict[str, Any]:
    """``record`` with its ``signature`` entry (over every other field)."""
    unsigned = {k: v for k, v in record.items() if k != signing.SIGNATURE_FIELD}
    return {**unsigned, signing.SIGNATURE_FIELD: signing.sign(unsigned, key)}


def verify_record(record: dict[str, Any], key: signing.SigningKey, run: str, path: Path) -> None:
    """Raise :class:`RunIntegrityError` naming the run and ``path`` unless ``record``'s signature verifies."""
    signature = record.get(signing.SIGNATURE_FIELD)
    mac = signature.get("mac") if isinstance(signature, dict) else None
    try:
        expected = signing.sign(record, key)["mac"]
    except (TypeError, ValueError):  # NaN or a non-JSON value: shopmine never writes one
        expected = ""
    if isinstance(mac, str) and expected and hmac.compare_digest(expected.encode(), mac.encode("utf-8")):
        return
    if not isinstance(mac, str):
        why = "it carries no signature"
    elif signature.get("key_id") != key.key_id:
        why = f"it was signed with another key (key id {signature.get('key_id')}), in another workspace"
    else:
        why = "it was modified after the run was saved"
    raise RunIntegrityError(
        f"saved run {run}: {path} does not verify with {key.describe()}: {why}. The run cannot be "
        f"trusted; delete it with `shopmine runs delete {run}` and run the analysis again.")


def verify_file(path: Path, expected: str | None, run: str) -> bytes:
    """The bytes of ``path`` after checking them against ``expected`` (SHA-256 from the signed metadata)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RunIntegrityError(
            f"saved run {run}: {path} is missing. Delete the run with `shopmine runs delete {run}` and run "
            f"the analysis again.") from None
    if expected is None or not hmac.compare_digest(sha256_bytes(data), expected):
        raise RunIntegrityError(
            f"saved run {run}: {path} was changed after the run was saved (its SHA-256 is not the one in the "
            f"signed metadata.json). Delete the run with `shopmine runs delete {run}` and run the analysis "
            f"again.")
    return data
