"""A run's fitted models, kept in the workspace's model registry (skops / LightGBM text / JSON).

The run's metadata references each model as ``{"name": ..., "version": ...}``; the registry version's own
signed metadata names the run. A version is published before its run folder is renamed into place, so a
process killed between the two leaves a complete version whose run never appeared: an orphan.
:func:`remove_orphan_models` removes such versions (and the registry's and runs' hidden leftovers); every
save, ``runs list``, ``runs delete`` and the report call it first. A registry version is itself written
atomically, so a kill never leaves a half-written model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shopmine.result import AnalysisResult
from shopmine.runs import layout
from shopmine.runs.ids import ANALYSIS, RUN_ID


def fitted_models(result: AnalysisResult) -> dict[str, Any]:
    """The models of ``result`` worth keeping: its ``models`` field, and for CLV the fitted parameters
    (a JSON model: the purchase model's and Gamma-Gamma's parameters, time unit one day)."""
    models = dict(result.models)
    metrics = result.metrics
    if result.name == "clv" and "model" in metrics and metrics.get(metrics["model"]) is not None:
        models.setdefault("parameters", {
            "purchase_model": metrics["model"], "purchase_parameters": metrics[metrics["model"]],
            "gamma_gamma": metrics.get("gamma_gamma"), "time_unit": metrics.get("time_unit", "day")})
    return models


def save_models(workspace, analysis: str, run_id: str, models: dict[str, Any], as_of: str) -> list[dict[str, Any]]:
    """Save each model as ``<analysis>-<key>`` in the workspace's registry; return the references.

    When one cannot be saved, those already published are deleted before the error propagates.
    """
    if not models:
        return []
    registry = workspace.registry()
    references: list[dict[str, Any]] = []
    try:
        for key, model in models.items():
            version = registry.save(f"{analysis}-{key}", model,
                                    metadata={"run_id": run_id, "analysis": analysis, "as_of": as_of})
            references.append({"key": key, "name": version.name, "version": version.version,
                               "format": version.format})
    except BaseException:
        delete_models(workspace, references)
        raise
    return references


def delete_models(workspace, references: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Delete the registry versions ``references`` name; return those that were there."""
    registry = workspace.registry()
    return [ref for ref in references if registry.delete(ref["name"], ref["version"])]


def _references(folder: Path) -> set[tuple[str, int]]:
    """``(name, version)`` of each model a run folder's ``metadata.json`` names, read without verifying it:
    a damaged run still keeps the versions it names (a version is removed only when nothing names it)."""
    try:
        record = json.loads((folder / layout.METADATA_FILE).read_text(encoding="utf-8"))
        return {(m["name"], m["version"]) for m in record.get("models", [])
                if isinstance(m, dict) and isinstance(m.get("name"), str) and isinstance(m.get("version"), int)}
    except (OSError, ValueError, AttributeError, TypeError, KeyError):
        return set()


def referenced_models(workspace) -> set[tuple[str, int]]:
    """Every ``(name, version)`` some saved run of the workspace names."""
    used: set[tuple[str, int]] = set()
    for folder in layout.run_folders(workspace):
        used |= _references(folder)
    return used


def _run_present(workspace, analysis: str, run_id: str) -> bool:
    """Whether the run is saved, or being saved by a live process (its hidden folder is there).

    The hidden folder is looked for first: the save renames it to the run folder, so a run seen in
    neither place (checked in this order) has no process left that could still save it.
    """
    folder = layout.analysis_dir(workspace, analysis)
    if not folder.is_dir():
        return False
    if any(entry.name.startswith(f".tmp-{run_id}-") for entry in folder.iterdir()):
        return True
    return (folder / run_id).is_dir()


def remove_orphan_models(workspace) -> list[dict[str, Any]]:
    """Remove the model versions saved for a run that is not there (killed before its folder was renamed
    into place, or deleted) and that no saved run names; return ``{name, version, run_id}`` of each.

    Hidden folders of saves, deletes and publications that died midway go first
    (:func:`shopmine.runs.layout.clean_leftovers`, :meth:`~shopmine.registry.ModelRegistry.clean_leftovers`),
    so a run counts as being saved only while its process lives. Versions not saved with a run (no
    ``run_id`` in their metadata), or whose signed metadata does not verify, are left alone.
    """
    layout.clean_leftovers(workspace)
    registry = workspace.registry()
    registry.clean_leftovers()
    names = registry.names()
    if not names:
        return []
    used = referenced_models(workspace)
    removed = []
    for name in names:
        for version in registry.readable_versions(name):
            run_id, analysis = version.metadata.get("run_id"), version.metadata.get("analysis")
            if not (isinstance(run_id, str) and RUN_ID.fullmatch(run_id)
                    and isinstance(analysis, str) and ANALYSIS.fullmatch(analysis)):
                continue
            if (name, version.version) in used or _run_present(workspace, analysis, run_id):
                continue
            if registry.delete(name, version.version):
                removed.append({"name": name, "version": version.version, "run_id": run_id})
    return removed
