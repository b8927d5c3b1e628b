"""The long series frame ``unique_id, ds, y`` (+ driver columns) that every forecaster reads.

It comes either from a workspace's sales panel (:func:`series_from_panel`) or from any table the user
brings (:func:`series_from_table`). Checks raise :class:`~shopmine.errors.ShopmineInputError` naming
the option, column and offending ids.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shopmine.errors import ShopmineInputError, invalid_value

__all__ = [
    "FREQS", "PANEL_DRIVERS", "SEASON_LENGTH", "choose_series", "default_season_length", "sample_series",
    "sample_stats", "series_from_panel",
    "series_from_table", "to_monthly", "top_series",
]

FREQS = ("D", "W", "M")
#: Season length per frequency: a week of days, a year of weeks, a year of months.
SEASON_LENGTH = {"D": 7, "W": 52, "M": 12}
#: Panel columns offered as drivers; their future values are unknown unless given.
PANEL_DRIVERS = ("avg_price", "discount_share", "discount_depth")
#: pandas offsets of the period starts (weeks start on Monday, months on the 1st).
PANDAS_FREQ = {"D": "D", "W": "W-MON", "M": "MS"}
#: Training periods the fitted models (linear, lgbm, AutoETS) keep, counted back from the last one: a
#: year of days. Their cost grows with each series' length, a year holds 52 weekly cycles, and older
#: rows mostly repeat the same yearly pattern (lag features still see the whole history). Weekly and
#: monthly series keep all of it: a year of weeks is a single season.
RECENT_PERIODS = {"D": 365}


def sample_series(frame: pd.DataFrame, since: pd.Timestamp | None, max_rows: int) -> np.ndarray | None:
    """Ids of about ``max_rows`` rows' worth of series (rows dated after ``since``), spread over the sales range.

    The global models (linear, lgbm) fit one set of parameters to every series' rows, so their cost
    grows with the rows while their fit stops improving long before a shop's thousands of series
    are all in: a shop with many series trains them on a subset of whole series, and every series is
    still forecast from its own history. The subset is every k-th series in order of sales (total
    ``y`` after ``since``, ties by id), from the best seller down: a systematic sample that keeps the
    whole range of levels, because trees cannot forecast a level beyond those they were trained on
    (a random draw may leave out the few best sellers that make most of the volume). None when every
    series fits under ``max_rows``.

    Examples
    --------
    >>> df = pd.DataFrame({"unique_id": list("aabbccdd"), "ds": pd.to_datetime(["2024-01-01", "2024-01-02"] * 4),
    ...                    "y": [1.0, 1, 4, 4, 2, 2, 3, 3]})
    >>> sample_series(df, None, 8) is None, sample_series(df, None, 4).tolist()
    (True, ['b', 'c'])
    >>> sample_series(df, pd.Timestamp("2024-01-01"), 3).tolist()  # one recent row each: 4 / 3 apart
    ['b', 'd', 'c']
    """
    return choose_series(sample_stats(frame, since), max_rows)


def sample_stats(frame: pd.DataFrame, since: pd.Timestamp | None) -> pd.DataFrame:
    """Per series: ``size`` and ``sum`` of ``y`` over the rows dated after ``since``, indexed by ``unique_id``.

    What :func:`sample_series` ranks by; per series only, so the Spark path computes it on each
    partition of whole series and ranks the concatenated frame with :func:`choose_series`.
    """
    recent = frame if since is None else frame[frame["ds"] > since]
    return recent.groupby("unique_id", sort=True)["y"].agg(["size", "sum"])


def choose_series(stats: pd.DataFrame, max_rows: int) -> np.ndarray | None:
    """:func:`sample_series`' choice from :func:`sample_stats` (any row order): None when all fit."""
    stats = stats.sort_index()
    total = int(stats["size"].sum())
    if total <= max_rows:
        return None
    ranked = stats.reset_index().sort_values(["sum", "unique_id"], ascending=[False, True], kind="stable")
    # k = total / max_rows series apart (k not whole: positions rounded down), for about max_rows rows.
    taken = np.unique(np.arange(0.0, len(ranked), total / max_rows).astype(np.int64))
    return ranked["unique_id"].to_numpy()[taken]


def default_season_length(freq: str) -> int:
    """7 for days, 52 for weeks, 12 for months."""
    check_freq(freq)
    return SEASON_LENGTH[freq]


def check_freq(freq: object, parameter: str = "freq") -> str:
    if freq not in FREQS:
        raise invalid_value(parameter, "D (days), W (ISO weeks, ds = Monday) or M (months)", freq)
    return str(freq)


