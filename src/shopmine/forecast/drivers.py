"""Drivers of a forecast: known ones (future values given) and the others, used lagged only.

A driver whose future is unknown (a product's price tomorrow, when no price plan is given) may only
enter a model at a lag of at least the horizon: then every value a forecast needs is already observed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from shopmine.errors import ShopmineInputError
from shopmine.forecast.data import horizon_dates

__all__ = ["DriverFrames", "prepare_drivers"]

KEYS = ("unique_id", "ds", "y")


@dataclass
class DriverFrames:
    """Training rows and forecast-period rows with model-ready driver columns.

    Attributes
    ----------
    train : pandas.DataFrame
        ``unique_id, ds, y`` + ``known`` + ``lagged`` columns.
    future : pandas.DataFrame
        ``unique_id, ds`` + the same driver columns, ``horizon`` rows per series.
    known, lagged : list of str
        Driver columns with given future values, and the ``<driver>_lag<h>`` columns.
    """

    train: pd.DataFrame
    future: pd.DataFrame
    known: list[str]
    lagged: list[str]


def prepare_drivers(train: pd.DataFrame, horizon: int, freq: str, future: pd.DataFrame | None = None) -> DriverFrames:
    """Split drivers into known and lagged and build the forecast-period rows.

    Parameters
    ----------
    train : pandas.DataFrame
        ``unique_id, ds, y`` and driver columns, sorted, up to the forecast origin.
    horizon : int
        Number of periods to forecast.
    freq : {"D", "W", "M"}
    future : pandas.DataFrame, optional
        ``unique_id, ds`` and the known drivers' values for the forecast periods.

    Returns
    -------
    DriverFrames

    Raises
    ------
    ShopmineInputError
        When ``future`` misses a forecast period of some series.
    """
    drivers = [c for c in train.columns if c not in KEYS]
    known = [c for c in (future.columns if future is not None else []) if c in drivers]
    unknown = [c for c in drivers if c not in known]
    grid = _forecast_periods(train.groupby("unique_id", sort=True)["ds"].max(), horizon, freq)
    if known:
        fut = future[["unique_id", "ds", *known]].copy()
        fut["unique_id"] = fut["unique_id"].astype(str)
        fut["ds"] = pd.to_datetime(fut["ds"])
        grid = grid.merge(fut, on=["unique_id", "ds"], how="left")
        missing = grid[known].isna().any(axis=1)
        if missing.any():
            ids = grid.loc[missing, "unique_id"].unique()[:5].tolist()
            raise ShopmineInputError(f"{{future}}: no values of {', '.join(known)} for some forecast periods of "
                                     f"series {ids}; give every series and period of the horizon.", "future")
    if not unknown:
        return DriverFrames(train[["unique_id", "ds", "y", *known]].reset_index(drop=True), grid, known, [])
    lag_names = [f"{d}_lag{horizon}" for d in unknown]
    both = pd.concat([train[["unique_id", "ds", *unknown]], grid[["unique_id", "ds"]]], ignore_index=True)
    both = both.sort_values(["unique_id", "ds"], kind="stable", ignore_index=True)
    shifted = both.groupby("unique_id", sort=False)[unknown].shift(horizon)
    shifted.columns = lag_names
    both = pd.concat([both[["unique_id", "ds"]], shifted], axis=1)
    out_train = train[["unique_id", "ds", "y", *known]].merge(both, on=["unique_id", "ds"], how="left")
    out_future = grid.merge(both, on=["unique_id", "ds"], how="left")
    return DriverFrames(out_train, out_future, known, lag_names)


def _forecast_periods(last: pd.Series, horizon: int, freq: str) -> pd.DataFrame:
    """``unique_id, ds``: the ``horizon`` periods after each series' last one, series in ``last``'s order.

    Series mostly share their last period, so the dates are built once per distinct last period.
    """
    ends = list(last)
    dates = {ts: horizon_dates(ts, horizon, freq).to_numpy() for ts in set(ends)}
    return pd.DataFrame({"unique_id": np.repeat(last.index.to_numpy(), horizon),
                         "ds": np.concatenate([dates[ts] for ts in ends])})
