"""What a run's ``metadata.json`` records besides its files: parameters, batches, library versions."""

from __future__ import annotations

import json
import platform
from datetime import datetime
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import pandas as pd

from shopmine.result import to_jsonable

#: Layout of ``metadata.json``, so that a later shopmine can read older runs.
RUN_LAYOUT = 1
#: Distributions whose versions decide an analysis's numbers.
LIBRARIES = ("pandas", "numpy", "scikit-learn", "lightgbm", "statsforecast", "duckdb", "ibis-framework",
             "pyarrow", "plotly")


def library_versions() -> dict[str, str | None]:
    """Python, shopmine and :data:`LIBRARIES` versions (None when a library is not installed)."""
    from shopmine import __version__

    versions: dict[str, str | None] = {"python": platform.python_version(), "shopmine": __version__}
    for name in LIBRARIES:
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def jsonable_parameter(value: Any) -> Any:
    """A JSON value recording one call argument: paths as text, tables as their shape, other objects by type.

    Examples
    --------
    >>> jsonable_parameter(Path("labels.csv"))
    'labels.csv'
    >>> jsonable_parameter(pd.Series([1, 2], name="label"))
    '<Series label, 2 rows>'
    """
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, pd.DataFrame):
        return f"<DataFrame, {len(value):,} rows x {value.shape[1]} columns>"
    if isinstance(value, pd.Series):
        return f"<Series {value.name}, {len(value):,} rows>"
    value = to_jsonable(value)
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return f"<{type(value).__name__}>"
    return value


def seen_batches(workspace) -> list[str]:
    """Ids of the batches loaded in the workspace now, oldest first (what an analysis run now sees)."""
    from shopmine.ingest.batches import list_batches

    return [str(b) for b in list_batches(workspace.warehouse(read_only=True))["batch_id"]]


def batches_loaded_since(workspace, batches: list[str], current: list[str] | None = None) -> list[str]:
    """Batches in the workspace now (``current``, read when not given) that a run which saw ``batches``
    did not see; a removed batch counts too (as ``removed <id>``), since the run's numbers include it."""
    now = seen_batches(workspace) if current is None else current
    seen, present = set(batches), set(now)
    return [b for b in now if b not in seen] + [f"removed {b}" for b in batches if b not in present]


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
