"""A run's fitted models, kept in the workspace's model registry (skops / LightGBM text / JSON).

The run's metadata references each model as ``{"name": ..., "version": ...}``; the registry version's own
metadata names the run, so a version whose run never got saved (the process was killed between the two)
is recognisable as an orphan. A registry version is itself written atomically, so a kill never leaves a
half-written model.
"""

from __future__ import annotations

from typing import Any

from shopmine.result import AnalysisResult


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
    """Save each model as ``<analysis>-<key>`` in the workspace's registry; return the references."""
    if not models:
        return []
    registry = workspace.registry()
    references = []
    for key, model in models.items():
        version = registry.save(f"{analysis}-{key}", model,
                                metadata={"run_id": run_id, "analysis": analysis, "as_of": as_of})
        references.append({"key": key, "name": version.name, "version": version.version,
                           "format": version.format})
    return references
