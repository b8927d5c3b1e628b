"""Conformal prediction intervals from backtest residuals.

Per series, the absolute backtest errors of a model (all windows and horizon steps pooled) give the
half-width at each level: the ``ceil((n + 1) * level) / n`` empirical quantile (the finite-sample
conformal quantile), capped at the largest error. Intervals of non-negative targets are cut at zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["LEVELS", "conformal_widths", "coverage", "add_intervals"]

LEVELS = (80, 95)


def _quantile(errors: np.ndarray, level: int) -> float:
    errors = np.sort(errors[np.isfinite(errors)])
    n = len(errors)
    if n == 0:
        return np.nan
    rank = min(int(np.ceil((n + 1) * level / 100)), n)
    return float(errors[rank - 1])


def conformal_widths(backtest: pd.DataFrame, column: str, levels=LEVELS) -> pd.DataFrame:
    """Half-widths per series and level from one model's backtest errors.

    Examples
    --------
    >>> bt = pd.DataFrame({"unique_id": "a", "y": [1.0, 2, 3, 4], "m": [1.0, 1, 1, 1]})
    >>> conformal_widths(bt, "m").to_dict("records")
    [{'unique_id': 'a', 'width_80': 3.0, 'width_95': 3.0}]
    """
    err = (backtest["y"] - backtest[column]).abs()
    rows = [{"unique_id": uid, **{f"width_{lv}": _quantile(e.to_numpy(float), lv) for lv in levels}}
            for uid, e in err.groupby(backtest["unique_id"], sort=True)]
    return pd.DataFrame(rows, columns=["unique_id", *[f"width_{lv}" for lv in levels]])


def add_intervals(forecast: pd.DataFrame, column: str, widths: pd.DataFrame, prefix: str,
                  nonnegative: bool, levels=LEVELS) -> pd.DataFrame:
    """Add ``<prefix>-lo-<level>`` and ``<prefix>-hi-<level>`` around ``column``."""
    out = forecast.merge(widths, on="unique_id", how="left")
    for lv in levels:
        lo = out[column] - out[f"width_{lv}"]
        out[f"{prefix}-lo-{lv}"] = lo.clip(lower=0.0) if nonnegative else lo
        out[f"{prefix}-hi-{lv}"] = out[column] + out[f"width_{lv}"]
    return out.drop(columns=[f"width_{lv}" for lv in levels])


def coverage(backtest: pd.DataFrame, column: str, nonnegative: bool, levels=LEVELS) -> dict[int, float]:
    """Share of backtest actuals inside intervals calibrated on the *other* windows (cross-conformal).

    NaN with a single window: there is nothing else to calibrate on.
    """
    cutoffs = backtest["cutoff"].unique()
    if len(cutoffs) < 2:
        return {lv: float("nan") for lv in levels}
    hits = {lv: [] for lv in levels}
    for cutoff in cutoffs:
        held = backtest[backtest["cutoff"] == cutoff]
        widths = conformal_widths(backtest[backtest["cutoff"] != cutoff], column, levels)
        bounded = add_intervals(held, column, widths, "i", nonnegative, levels)
        for lv in levels:
            inside = (bounded["y"] >= bounded[f"i-lo-{lv}"]) & (bounded["y"] <= bounded[f"i-hi-{lv}"])
            hits[lv].append(inside[bounded[f"i-lo-{lv}"].notna()].to_numpy())
    return {lv: float(np.concatenate(hits[lv]).mean()) for lv in levels}
