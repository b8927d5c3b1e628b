"""Reading a saved run back, after checking every byte against its signed metadata; nothing is recomputed."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from shopmine.errors import ShopmineInputError
from shopmine.result import AnalysisResult
from shopmine.runs import layout
from shopmine.runs.ids import check_run_id
from shopmine.runs.integrity import RunIntegrityError, verify_file, verify_record


@dataclass
class SavedRun:
    """A saved run: the analysis's result as it was computed, and the run's metadata.

    Parameters
    ----------
    result : AnalysisResult
        Tables, metrics, figures and summary, with ``run_id`` set.
    metadata : dict
        ``metadata.json``: parameters, as-of date, batches, row counts, versions, times, status.
    """

    result: AnalysisResult
    metadata: dict[str, Any]

    @property
    def run_id(self) -> str:
        return self.metadata["run_id"]


def read_metadata(folder: Path, key) -> dict[str, Any]:
    """The verified ``metadata.json`` of the run folder ``folder``."""
    run, path = folder.name, folder / layout.METADATA_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunIntegrityError(f"saved run {run}: {path} is missing. Delete the run with "
                                f"`shopmine runs delete {run}`.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunIntegrityError(f"saved run {run}: {path} is not valid JSON ({exc}); it was changed after the "
                                f"run was saved. Delete the run with `shopmine runs delete {run}`.") from None
    if not isinstance(record, dict):
        raise RunIntegrityError(f"saved run {run}: {path} is not a JSON object; delete the run with "
                                f"`shopmine runs delete {run}`.")
    verify_record(record, key, run, path)
    if record.get("run_id") != run:
        raise RunIntegrityError(f"saved run {run}: {path} describes run {record.get('run_id')!r}; the folder was "
                                f"renamed or copied. Delete it with `shopmine runs delete {run}`.")
    return record


def unknown_run(run_id: str) -> ShopmineInputError:
    return ShopmineInputError(f"run_id: no saved run {run_id} in this workspace; list the saved runs with "
                              f"`shopmine runs list`.")


def run_folder(workspace, run_id: str) -> Path:
    folder = layout.find_run(workspace, check_run_id(run_id))
    if folder is None:
        raise unknown_run(run_id)
    return folder


def load_folder(folder: Path, key) -> SavedRun:
    """Read the run in ``folder`` (every file verified against the signed metadata)."""
    import plotly.io

    metadata = read_metadata(folder, key)
    run, checksums = metadata["run_id"], metadata.get("files", {})

    def read(relative: str) -> bytes:
        if Path(relative).is_absolute() or ".." in Path(relative).parts:
            raise RunIntegrityError(f"saved run {run}: metadata.json names {relative!r} outside the run.")
        return verify_file(folder / relative, checksums.get(relative), run)

    tables = {name: pd.read_parquet(io.BytesIO(read(entry["file"])))
              for name, entry in metadata.get("tables", {}).items()}
    figures = {name: plotly.io.from_json(read(path).decode("utf-8"))
               for name, path in metadata.get("figures", {}).items()}
    metrics = json.loads(read("metrics.json").decode("utf-8"))
    result = AnalysisResult(name=metadata["name"], title=metadata["title"], summary=metadata["summary"],
                            tables=tables, metrics=metrics, figures=figures, run_id=run)
    return SavedRun(result, metadata)


def load_run(workspace, run_id: str) -> SavedRun:
    """Read the saved run ``run_id`` of ``workspace`` without recomputing anything.

    Parameters
    ----------
    workspace : shopmine.workspace.Workspace
    run_id : str
        As listed by ``shopmine runs list``.

    Returns
    -------
    SavedRun
        ``.result`` (AnalysisResult) and ``.metadata``.

    Raises
    ------
    ShopmineInputError
        When there is no such run.
    RunIntegrityError
        When a file of the run was changed, removed or replaced since it was saved (names the run and file).
    """
    return load_folder(run_folder(workspace, run_id), workspace.signing_key())
