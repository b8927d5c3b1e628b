"""Versioned model folders: ``<root>/<name>/v<N>/`` holding the model file(s) and ``metadata.json``."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import secrets
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

from shopmine.errors import ShopmineInputError, ShopmineRunError
from shopmine.registry import formats, signing
from shopmine.registry.jsonable import to_jsonable
from shopmine.registry.signing import SigningKey

METADATA_FILE = "metadata.json"
#: Version of the ``metadata.json`` layout, so that a later shopmine can read older folders.
#: 2: the record is signed (HMAC-SHA256, see :mod:`shopmine.registry.signing`); layout 1 is refused.
REGISTRY_LAYOUT = 2

# Starts with a letter or digit so that no name is "." or "..", or hidden like the temporary folders.
_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}")
NAME_RULE = (
    "names use letters A-Z/a-z, digits, '-', '_' and '.', do not start with '.', and have at most 100 "
    "characters"
)
_VERSION_DIR = re.compile(r"v([1-9][0-9]*)")
#: Hidden folders beside the versions: one being published (``.v-<token>-<pid>.tmp``) or deleted
#: (``.del-v<N>-<token>-<pid>.tmp``); the PID tells whether the process that left one is gone.
_HIDDEN = re.compile(r"\.(?:v|del-v[0-9]+)-[0-9a-f]+(?:-(?P<pid>[0-9]+))?\.tmp")
#: A hidden folder older than this is removed even if its PID is alive again (PIDs are reused).
STALE_TEMP_SECONDS = 3600
# How often save() picks the next number when another process published the same version first.
_PUBLISH_ATTEMPTS = 20
_LIBRARIES = {"scikit-learn": "scikit-learn", "lightgbm": "lightgbm", "numpy": "numpy", "skops": "skops"}


@dataclass(frozen=True)
class ModelVersion:
    """One saved version of a model, as recorded in its ``metadata.json``.

    Parameters
    ----------
    name : str
        The model's name in the registry.
    version : int
        The version number, from 1.
    path : pathlib.Path
        The model file (its folder is ``path.parent``).
    format : str
        ``"skops"``, ``"lightgbm-booster"``, ``"lightgbm-sklearn"`` or ``"json"``.
    created_at : datetime.datetime
        When the version was saved (UTC).
    checksum : str
        SHA-256 (hex) of the model file.
    metadata : dict
        The caller's metadata (data range, as-of date, metrics ...), as stored.
    library_versions : dict
        Versions of python, shopmine, scikit-learn, lightgbm, numpy and skops at saving time.
    """

    name: str
    version: int
    path: Path
    format: str
    created_at: datetime
    checksum: str
    # Dicts cannot be hashed; the other fields identify a version.
    metadata: dict[str, Any] = field(default_factory=dict, hash=False)
    library_versions: dict[str, str | None] = field(default_factory=dict, hash=False)

    @property
    def folder(self) -> Path:
        """The version folder ``<root>/<name>/v<N>``."""
        return self.path.parent


class ModelRegistry:
    """Versioned model files with metadata, written atomically and never pickled.

    Each ``save`` creates the folder ``<root>/<name>/v<N>/`` (N = 1, 2, ...) with the model file and
    ``metadata.json``. The folder is written under a temporary name beside it and renamed when complete,
    so it appears whole or not at all.

    Every version's ``metadata.json`` is signed with ``key`` (HMAC-SHA256 over the record, which holds
    the SHA-256 of each model file). ``load`` checks the signature, then each file's SHA-256, then
    (for skops files) that the file names only the exact types shopmine saves
    (:data:`~shopmine.registry.skops_types.ALLOWED_SKOPS_NODES`), and only then deserialises anything.
    A folder saved with another key, modified, or saved before signing is refused.

    Supported models and their files:

    - the scikit-learn pipelines of the classic methods: ``model.skops`` (skops); saving and loading
      refuse any type outside the exact allow-list of the types those pipelines are made of;
    - ``lightgbm.Booster``: ``model.txt`` (LightGBM's text format);
    - fitted ``lightgbm.LGBMRegressor`` / ``LGBMClassifier``: ``model.txt`` plus ``wrapper.json``
      (class, parameters, classes); loaded back as a fitted wrapper of the same class;
    - a ``dict`` of JSON values: ``model.json``; loaded back as a dict (numpy scalars become Python
      numbers, dates ISO strings, tuples lists).

    Parameters
    ----------
    root : path
        The registry folder (a workspace's ``models`` folder). Created on the first ``save``.
    key : SigningKey
        The key that signs saved versions and must verify loaded ones: a workspace's
        (:meth:`shopmine.workspace.Workspace.signing_key`) or the user's
        (:func:`shopmine.registry.signing.user_key`).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from shopmine.registry import ModelRegistry
    >>> from shopmine.registry.signing import load_or_create_key
    >>> folder = Path(tempfile.mkdtemp())
    >>> key = load_or_create_key(folder / ".secret" / "signing.key", "an example")
    >>> registry = ModelRegistry(folder / "models", key=key)
    >>> saved = registry.save("price-elasticity", {"a": 1.5, "b": -0.8}, metadata={"rows": 1200})
    >>> saved.version
    1
    >>> model, version = registry.load("price-elasticity")
    >>> model
    {'a': 1.5, 'b': -0.8}
    >>> version.metadata
    {'rows': 1200}
    """

    def __init__(self, root: str | Path, *, key: SigningKey):
        if not isinstance(key, SigningKey):
            raise ShopmineInputError(
                f"key must be a SigningKey (see shopmine.registry.signing), not a {type(key).__name__}."
            )
        self.root = Path(root)
        self.key = key

    # -- public API -------------------------------------------------------------------------------
    def save(self, name: str, model: Any, *, metadata: dict[str, Any] | None = None) -> ModelVersion:
        """Save ``model`` as the next version of ``name``.

        Parameters
        ----------
        name : str
            The model's name: letters, digits, ``-``, ``_`` and ``.``, not starting with ``.``.
        model : object
            A fitted scikit-learn estimator or pipeline, a ``lightgbm.Booster``, a fitted
            ``LGBMRegressor``/``LGBMClassifier``, or a dict of JSON values.
        metadata : dict, optional
            What to record with the model (data range, as-of date, metrics ...). Values must be JSON
            values; numpy scalars are converted to numbers, dates and datetimes to ISO strings, NaN and
            infinities to ``null``.

        Returns
        -------
        ModelVersion
            The saved version.

        Raises
        ------
        ShopmineInputError
            When the name breaks the naming rule, the model is of an unsupported type or not fitted, or
            the metadata holds a value that cannot be stored. Nothing is written then.
        """
        folder = self._model_folder(name)
        # Everything that can be refused is checked and serialised before the first byte is written.
        if metadata is None:
            metadata = {}
        if not isinstance(metadata, dict):
            raise ShopmineInputError(
                f"metadata must be a dict, not a {type(metadata).__name__}."
            )
        caller_metadata = to_jsonable(metadata, "metadata", nonfinite="null")
        encoded = formats.encode(model)
        model_file = formats.MODEL_FILES[encoded.format]
        checksums = {file: hashlib.sha256(data).hexdigest() for file, data in encoded.files.items()}
        record: dict[str, Any] = {
            "registry_layout": REGISTRY_LAYOUT,
            "name": name,
            "version": None,  # set per attempt in _publish
            "format": encoded.format,
            "file": model_file,
            "created_at": datetime.now(timezone.utc).isoformat(),
            "checksum": checksums[model_file],
            "extra_files": {file: sha for file, sha in checksums.items() if file != model_file},
            "library_versions": library_versions(),
            "metadata": caller_metadata,
        }
        version = self._publish(folder, encoded.files, record, self.key)
        record["version"] = version
        return self._version_from_record(folder / f"v{version}", record)

    def load(self, name: str, version: int | None = None) -> tuple[Any, ModelVersion]:
        """Load a saved version of ``name``, after checking its files' checksums.

        Parameters
        ----------
        name : str
            The model's name.
        version : int, optional
            The version to load; the latest when omitted.

        Returns
        -------
        model : object
            The model, of the type it was saved as (a dict for ``json``).
        model_version : ModelVersion
            Its recorded metadata.

        Raises
        ------
        ShopmineInputError
            When the name or version does not exist (the message lists those that do); when the
            version's signature does not verify with this registry's key (saved elsewhere, modified, or
            saved before signing), a file does not match its recorded SHA-256, or a skops file names a
            type outside the allow-list. Nothing is deserialised before these checks pass.
        """
        folder = self._model_folder(name)
        numbers = self._existing_numbers(name, folder)
        if version is None:
            version = numbers[-1]
        elif isinstance(version, bool) or not isinstance(version, int):
            raise ShopmineInputError(f"version must be an int such as 1, not {version!r}.")
        elif version not in numbers:
            raise ShopmineInputError(
                f"model {name!r} has no version {version}; it has versions "
                f"{', '.join(map(str, numbers))}."
            )
        version_dir = folder / f"v{version}"
        record = self._read_record(version_dir)
        model_version = self._version_from_record(version_dir, record)
        # Read each file once and decode exactly the bytes that were verified.
        files: dict[str, bytes] = {}
        expected = {record["file"]: record["checksum"], **record.get("extra_files", {})}
        for file, checksum in expected.items():
            path = version_dir / file
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise ShopmineRunError(f"cannot read {path}: {exc.strerror or exc}.") from None
            if hashlib.sha256(data).hexdigest() != checksum:
                raise ShopmineInputError(
                    f"refusing to load {path}: it does not match the checksum recorded when it was "
                    f"saved, so it was modified after saving. Re-fit the model instead of editing the file."
                )
            files[file] = data
        return formats.decode(record["format"], files, str(version_dir)), model_version

    def versions(self, name: str) -> list[ModelVersion]:
        """List the saved versions of ``name``, oldest first.

        Parameters
        ----------
        name : str
            The model's name.

        Returns
        -------
        list of ModelVersion

        Raises
        ------
        ShopmineInputError
            When no version of ``name`` exists (the message lists the names that do).
        """
        folder = self._model_folder(name)
        return [
            self._version_from_record(folder / f"v{n}", self._read_record(folder / f"v{n}"))
            for n in self._existing_numbers(name, folder)
        ]

    def readable_versions(self, name: str) -> list[ModelVersion]:
        """The versions of ``name`` whose signed ``metadata.json`` verifies, oldest first; the others are
        skipped (what :meth:`versions` refuses), so that one damaged version does not hide the rest."""
        folder = self._model_folder(name)
        found = []
        for number in _complete_numbers(folder) if folder.is_dir() else []:
            try:
                record = self._read_record(folder / f"v{number}")
            except (ShopmineInputError, ShopmineRunError):
                continue
            found.append(self._version_from_record(folder / f"v{number}", record))
        return found

    def delete(self, name: str, version: int) -> bool:
        """Remove version ``version`` of ``name``; False when it is not there (already removed).

        The folder is first renamed to a hidden name, so that no reader sees half of it; the model's
        folder goes too once it holds no version. A later save may then reuse the number: only saved
        runs refer to versions, and a run's versions are deleted with the run.
        """
        folder = self._model_folder(name)
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise ShopmineInputError(f"version must be an int such as 1, not {version!r}.")
        doomed = folder / f".del-v{version}-{secrets.token_hex(4)}-{os.getpid()}.tmp"
        try:
            os.rename(folder / f"v{version}", doomed)
        except FileNotFoundError:
            return False
        shutil.rmtree(doomed, ignore_errors=True)
        try:
            folder.rmdir()  # only when empty: another version, or a save under way, keeps it
        except OSError:
            pass
        return True

    def clean_leftovers(self, now: float | None = None) -> list[Path]:
        """Remove hidden folders of publications or deletions that died midway (SIGKILL, power cut).

        Such a folder is never read (:meth:`load` reads only ``v<N>`` folders); it is removed once the
        process that wrote it is gone, or when it is older than :data:`STALE_TEMP_SECONDS`.
        """
        from shopmine.workspace_lock import process_alive

        if not self.root.is_dir():
            return []
        now = time.time() if now is None else now
        removed = []
        for folder in self.root.iterdir():
            if not folder.is_dir() or not _NAME.fullmatch(folder.name):
                continue
            for entry in folder.iterdir():
                match = _HIDDEN.fullmatch(entry.name)
                if not match or match["pid"] == str(os.getpid()):
                    continue
                try:
                    old = now - entry.stat().st_mtime > STALE_TEMP_SECONDS
                except FileNotFoundError:
                    continue  # another process cleaned it first
                if old or (match["pid"] is not None and not process_alive(int(match["pid"]))):
                    shutil.rmtree(entry, ignore_errors=True)
                    removed.append(entry)
        return removed

    def names(self) -> list[str]:
        """List the names that have at least one saved version, sorted.

        Returns
        -------
        list of str
        """
        if not self.root.is_dir():
            return []
        return sorted(
            entry.name for entry in self.root.iterdir()
            if entry.is_dir() and _NAME.fullmatch(entry.name) and _complete_numbers(entry)
        )

    # -- layout ---------------------------------------------------------------------------------
    def _model_folder(self, name: str) -> Path:
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ShopmineInputError(f"invalid model name {name!r}: {NAME_RULE}.")
        return self.root / name

    def _existing_numbers(self, name: str, folder: Path) -> list[int]:
        numbers = _complete_numbers(folder) if folder.is_dir() else []
        if not numbers:
            known = self.names()
            have = f"it has {', '.join(map(repr, known))}" if known else "it has no models yet"
            raise ShopmineInputError(f"the registry {self.root} has no model {name!r}; {have}.")
        return numbers

    def _read_record(self, version_dir: Path) -> dict[str, Any]:
        path = version_dir / METADATA_FILE
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ShopmineRunError(f"cannot read {path}: {exc.strerror or exc}.") from None
        try:
            record = json.loads(text)
        except ValueError as exc:
            raise ShopmineInputError(f"refusing to load {path}: it is not valid JSON ({exc}); re-fit the model.") from None
        if not isinstance(record, dict):
            raise ShopmineInputError(f"refusing to load {path}: it is not a JSON object; re-fit the model.")
        # The signature first: nothing else in the record is trusted before it verifies.
        signing.verify(record, self.key, str(version_dir))
        # A signed record copied to another name or version number (e.g. an older version put in
        # place of the latest) is refused too.
        if record.get("name") != version_dir.parent.name or record.get("version") != _folder_number(version_dir):
            raise ShopmineInputError(
                f"refusing to load {version_dir}: its metadata.json belongs to {record.get('name')!r} "
                f"version {record.get('version')}; the folder was moved or copied. Re-fit the model."
            )
        fmt = record.get("format")
        if fmt not in formats.MODEL_FILES:
            raise ShopmineRunError(
                f"{path} records the unknown format {fmt!r}; it was not written by this registry."
            )
        # The file names follow from the format; a record pointing elsewhere (e.g. "../x") is not trusted.
        files_ok = record.get("file") == formats.MODEL_FILES[fmt] and set(
            record.get("extra_files", {})
        ) == set(formats.EXTRA_FILES.get(fmt, ()))
        if not files_ok:
            raise ShopmineRunError(
                f"{path} lists files that do not belong to the format {fmt!r}; it was modified."
            )
        return record

    @staticmethod
    def _version_from_record(version_dir: Path, record: dict[str, Any]) -> ModelVersion:
        return ModelVersion(
            name=record["name"],
            version=int(record["version"]),
            path=version_dir / record["file"],
            format=record["format"],
            created_at=datetime.fromisoformat(record["created_at"]),
            checksum=record["checksum"],
            metadata=record.get("metadata", {}),
            library_versions=record.get("library_versions", {}),
        )

    # -- atomic publication ---------------------------------------------------------------------------
    def _publish(self, folder: Path, files: dict[str, bytes], record: dict[str, Any],
                 key: SigningKey) -> int:
        """Write ``files`` and ``metadata.json`` as the next version folder; return its number.

        The folder is written under a hidden temporary name beside its target and renamed when
        complete. We do not use :func:`shopmine.atomic.atomic_dir` here because it *replaces* an
        existing target: two processes saving the same name at once would pick the same number and
        the second would silently delete the first's version. ``os.rename`` of a folder onto an
        existing, non-empty folder fails instead, and we take the next number.
        """
        created_folder = not folder.exists()
        folder.mkdir(parents=True, exist_ok=True)
        # Not tempfile.mkdtemp: its folders are private (0700), and this one becomes the version folder.
        tmp = folder / f".v-{secrets.token_hex(8)}-{os.getpid()}.tmp"
        tmp.mkdir(parents=True)  # parents: a concurrent delete() may have removed the emptied folder
        try:
            for file, data in files.items():
                (tmp / file).write_bytes(data)
            for _ in range(_PUBLISH_ATTEMPTS):
                version = self._next_number(folder)
                record["version"] = version
                record[signing.SIGNATURE_FIELD] = signing.sign(record, key)
                text = json.dumps(record, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
                (tmp / METADATA_FILE).write_text(text, encoding="utf-8")
                try:
                    _rename_no_replace(tmp, folder / f"v{version}")
                except FileExistsError:
                    continue  # another process published this number first
                return version
            raise ShopmineRunError(
                f"could not publish a new version in {folder}: other processes kept taking the next "
                f"version number; try again."
            )
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            if created_folder:
                try:
                    folder.rmdir()  # only if still empty: a concurrent save may have published into it
                except OSError:
                    pass
            raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @staticmethod
    def _next_number(folder: Path) -> int:
        # Count every v<N> folder, complete or not, so that a number is never reused.
        numbers = [
            int(match.group(1)) for entry in folder.iterdir()
            if (match := _VERSION_DIR.fullmatch(entry.name))
        ]
        return max(numbers, default=0) + 1


def _folder_number(version_dir: Path) -> int | None:
    match = _VERSION_DIR.fullmatch(version_dir.name)
    return int(match.group(1)) if match else None


def _complete_numbers(folder: Path) -> list[int]:
    """Version numbers in ``folder`` whose ``metadata.json`` exists (written before the rename)."""
    numbers = []
    for entry in folder.iterdir():
        match = _VERSION_DIR.fullmatch(entry.name)
        if match and (entry / METADATA_FILE).is_file():
            numbers.append(int(match.group(1)))
    return sorted(numbers)


def _rename_no_replace(source: Path, target: Path) -> None:
    """Rename the folder ``source`` to ``target``, raising ``FileExistsError`` if ``target`` exists."""
    if target.exists():
        raise FileExistsError(target)
    try:
        # POSIX rename replaces only an *empty* folder; a published version is never empty.
        os.rename(source, target)
    except OSError as exc:
        if target.exists():
            raise FileExistsError(target) from exc
        raise


def library_versions() -> dict[str, str | None]:
    """Versions of python, shopmine and the libraries a saved model depends on (None if missing).

    Returns
    -------
    dict of str to str or None
    """
    from shopmine import __version__

    versions: dict[str, str | None] = {"python": platform.python_version(), "shopmine": __version__}
    for key, distribution in _LIBRARIES.items():
        try:
            versions[key] = importlib_metadata.version(distribution)
        except importlib_metadata.PackageNotFoundError:
            versions[key] = None
    return versions
