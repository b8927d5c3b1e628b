"""Rolling-origin backtest: refit at each origin, forecast the horizon, score against what happened."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from shopmine.errors import ShopmineInputError, invalid_value

__all__ = ["backtest_cutoffs", "rolling_origin"]

#: ``forecast(train, horizon, future) -> unique_id, ds, <model columns>``
ForecastFn = Callable[[pd.DataFrame, int, "pd.DataFrame | None"], pd.DataFrame]


def backtest_cutoffs(dates: pd.Series, horizon: int, windows: int, step: int) -> list[pd.Timestamp]:
    """The last training period of each window, oldest first.

    The newest window ends at the last period; each earlier one ``step`` periods before.

    Examples
    --------
    >>> d = pd.Series(pd.date_range("2024-01-01", periods=10))
    >>> [c.day for c in backtest_cutoffs(d, 2, 3, 1)]
    [6, 7, 8]
    """
    if windows < 1 or step < 1:
        bad, value = ("windows", windows) if windows < 1 else ("step", step)
        raise invalid_value(bad, "a whole number of at least 1", value)
    periods = pd.Index(sorted(pd.unique(dates)))
    last = len(periods) - 1 - horizon
    first = last - (windows - 1) * step
    if first < 1:
        raise ShopmineInputError(
            f"{{windows}} {windows} {{step}} {step} with {{horizon}} {horizon} needs more than "
            f"{horizon + (windows - 1) * step + 1} periods; the data has {len(periods)}. Lower them.", "windows",
            mentions=("step", "horizon"))
    return [periods[last - (windows - 1 - i) * step] for i in range(windows)]


def rolling_origin(series: pd.DataFrame, forecast: ForecastFn, horizon: int, cutoffs: list[pd.Timestamp],
                   known: list[str]) -> pd.DataFrame:
    """Forecasts of every window next to the actual values.

    Parameters
    ----------
    series : pandas.DataFrame
        ``unique_id, ds, y`` + drivers.
    forecast : callable
        ``forecast(train, horizon, future)`` returning ``unique_id, ds`` and model columns.
    horizon : int
    cutoffs : list of Timestamp
        From :func:`backtest_cutoffs`.
    known : list of str
        Drivers whose future values the forecast may see (taken from the actual rows).

    Returns
    -------
    pandas.DataFrame
        ``unique_id, ds, cutoff, y`` and the model columns; series with no row after a cutoff are
        left out of that window.
    """
    parts = []
    for cutoff in cutoffs:
        train = series[series["ds"] <= cutoff]
        alive = train["unique_id"].unique()
        test = series[(series["ds"] > cutoff) & series["unique_id"].isin(alive)]
        test = test.groupby("unique_id", sort=False).head(horizon)
        future = test[["unique_id", "ds", *known]] if known else None
        if known:
            # A series whose horizon is cut short by the data's end cannot take a full future frame.
            full = test.groupby("unique_id")["ds"].transform("size") == horizon
            train = train[train["unique_id"].isin(test.loc[full, "unique_id"])]
            future = future[full.to_numpy()]
        predicted = forecast(train, horizon, future)
        merged = test[["unique_id", "ds", "y"]].merge(predicted, on=["unique_id", "ds"], how="inner")
        parts.append(merged.assign(cutoff=cutoff))
    out = pd.concat(parts, ignore_index=True)
    return out[["unique_id", "ds", "cutoff", "y", *[c for c in out.columns if c not in ("unique_id", "ds", "cutoff", "y")]]]