def _short(ids) -> str:
    ids = list(ids)
    return ", ".join(map(str, ids[:5])) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")


def _fill_drivers(frame: pd.DataFrame, drivers: list[str]) -> pd.DataFrame:
    # A price is undefined in a period without sales; the last known price is what a shopper saw.
    if drivers:
        frame[drivers] = frame.groupby("unique_id", sort=False)[drivers].ffill()
        frame[drivers] = frame.groupby("unique_id", sort=False)[drivers].bfill()
    return frame


def series_from_panel(panel: pd.DataFrame, *, target: str = "units",
                      drivers: tuple[str, ...] = PANEL_DRIVERS) -> pd.DataFrame:
    """The series frame of a sales panel (from :meth:`shopmine.shop.Shop.sales_panel`).

    Parameters
    ----------
    panel : pandas.DataFrame
        ``unique_id, ds`` and the panel's measures.
    target : str, default="units"
        The measure to forecast.
    drivers : tuple of str
        Panel columns kept as drivers (forward-filled within each series).

    Returns
    -------
    pandas.DataFrame
        ``unique_id`` (str), ``ds`` (datetime64), ``y`` (float) and the drivers, sorted.
    """
    frame = panel[["unique_id", "ds", target, *drivers]].rename(columns={target: "y"}).copy()
    frame["unique_id"] = frame["unique_id"].astype(str)
    frame["ds"] = pd.to_datetime(frame["ds"])
    frame["y"] = frame["y"].astype(float)
    frame = frame.sort_values(["unique_id", "ds"], ignore_index=True)
    return _fill_drivers(frame, list(drivers))


def to_monthly(frame: pd.DataFrame) -> pd.DataFrame:
    """Daily series summed into calendar months (``ds`` = the 1st); drivers are averaged."""
    drivers = [c for c in frame.columns if c not in ("unique_id", "ds", "y")]
    month = frame["ds"].dt.to_period("M").dt.to_timestamp()
    agg = {"y": "sum", **{d: "mean" for d in drivers}}
    out = frame.assign(ds=month).groupby(["unique_id", "ds"], as_index=False).agg(agg)
    return out.sort_values(["unique_id", "ds"], ignore_index=True)


def series_from_table(table: pd.DataFrame, *, id_col: str | None, time_col: str, target_col: str,
                      freq: str) -> pd.DataFrame:
    """The series frame of a user's table: one row per series and period, drivers kept.

    Parameters
    ----------
    table : pandas.DataFrame
        The user's table.
    id_col : str or None
        The series id column; None for a single series (id ``"total"``).
    time_col, target_col : str
        The period and the value to forecast.
    freq : {"D", "W", "M"}
        The table's frequency; ``ds`` is moved to the period start (Monday, the 1st).

    Returns
    -------
    pandas.DataFrame
        ``unique_id, ds, y`` and the other numeric columns as drivers.

    Raises
    ------
    ShopmineInputError
        A column is missing, a date or target value cannot be read, or a series repeats a period.
    """
    check_freq(freq)
    for parameter, col in (("id_col", id_col), ("time_col", time_col), ("target_col", target_col)):
        if col is not None and col not in table.columns:
            raise invalid_value(parameter, f"a column of the table ({', '.join(map(str, table.columns))})", col)
    frame = table.copy()
    uid = frame[id_col].astype(str) if id_col else pd.Series("total", index=frame.index)
    ds = pd.to_datetime(frame[time_col], errors="coerce")
    if ds.isna().any():
        bad = frame.index[ds.isna()][:5].tolist()
        raise ShopmineInputError(f"{{time_col}} {time_col!r}: rows {bad} are not dates.", "time_col")
    y = pd.to_numeric(frame[target_col], errors="coerce")
    if y.isna().any():
        bad = frame.index[y.isna()][:5].tolist()
        raise ShopmineInputError(f"{{target_col}} {target_col!r}: rows {bad} are not numbers; fill or drop them.",
                                 "target_col")
    if freq == "W":
        ds = ds - pd.to_timedelta(ds.dt.weekday, unit="D")
    elif freq == "M":
        ds = ds.dt.to_period("M").dt.to_timestamp()
    drivers = [c for c in frame.columns if c not in (id_col, time_col, target_col)
               and pd.api.types.is_numeric_dtype(frame[c])]
    out = pd.DataFrame({"unique_id": uid.to_numpy(), "ds": ds.dt.normalize().to_numpy(), "y": y.astype(float).to_numpy()})
    for d in drivers:
        out[d] = frame[d].astype(float).to_numpy()
    dup = out.duplicated(["unique_id", "ds"])
    if dup.any():
        raise ShopmineInputError(
            f"{{data}}: series {_short(out.loc[dup, 'unique_id'].unique())} repeat a period; give one row per "
            "series and period (check {id_col} and {freq}).", "data", mentions=("id_col", "freq"))
    out = out.sort_values(["unique_id", "ds"], ignore_index=True)
    _check_spacing(out, freq, time_col)
    return _fill_drivers(_complete(out, freq), drivers)


