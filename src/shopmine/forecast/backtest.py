"""Rolling-origin backtest: the windows' rows; the run refits at each origin and scores against what happened."""

from __future__ import annotations

import pandas as pd

from shopmine.errors import ShopmineInputError, invalid_value

__all__ = ["backtest_cutoffs", "scored_rows", "window_rows"]


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


def window_rows(series: pd.DataFrame, cutoff: pd.Timestamp, horizon: int,
                known: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """One backtest window: the training rows, the actual rows to score, and the known drivers.

    Parameters
    ----------
    series : pandas.DataFrame
        ``unique_id, ds, y`` + drivers.
    cutoff : Timestamp
        The window's last training period (from :func:`backtest_cutoffs`).
    horizon : int
    known : list of str
        Drivers whose future values the forecast may see (taken from the actual rows).

    Returns
    -------
    train, test : pandas.DataFrame
        Series with no row after the cutoff are left out of ``test``.
    future : pandas.DataFrame or None
        ``unique_id, ds`` and the ``known`` drivers of the test rows; None without known drivers.

    Examples
    --------
    >>> s = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=5), "y": range(5)})
    >>> train, test, future = window_rows(s, pd.Timestamp("2024-01-03"), 1, [])
    >>> len(train), test["y"].tolist(), future
    (3, [3], None)
    """
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
    return train, test, future


def scored_rows(test: pd.DataFrame, predicted: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    """``unique_id, ds, cutoff, y`` and the model columns of one window (rows forecast and observed)."""
    merged = test[["unique_id", "ds", "y"]].merge(predicted, on=["unique_id", "ds"], how="inner")
    merged = merged.assign(cutoff=cutoff)
    return merged[["unique_id", "ds", "cutoff", "y", *[c for c in merged.columns
                                                       if c not in ("unique_id", "ds", "cutoff", "y")]]]
