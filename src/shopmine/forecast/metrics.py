"""Forecast error measures, each computed per series and then averaged over series (plain mean),
except WAPE, which by its definition weights by volume: the sum of absolute errors over all series
and periods divided by the sum of actuals (a per-series WAPE is undefined or explodes for the
intermittent series retail is full of; pooled, it matches the issue's reference figures, e.g.
seasonal naive 1.136 on Online Retail).

Scales (for MASE and RMSSE) come from each series' training history:

- MASE: mean absolute in-sample seasonal-naive error ``|y_t - y_{t-m}|``;
- RMSSE (M5): mean squared in-sample one-step error ``(y_t - y_{t-1})**2`` counted from the series'
  first non-zero value (leading zeros are periods before the product existed).

A series whose scale is zero (a constant history) has an undefined scaled error; it is left out of
that mean.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["METRICS", "evaluate", "series_scales"]

#: The measures :func:`evaluate` returns, in display order.
METRICS = ("mae", "mse", "rmse", "wape", "mase", "rmsse")


def series_scales(history: pd.DataFrame, season_length: int) -> pd.DataFrame:
    """The MASE and RMSSE denominators of each series.

    Parameters
    ----------
    history : pandas.DataFrame
        ``unique_id, ds, y``: the training rows (before the forecast origin).
    season_length : int
        The seasonal period ``m`` of the seasonal-naive scale.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``unique_id``: ``mase_scale`` (mean ``|y_t - y_{t-m}|``; with ``m`` or fewer periods,
        where no seasonal difference exists, the non-seasonal mean ``|y_t - y_{t-1}|``, as Hyndman and
        Koehler (2006) define MASE for non-seasonal data: a year of weekly history still gets a score)
        and ``rmsse_scale`` (mean ``(y_t - y_{t-1})**2`` from the first non-zero ``y``); NaN when a
        series has a single period.

    Examples
    --------
    >>> h = pd.DataFrame({"unique_id": "a", "ds": range(5), "y": [0.0, 2, 4, 4, 8]})
    >>> series_scales(h, 2).round(4).to_dict("records")
    [{'mase_scale': 3.3333, 'rmsse_scale': 6.6667}]
    """
    # Vectorised over the sorted rows (a Python loop per series took most of a 25,000-series run's
    # scoring): each difference is taken within a series, sums and counts by series code.
    frame = history[["unique_id", "ds", "y"]].sort_values(["unique_id", "ds"], kind="stable")
    codes, ids = pd.factorize(frame["unique_id"], sort=True)
    y = frame["y"].to_numpy(dtype=float)
    n_series = len(ids)
    size = np.bincount(codes, minlength=n_series)
    pos = np.arange(len(y)) - np.repeat(np.cumsum(size) - size, size)  # position within its series

    def mean_by_series(values: np.ndarray, valid: np.ndarray) -> np.ndarray:
        total = np.bincount(codes[valid], weights=values[valid], minlength=n_series)
        count = np.bincount(codes[valid], minlength=n_series)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, total / np.maximum(count, 1), np.nan)

    def diff(lag: np.ndarray) -> np.ndarray:
        """``y_t - y_{t-lag}`` (lag per row), garbage where ``pos < lag`` (masked by the callers)."""
        back = np.arange(len(y)) - lag
        return y - y[np.maximum(back, 0)]

    lag = np.where(size > season_length, season_length, 1)[codes]
    seasonal = mean_by_series(np.abs(diff(lag)), pos >= lag)
    started = pd.Series(y != 0).groupby(codes).cummax().to_numpy()
    one = np.ones(len(y), dtype=np.int64)
    # a step counts when the period before it is on or after the series' first non-zero value
    prev_started = np.concatenate([[False], started[:-1]]) & (pos >= 1)
    steps = mean_by_series(diff(one) ** 2, prev_started)
    frame = pd.DataFrame({"mase_scale": seasonal, "rmsse_scale": steps}, index=pd.Index(ids, name="unique_id"))
    return frame


def per_series_errors(actual: pd.DataFrame, forecast_col: str, scales: pd.DataFrame) -> pd.DataFrame:
    """Each measure per series for one forecast column.

    Parameters
    ----------
    actual : pandas.DataFrame
        ``unique_id, y`` and the forecast column, one row per forecast period.
    forecast_col : str
        The column with the forecasts.
    scales : pandas.DataFrame
        From :func:`series_scales`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``unique_id``, one column per measure in :data:`METRICS`.
    """
    err = actual["y"].to_numpy(float) - actual[forecast_col].to_numpy(float)
    work = pd.DataFrame({"unique_id": actual["unique_id"].to_numpy(), "abs": np.abs(err), "sq": err ** 2,
                         "y": np.abs(actual["y"].to_numpy(float))})
    agg = work.groupby("unique_id", sort=True).agg(mae=("abs", "mean"), mse=("sq", "mean"),
                                                    abs_sum=("abs", "sum"), y_sum=("y", "sum"))
    agg["rmse"] = np.sqrt(agg["mse"])
    agg["wape"] = agg["abs_sum"] / agg["y_sum"].where(agg["y_sum"] > 0)
    s = scales.reindex(agg.index)
    agg["mase"] = agg["mae"] / s["mase_scale"].where(s["mase_scale"] > 0)
    agg["rmsse"] = np.sqrt(agg["mse"] / s["rmsse_scale"].where(s["rmsse_scale"] > 0))
    return agg[list(METRICS)]


def evaluate(actual: pd.DataFrame, forecast_cols: list[str], scales: pd.DataFrame) -> dict[str, dict[str, float]]:
    """The measures of several forecast columns: a plain mean over series, WAPE pooled.

    Parameters
    ----------
    actual : pandas.DataFrame
        ``unique_id, y`` and one column per forecast.
    forecast_cols : list of str
        The forecast columns to score.
    scales : pandas.DataFrame
        From :func:`series_scales` on the training rows.

    Returns
    -------
    dict
        ``{column: {"mae": ..., "mse": ..., "rmse": ..., "wape": ..., "mase": ..., "rmsse": ...}}``;
        a measure no series defines is NaN.

    Examples
    --------
    >>> a = pd.DataFrame({"unique_id": ["a", "a"], "y": [1.0, 3.0], "f": [2.0, 2.0]})
    >>> s = pd.DataFrame({"mase_scale": [2.0], "rmsse_scale": [4.0]}, index=pd.Index(["a"], name="unique_id"))
    >>> {k: round(v, 3) for k, v in evaluate(a, ["f"], s)["f"].items()}
    {'mae': 1.0, 'mse': 1.0, 'rmse': 1.0, 'wape': 0.5, 'mase': 0.5, 'rmsse': 0.5}
    """
    out = {}
    total = float(np.abs(actual["y"].to_numpy(float)).sum())
    for col in forecast_cols:
        table = per_series_errors(actual, col, scales)
        out[col] = {name: float(table[name].mean()) if table[name].notna().any() else float("nan")
                    for name in METRICS}
        abs_err = float(np.abs(actual["y"].to_numpy(float) - actual[col].to_numpy(float)).sum())
        out[col]["wape"] = abs_err / total if total > 0 else float("nan")
    return out
