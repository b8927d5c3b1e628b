"""Listing, finding the latest, and deleting saved runs; telling whether a run predates the last ingest."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from typing import Any

from shopmine.runs import layout
from shopmine.runs.integrity import RunIntegrityError
from shopmine.runs.load import SavedRun, load_folder, read_metadata, run_folder
from shopmine.runs.metadata import batches_loaded_since
from shopmine.runs.models import remove_orphan_models


@dataclass
class RunEntry:
    """One run folder as listed: its verified metadata, or why it cannot be read."""

    run_id: str
    analysis: str
    metadata: dict[str, Any] | None
    problem: str | None = None

    @property
    def sort_key(self) -> tuple[str, str]:
        return ((self.metadata or {}).get("started_at", ""), self.run_id)


def list_runs(workspace, analysis: str | None = None) -> list[RunEntry]:
    """Every saved run (of ``analysis``, or all), oldest first. A run whose metadata does not verify is
    listed with its problem instead of hiding it or failing the whole list. Listing every run first removes
    what killed saves left behind (:func:`~shopmine.runs.models.remove_orphan_models`)."""
    if analysis is None:
        remove_orphan_models(workspace)
    key = workspace.signing_key()
    entries = []
    for folder in layout.run_folders(workspace, analysis):
        try:
            entries.append(RunEntry(folder.name, folder.parent.name, read_metadata(folder, key)))
        except RunIntegrityError as exc:
            entries.append(RunEntry(folder.name, folder.parent.name, None, str(exc)))
    return sorted(entries, key=lambda e: e.sort_key)


def latest_run(workspace, analysis: str) -> SavedRun | None:
    """The most recent saved run of ``analysis`` (by start time), or None when it was never run.

    Raises
    ------
    RunIntegrityError
        When the latest run's files were changed since it was saved.
    """
    folders = list(layout.run_folders(workspace, analysis))
    if not folders:
        return None
    key = workspace.signing_key()
    latest = max(list_runs(workspace, analysis), key=lambda e: e.sort_key)
    if latest.problem:
        raise RunIntegrityError(latest.problem)
    return load_folder(layout.analysis_dir(workspace, analysis) / latest.run_id, key)


@dataclass
class DeletedRun:
    """What ``delete_run`` removed: the run's analysis, the model versions only it used, and the versions it
    named that another run uses (kept)."""

    analysis: str
    models_removed: list[dict[str, Any]]
    models_kept: list[dict[str, Any]]


def delete_run(workspace, run_id: str) -> DeletedRun:
    """Delete the saved run ``run_id`` and the model versions no other run uses.

    The folder is first renamed to a hidden name, so that readers never see half of it. Its models are
    then removed as orphans (:func:`~shopmine.runs.models.remove_orphan_models`): a version another run
    names stays, and a process killed in between leaves orphans the next listing or save removes.
    """
    folder = run_folder(workspace, run_id)
    try:
        named = read_metadata(folder, workspace.signing_key()).get("models", [])
    except RunIntegrityError:
        named = []  # a damaged run's list is not trusted; its versions go as orphans all the same
    doomed = layout.doomed_dir(folder)
    os.rename(folder, doomed)
    shutil.rmtree(doomed, ignore_errors=True)
    removed = {(m["name"], m["version"]) for m in remove_orphan_models(workspace)}
    return DeletedRun(folder.parent.name, [m for m in named if (m["name"], m["version"]) in removed],
                      [m for m in named if (m["name"], m["version"]) not in removed])


def stale_batches(workspace, metadata: dict[str, Any], current: list[str] | None = None) -> list[str]:
    """Batches loaded (or removed) since the run: empty when the run saw the workspace's data as it is, and
    for a run without an as-of date, which analysed a table the user brought (a risk model of a loans file,
    its scores) and read none of the workspace's orders: a later ingest changes nothing it computed.
    ``current``: the workspace's batches now (:func:`~shopmine.runs.metadata.seen_batches`), read once by
    a caller that checks many runs."""
    if metadata.get("as_of") is None:
        return []
    return batches_loaded_since(workspace, metadata.get("batches", []), current)