def _complete(frame: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Every series from its first row to the table's last period; missing periods get ``y = 0``.

    A period without a row is a period without sales (as in the workspace's zero-filled panel), and
    every series runs to the same last period so that all forecasts start on the same date. Drivers
    of added rows are left missing for :func:`_fill_drivers`.
    """
    end = frame["ds"].max()
    parts = []
    for uid, g in frame.groupby("unique_id", sort=True):
        full = pd.date_range(g["ds"].min(), end, freq=PANDAS_FREQ[freq])
        g = g.set_index("ds").reindex(full)
        g.index.name = "ds"
        g["unique_id"] = uid
        g["y"] = g["y"].fillna(0.0)
        parts.append(g.reset_index())
    cols = list(frame.columns)
    return pd.concat(parts, ignore_index=True)[cols]


def _check_spacing(frame: pd.DataFrame, freq: str, time_col: str) -> None:
    """Refuse a table whose dates are never one period apart: its ``freq`` is too fine.

    Zero-filling weekly rows read as days would add six days without sales after each week. The
    distinct dates of the whole table are used, so sparse series of a daily table pass.
    """
    dates = pd.DataFrame({"unique_id": "all", "ds": pd.Series(frame["ds"].unique()).sort_values()})
    steps = _steps(dates, freq).dropna()
    if len(steps) and steps.min() > 1:
        gap = int(steps.min())
        unit = {"D": "days", "W": "weeks", "M": "months"}[freq]
        coarser = {"D": " (use {freq} W or M)", "W": " (use {freq} M)", "M": ""}[freq]
        raise ShopmineInputError(f"{{freq}} {freq}: the dates in {{time_col}} {time_col!r} are at least {gap} "
                                 f"{unit} apart; the table is coarser than {{freq}}{coarser}.", "freq",
                                 mentions=("time_col",))


def _steps(frame: pd.DataFrame, freq: str) -> pd.Series:
    """Periods between consecutive rows of each series (NaN on each series' first row)."""
    if freq == "M":
        index = frame["ds"].dt.year * 12 + frame["ds"].dt.month
    else:
        index = (frame["ds"] - pd.Timestamp("1970-01-05")).dt.days // (7 if freq == "W" else 1)
    return index.groupby(frame["unique_id"].to_numpy(), sort=False).diff()


def top_series(frame: pd.DataFrame, n: int) -> pd.DataFrame:
    """The ``n`` series with the largest total ``y`` (ties by id), all their rows."""
    if n < 1:
        raise invalid_value("top", "a whole number of series, at least 1", n)
    totals = frame.groupby("unique_id")["y"].sum().reset_index()
    keep = totals.sort_values(["y", "unique_id"], ascending=[False, True]).head(n)["unique_id"]
    return frame[frame["unique_id"].isin(set(keep))].reset_index(drop=True)


def horizon_dates(last: pd.Timestamp, horizon: int, freq: str) -> pd.DatetimeIndex:
    """The ``horizon`` period starts after ``last``."""
    return pd.date_range(last, periods=horizon + 1, freq=PANDAS_FREQ[freq])[1:]


def check_regular(frame: pd.DataFrame, freq: str) -> None:
    """Rows exist, targets are finite, and each series has one row per period without gaps.

    Raises
    ------
    ShopmineInputError
        Naming the series with a gap or a repeated period; :func:`series_from_table` fills gaps with
        zeros, a hand-made frame must do the same (a missing period is a period without sales).
    """
    if frame.empty:
        raise ShopmineInputError("no series to forecast: the data has no rows before the as-of date.")
    if not np.isfinite(frame["y"].to_numpy(float)).all():
        raise ShopmineInputError("the target has missing or infinite values.")
    steps = _steps(frame.sort_values(["unique_id", "ds"]), freq)
    bad = frame.loc[steps.index[steps.notna() & (steps != 1)], "unique_id"].unique()
    if len(bad):
        raise ShopmineInputError(
            f"series {_short(bad)} skip or repeat a period at {{freq}} {freq}; give one row per series and "
            "period, with 0 for periods without sales (series_from_table fills missing periods with 0).", "freq")
