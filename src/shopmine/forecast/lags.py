"""Lag, rolling-mean and calendar features of a series frame, for training and recursive forecasting."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["calendar_dummies", "default_lags", "default_windows", "history_features", "tree_lags"]


def default_lags(season_length: int) -> list[int]:
    """The last few periods and one season back: 1..7 for days, 1..4 and 52 for weeks, 1..3 and 12 for months."""
    short = list(range(1, min(season_length, 7) + 1)) if season_length <= 7 else [1, 2, 3, 4]
    return sorted(set(short) | {season_length})


def default_windows(season_length: int) -> list[int]:
    """Rolling means over one and four seasons (capped at a year of weeks)."""
    return sorted({season_length, min(4 * season_length, 52)} if season_length < 52 else {4, 13, 52})


def tree_lags(season_length: int) -> list[int]:
    """:func:`default_lags` plus the same weekday two to four weeks back, for daily data.

    Trees pick the useful lags themselves, so they get more of them than the least-squares model;
    for longer seasons (a year of weeks) extra whole-season lags would need years of history.
    """
    extra = {2 * season_length, 3 * season_length, 4 * season_length} if season_length <= 7 else set()
    return sorted(set(default_lags(season_length)) | extra)


def history_features(history: np.ndarray, lags: list[int], windows: list[int]) -> dict[str, np.ndarray]:
    """Features of the next period from each series' past values (one row of ``history`` per series).

    ``history`` is right-aligned, NaN-padded on the left: the last column is the latest period.
    """
    out = {}
    for lag in lags:
        out[f"lag{lag}"] = history[:, -lag]
    for w in windows:
        with np.errstate(all="ignore"):
            window = history[:, -w:]
            count = np.sum(~np.isnan(window), axis=1)
            out[f"rolling_mean{w}"] = np.where(count > 0, np.nansum(window, axis=1) / np.maximum(count, 1), np.nan)
    return out


def training_features(frame: pd.DataFrame, lags: list[int], windows: list[int]) -> pd.DataFrame:
    """The same features as :func:`history_features`, for every training row (vectorised)."""
    grouped = frame.groupby("unique_id", sort=False)["y"]
    out = pd.DataFrame(index=frame.index)
    for lag in lags:
        out[f"lag{lag}"] = grouped.shift(lag)
    prev = grouped.shift(1)
    for w in windows:
        out[f"rolling_mean{w}"] = prev.groupby(frame["unique_id"], sort=False).rolling(w, min_periods=1).mean() \
            .reset_index(level=0, drop=True)
    return out


def calendar_dummies(ds: pd.Series, freq: str) -> pd.DataFrame:
    """Weekday dummies for days, month dummies for months (Monday / January is the baseline)."""
    ds = pd.to_datetime(pd.Series(ds).reset_index(drop=True))
    if freq == "D":
        values, names = ds.dt.weekday, ["tue", "wed", "thu", "fri", "sat", "sun"]
    elif freq == "M":
        values, names = ds.dt.month - 1, ["feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                          "nov", "dec"]
    else:  # weekly seasonality comes from the lag of one year
        return pd.DataFrame(index=ds.index)
    return pd.DataFrame({name: (values == i + 1).astype(float).to_numpy() for i, name in enumerate(names)})
