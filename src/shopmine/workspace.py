"""A shop's workspace: a folder with ``shopmine.toml``, the warehouse, models and outputs."""

from __future__ import annotations

import os
import secrets
import shlex
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from shopmine.errors import ShopmineInputError
from shopmine.settings import Settings, config_template, resolve_settings

CONFIG_NAME = "shopmine.toml"


class Workspace:
    """Paths and settings of one workspace folder.

    Parameters
    ----------
    root : path
        The workspace folder. Created on first use unless ``create=False``.
    cli_settings : mapping, optional
        Settings given on the command line (``None`` values mean "not given").
    create : bool, default=True
        Create the folder and a default ``shopmine.toml`` when missing.

    Raises
    ------
    ShopmineInputError
        With ``create=False``, when ``root`` is not a workspace (no ``shopmine.toml``): nothing is created.
    """

    def __init__(self, root: str | Path = ".", cli_settings: Mapping[str, Any] | None = None,
                 create: bool = True):
        self.root = Path(root).expanduser().resolve()
        self._warehouse = None
        #: What this process does with the workspace, named in other processes' busy message
        #: (the CLI sets its command; None: the script's name).
        self.task: str | None = None
        if create:
            self.init()
        elif not is_workspace(self.root):
            raise ShopmineInputError(not_a_workspace(self.root))
        self.file_settings = self._read_config()
        self.settings: Settings = resolve_settings(cli_settings, self.file_settings)

    # -- layout ---------------------------------------------------------------------------
    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def warehouse_path(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def parquet_dir(self) -> Path:
        """Tables exported as Parquet, read by the Spark engine."""
        return self.root / "parquet"

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    @property
    def outputs_dir(self) -> Path:
        return self.root / "outputs"

    @property
    def secret_dir(self) -> Path:
        return self.root / ".secret"

    def init(self) -> None:
        """Create the folder layout and a commented ``shopmine.toml`` when missing."""
        if self.root.exists() and not self.root.is_dir():
            raise ShopmineInputError(f"workspace path {self.root} is a file; give a folder.")
        for folder in (self.root, self.models_dir, self.outputs_dir):
            folder.mkdir(parents=True, exist_ok=True)
        if not self.config_path.exists():
            self.config_path.write_text(config_template(), encoding="utf-8")

    def _read_config(self) -> dict[str, Any]:
        if not self.config_path.exists():
            return {}
        try:
            return tomllib.loads(self.config_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ShopmineInputError(f"{self.config_path} is not valid TOML: {exc}") from None

    @property
    def mapping(self) -> dict[str, str]:
        """The ``[mapping]`` table of ``shopmine.toml``: canonical name -> source column."""
        table = self.file_settings.get("mapping", {})
        if not isinstance(table, dict):
            raise ShopmineInputError(f"[mapping] in {self.config_path} must be a table of name = column.")
        return {str(k): str(v) for k, v in table.items()}

    @property
    def products_mapping(self) -> dict[str, str]:
        """The ``[products_mapping]`` table of ``shopmine.toml``: canonical products column -> file column."""
        from shopmine.schema import PRODUCT_COLUMNS

        table = self.file_settings.get("products_mapping", {})
        if not isinstance(table, dict):
            raise ShopmineInputError(
                f"[products_mapping] in {self.config_path} must be a table of name = column, e.g. "
                'name = "Title".')
        unknown = sorted(str(k) for k in table if k not in PRODUCT_COLUMNS)
        if unknown:
            raise ShopmineInputError(
                f"[products_mapping] in {self.config_path}: {', '.join(unknown)} is not a products column; "
                f"use one of {', '.join(PRODUCT_COLUMNS)} (other columns of a products file are kept as "
                "attributes without mapping).")
        return {str(k): str(v) for k, v in table.items()}

    def warehouse(self, read_only: bool = False, task: str | None = None):
        """The workspace's warehouse (one DuckDB connection per workspace object).

        Opening it takes the workspace lock (:mod:`shopmine.workspace_lock`), waiting up to the
        ``busy_timeout_seconds`` setting for another process's command to finish, and holds it until
        :meth:`close`.

        Parameters
        ----------
        read_only : bool, default=False
            Only read: the lock is shared with other readers. A warehouse open for writing serves
            readers too; one open only for reading is closed and reopened for a writer.
        task : str, optional
            What the caller does, named in the busy message of other processes (default: :attr:`task`).

        Raises
        ------
        shopmine.workspace_lock.WorkspaceBusyError
            At the first query, when the lock stayed taken for the whole wait.
        """
        from shopmine.warehouse import Warehouse

        if self._warehouse is None:
            self._warehouse = Warehouse(self.warehouse_path, self.parquet_dir,
                                        busy_timeout=self.settings.busy_timeout_seconds)
        warehouse = self._warehouse
        if warehouse.is_open and warehouse.read_only and not read_only:
            warehouse.close()
        if not warehouse.is_open:
            warehouse.read_only = read_only
            warehouse.task = task or self.task
        return warehouse

    def close(self) -> None:
        """Close the warehouse and release the workspace lock (other processes may then write)."""
        if self._warehouse is not None:
            self._warehouse.close()

    def registry(self):
        """The workspace's model registry (versioned model files with metadata, never pickle).

        Its versions are signed with :meth:`signing_key`, so a model copied in from elsewhere is refused.
        """
        from shopmine.registry import ModelRegistry

        return ModelRegistry(self.models_dir, key=self.signing_key())

    def engine(self):
        """The query engine chosen by the ``engine`` setting, over this workspace's tables."""
        spark = {name: self.settings[name] for name in ("spark_master", "spark_driver_memory",
                                                         "spark_executor_memory", "spark_executor_cores",
                                                         "spark_python")}
        return self.warehouse(read_only=True).engine(self.settings.engine, **spark)

    # -- secrets ----------------------------------------------------------------------------
    def pseudonym_key(self) -> bytes:
        """The workspace's HMAC key (created once, mode 0600, never printed)."""
        path = self.secret_dir / "pseudonym.key"
        if not path.exists():
            self.secret_dir.mkdir(mode=0o700, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_bytes(32))
        return path.read_bytes()

    def signing_key(self):
        """The workspace's model-signing key, ``.secret/signing.key`` (created once, 0600, never printed).

        A separate file from ``pseudonym.key``, so that either can be rotated or shared alone.

        Returns
        -------
        shopmine.registry.signing.SigningKey
        """
        return _workspace_signing_key(self.root)


def is_workspace(folder: str | Path) -> bool:
    """Tell whether ``folder`` is a workspace (holds ``shopmine.toml``), without creating anything."""
    return (Path(folder) / CONFIG_NAME).is_file()


def not_a_workspace(folder: str | Path) -> str:
    """The one message for a folder that is not a workspace, with the command that makes it one.

    Examples
    --------
    >>> not_a_workspace("/tmp/my shop")
    "not a shopmine workspace: /tmp/my shop; run `shopmine init '/tmp/my shop'`"
    """
    return f"not a shopmine workspace: {folder}; run `shopmine init {shlex.quote(str(folder))}`"


def signing_key_for(folder: str | Path):
    """The key that signs and verifies classic model folders for a command run with ``folder`` as workspace.

    The workspace's key when ``folder`` is a workspace, otherwise the user's key
    (``$SHOPMINE_HOME/signing.key``, default ``~/.config/shopmine/``). Never a key inside the model folder.

    Parameters
    ----------
    folder : path
        The active workspace folder (the shell's workspace, default the current folder).

    Returns
    -------
    shopmine.registry.signing.SigningKey
    """
    from shopmine.registry.signing import user_key

    root = Path(folder).expanduser().resolve()
    return _workspace_signing_key(root) if is_workspace(root) else user_key()


def _workspace_signing_key(root: Path):
    from shopmine.registry.signing import KEY_FILE, load_or_create_key

    return load_or_create_key(root / ".secret" / KEY_FILE, f"the workspace {root}")
