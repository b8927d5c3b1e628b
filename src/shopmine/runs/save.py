"""Saving one analysis run: its tables, metrics, figures and signed metadata, appearing whole or not at all.

The run is written into a hidden folder beside its final place and renamed to its id when complete
(``os.rename`` of a folder is atomic), so a concurrent reader sees either no run or the whole run, and a
process killed midway leaves only a hidden folder that readers ignore and the next save removes
(:func:`shopmine.runs.layout.clean_leftovers`), and model versions the next save removes too
(:func:`shopmine.runs.models.remove_orphan_models`). A failed run leaves nothing: there is no "failed" record,
because such a run has no tables to show and its error was already reported to whoever ran it.
Saving takes no workspace lock: runs are files beside the warehouse, not in it.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from datetime import datetime, timezone
from typing import Any

from shopmine.result import AnalysisResult, to_jsonable
from shopmine.runs import layout
from shopmine.runs.ids import check_analysis, new_run_id
from shopmine.runs.integrity import sha256_bytes, sign_record
from shopmine.runs.metadata import RUN_LAYOUT, iso, jsonable_parameter, library_versions, seen_batches
from shopmine.runs.models import delete_models, fitted_models, remove_orphan_models, save_models

STATUS_COMPLETE = "complete"


def _file_names(names, suffix: str) -> dict[str, str]:
    """A file name for each table or figure name. Names may come from the data (a figure per category or
    product id: ``forecast_fashion/women``), so the file name keeps only letters, digits, ``_``, ``.`` and
    ``-`` and gets a number when two names would clash; the metadata maps each name to its file."""
    files: dict[str, str] = {}
    for name in names:
        stem = re.sub(r"[^\w.-]+", "_", str(name), flags=re.ASCII).strip("._-")[:100] or "unnamed"
        candidate, number = stem, 1
        while f"{candidate}{suffix}" in files.values():
            number += 1
            candidate = f"{stem}-{number}"
        files[name] = f"{candidate}{suffix}"
    return files


def _table_bytes(df) -> bytes:
    buffer = io.BytesIO()
    # Parquet keeps the dtypes and the index (a confusion matrix's "actual" labels) across the round trip.
    df.to_parquet(buffer, engine="pyarrow")
    return buffer.getvalue()


def _figure_bytes(fig: Any) -> bytes:
    # Plotly's own JSON (never pickle); a figure given as a dict is already that JSON's structure.
    text = fig.to_json() if hasattr(fig, "to_json") else json.dumps(to_jsonable(fig), allow_nan=False)
    return text.encode("utf-8")


def save_run(workspace, result: AnalysisResult, *, analysis: str, parameters: dict[str, Any], as_of,
             started: datetime, batches: list[str] | None = None, command: str | None = None) -> str:
    """Save ``result`` as a run of ``analysis`` in ``workspace``; set and return its run id.

    Parameters
    ----------
    workspace : shopmine.workspace.Workspace
    result : AnalysisResult
        What the analysis returned; its ``models`` go to the workspace's model registry.
    analysis : str
        ``forecast``, ``segments``, ``classify``, ``clv`` ...: the folder ``<workspace>/runs/<analysis>``.
    parameters : dict
        The call's arguments, defaults included (recorded as JSON values).
    as_of : datetime.date or None
        The analysis's as-of date (None for a classic model fitted on a table).
    started : datetime.datetime
        When the analysis started (UTC); the run id is made from it.
    batches : list of str, optional
        Batch ids the analysis saw (default: the workspace's batches now).
    command : str, optional
        What ran it (default ``Shop.<analysis>``).

    Returns
    -------
    str
        The run id.
    """
    check_analysis(analysis)
    remove_orphan_models(workspace)  # and the hidden folders of saves that died
    batches = seen_batches(workspace) if batches is None else list(batches)
    run_id = new_run_id(started)
    files: dict[str, bytes] = {}
    tables = {}
    table_files = _file_names(result.tables, ".parquet")
    for name, df in result.tables.items():
        path = f"{layout.TABLES_DIR}/{table_files[name]}"
        files[path] = _table_bytes(df)
        tables[name] = {"file": path, "rows": int(len(df))}
    figures = {}
    figure_files = _file_names(result.figures, ".json")
    for name, fig in result.figures.items():
        path = f"{layout.FIGURES_DIR}/{figure_files[name]}"
        files[path] = _figure_bytes(fig)
        figures[name] = path
    files["metrics.json"] = (result.metrics_json() + "\n").encode("utf-8")

    tmp = layout.temp_dir(workspace, analysis, run_id)
    tmp.mkdir(parents=True)
    models: list[dict[str, Any]] = []
    try:
        for path, data in files.items():
            (tmp / path).parent.mkdir(exist_ok=True)
            (tmp / path).write_bytes(data)
        # Models last but one: a failure above never leaves a model behind.
        models = save_models(workspace, analysis, run_id, fitted_models(result), str(as_of))
        finished = datetime.now(timezone.utc)
        record = {
            "run_layout": RUN_LAYOUT, "run_id": run_id, "analysis": analysis, "status": STATUS_COMPLETE,
            "name": result.name, "title": result.title, "summary": result.summary,
            "command": command or f"Shop.{analysis}",
            "parameters": {k: jsonable_parameter(v) for k, v in parameters.items()},
            "as_of": None if as_of is None else str(as_of), "engine": workspace.settings.engine, "batches": batches,
            "rows": {name: t["rows"] for name, t in tables.items()}, "tables": tables, "figures": figures,
            "models": models, "library_versions": library_versions(),
            "started_at": iso(started.astimezone(timezone.utc)), "finished_at": iso(finished),
            "duration_seconds": round((finished - started).total_seconds(), 3),
            "files": {path: sha256_bytes(data) for path, data in files.items()},
        }
        record = sign_record(record, workspace.signing_key())
        text = json.dumps(record, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        (tmp / layout.METADATA_FILE).write_text(text, encoding="utf-8")
        os.rename(tmp, tmp.parent / run_id)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        delete_models(workspace, models)  # published, but their run will never appear
        raise
    result.run_id = run_id
    return run_id
