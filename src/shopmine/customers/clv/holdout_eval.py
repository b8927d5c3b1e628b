"""Scoring purchase predictions on a holdout period against the simple references."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from shopmine.customers.clv.bgnbd import BetaGeoModel
from shopmine.customers.clv.pareto_nbd import ParetoNBDModel
from shopmine.errors import ShopmineInputError

__all__ = ["holdout_predictions", "holdout_scores", "rate_so_far"]


def rate_so_far(frequency, T, horizon: float) -> np.ndarray:
    """Repeat purchases per unit of time so far, times the horizon (0 when T is 0: no time observed)."""
    x, t = np.asarray(frequency, dtype=float), np.asarray(T, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(t > 0, x / t, 0.0) * float(horizon)


def holdout_predictions(calibration: pd.DataFrame) -> dict[str, np.ndarray]:
    """Holdout purchases predicted by Pareto/NBD and BG/NBD (fitted on the calibration summary),
    rate-so-far and zero.

    Parameters
    ----------
    calibration : pandas.DataFrame
        :func:`shopmine.features.calibration_and_holdout` output: ``frequency_cal, recency_cal, T_cal,
        duration_holdout``.
    """
    x, tx, t = (calibration[c].to_numpy(float) for c in ("frequency_cal", "recency_cal", "T_cal"))
    horizon = float(calibration["duration_holdout"].iloc[0])
    bgnbd = BetaGeoModel().fit(x, tx, t)
    pareto = ParetoNBDModel().fit(x, tx, t)
    return {"pareto_nbd": pareto.expected_purchases(horizon, x, tx, t),
            "bgnbd": bgnbd.expected_purchases(horizon, x, tx, t), "rate_so_far": rate_so_far(x, t, horizon),
            "predict_zero": np.zeros(len(x))}


def holdout_scores(actual, predictions: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """RMSE and MAE per customer and error of the total, one row per model, best RMSE first.

    Expected purchases are a mean forecast, so they are judged on RMSE (minimised by the mean) and the
    total; MAE is reported beside them but is minimised by each customer's median, not the mean: it
    rewards forecasts below the expected purchases (predicting zero scores well wherever most customers
    do not come back).

    Parameters
    ----------
    actual : array-like
        Purchases per customer in the holdout.
    predictions : mapping of str to array-like
        Predictions per model, aligned with ``actual``.

    Returns
    -------
    pandas.DataFrame
        ``model, mae, rmse, predicted_total, actual_total, total_error`` (relative, -0.13 = 13 % short).
    """
    y = np.asarray(actual, dtype=float)
    rows = []
    for name, pred in predictions.items():
        pred = np.asarray(pred, dtype=float)
        if pred.shape != y.shape:
            raise ShopmineInputError(f"predictions of {name!r} have shape {pred.shape}; actual has {y.shape}.")
        rows.append({"model": name, "mae": float(np.abs(pred - y).mean()),
                     "rmse": float(np.sqrt(((pred - y) ** 2).mean())), "predicted_total": float(pred.sum()),
                     "actual_total": float(y.sum()), "total_error": float(pred.sum() / y.sum() - 1)})
    return pd.DataFrame(rows).sort_values("rmse", kind="stable").reset_index(drop=True)
