"""A trained risk model read back from a saved ``risk`` run, and the results of scoring and monitoring with it.

The model comes through the workspace's registry: the run's signed metadata names the versions, the registry
checks their signature and checksums and reads JSON and LightGBM text only (never pickle).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shopmine.errors import ShopmineInputError
from shopmine.result import AnalysisResult
from shopmine.risk.model import RiskModel

__all__ = ["ANALYSIS", "load_risk_model", "score_result"]

#: The analysis name of a training run (``<workspace>/runs/risk``).
ANALYSIS = "risk"


def load_risk_model(workspace, run_id: str | None = None) -> tuple[RiskModel, str]:
    """The risk model of the saved training run ``run_id`` (default: the latest) and that run's id.

    Raises
    ------
    ShopmineInputError
        When the workspace has no training run, ``run_id`` is not one, or its model cannot be read.
    """
    from shopmine.runs import latest_run, load_run

    if run_id is None:
        saved = latest_run(workspace, ANALYSIS)
        if saved is None:
            raise ShopmineInputError("this workspace has no trained risk model yet; train one first "
                                     "(`shopmine risk train`, or Shop.risk_train).", "run_id")
    else:
        saved = load_run(workspace, run_id)
        if saved.metadata.get("analysis") != ANALYSIS:
            raise ShopmineInputError(f"{{run_id}} {run_id} is a {saved.metadata.get('analysis')} run, not a risk "
                                     f"training; list them with `shopmine runs list`.", "run_id")
    references = {m["key"]: m for m in saved.metadata.get("models", [])}
    if {"scorecard", "challenger"} - set(references):
        raise ShopmineInputError(f"saved run {saved.run_id} keeps no risk model; train again.", "run_id")
    registry = workspace.registry()
    models = {key: registry.load(references[key]["name"], references[key]["version"])[0]
              for key in ("scorecard", "challenger")}
    return RiskModel.from_models(models), saved.run_id


def score_result(model: RiskModel, scores: pd.DataFrame, first_reasons: np.ndarray, *,
                 source_run: str | None) -> AnalysisResult:
    """The scores as a result: table ``scores`` (the output contract), how often each feature is the first
    reason (``first_reasons``: the feature per row, empty for none), and what the scores add up to."""
    threshold = float(model.spec["threshold"]["probability"])
    flagged = scores["probability"].to_numpy() >= threshold
    positive = model.spec["positive_class"]
    metrics = {"rows": int(len(scores)), "served": model.served, "source_run": source_run,
               "positive_class": positive, "mean_probability": float(scores["probability"].mean()),
               "median_score_points": float(scores["score_points"].median()), "threshold": threshold,
               "flagged": int(flagged.sum()), "flagged_share": float(flagged.mean()) if len(scores) else 0.0}
    summary = (f"Scored {len(scores):,} row(s) with the {model.served} of run {source_run}: mean P({positive}) "
               f"{metrics['mean_probability']:.3f}, median score {metrics['median_score_points']:.0f} points; "
               + (f"{metrics['flagged']:,} ({metrics['flagged_share']:.1%}) at or above the cost threshold "
                  f"{threshold:.3g}." if threshold <= 1 else
                  "none flagged: at the training's costs no row is worth flagging (its summary says how much a "
                  "miss would have to cost)."))
    named = pd.Series(first_reasons[first_reasons != ""], dtype=object)
    reasons = named.value_counts().rename_axis("feature").reset_index(name="rows_first_reason")
    reasons["share"] = reasons["rows_first_reason"] / max(len(scores), 1)
    return AnalysisResult(name="risk_score", title=f"Risk scores (P({positive}))", summary=summary,
                          tables={"scores": scores, "first_reasons": reasons}, metrics=metrics)
