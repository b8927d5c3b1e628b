"""The price points as the estimators read them, and whether each product's price moved enough to learn from.

The points are :func:`shopmine.features.price_points` as a DataFrame. Demand is ``units_model`` when the
column is there (bulk lines capped at their product's fence, as the forecasts train: a one-off wholesale
order at a special price is not the product's price response), else ``units``. The price is the
period's average paid price: a product sold on a price schedule (several prices in one period, by lot size
or buyer: :mod:`shopmine.pricing.schedule`) has no usable price variation at all, and for the others the
average is the price the period's units were bought at (on weekly points it weighs a promotion's days as
the units did, which the price most lines paid would not).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shopmine.errors import ShopmineInputError, invalid_value
from shopmine.pricing.schedule import MIN_SCHEDULE_LINES, schedule_shares

__all__ = ["MIN_PERIODS", "MIN_PRICE_LEVELS", "MIN_SD_LOG_PRICE", "REQUIRED_COLUMNS", "check_points",
           "SCHEDULE_REASON", "demand_column", "fit_rows", "price_variation"]

REQUIRED_COLUMNS = ("product_id", "category", "period", "units", "avg_price")
#: A product needs this many periods with a sale ...
MIN_PERIODS = 8
#: ... at this many distinct prices (paid per unit, in 1 % steps) ...
MIN_PRICE_LEVELS = 3
#: ... spread by at least this standard deviation of the log price (2 %: below it, a slope of units on
#: price is mostly noise at the sample sizes of a shop's weekly points).
MIN_SD_LOG_PRICE = 0.02
#: The start of the reason of a product sold on a price schedule (its status in the elasticity table).
SCHEDULE_REASON = "price schedule"
# Prices closer than this in log (1 %) count as one level: weekly means of the same shelf price wobble.
_LEVEL_STEP = 0.01


def check_points(points: object) -> pd.DataFrame:
    """``points`` as a fresh DataFrame with string ids and datetime periods, or a readable error."""
    if not isinstance(points, pd.DataFrame):
        raise invalid_value("points", "a pandas DataFrame of price points (features.price_points)",
                            type(points).__name__)
    missing = [c for c in REQUIRED_COLUMNS if c not in points.columns]
    if missing:
        raise ShopmineInputError(
            f"{{points}} lacks the column(s) {', '.join(missing)}; build it with "
            "shopmine.features.price_points(...).to_pandas().", "points")
    out = points.copy()
    out["product_id"] = out["product_id"].astype(str)
    out["category"] = out["category"].astype(str)
    out["period"] = pd.to_datetime(out["period"])
    return out


def demand_column(points: pd.DataFrame) -> str:
    """The demand the models fit on: ``units_model`` when present, else ``units``."""
    return "units_model" if "units_model" in points.columns else "units"


def fit_rows(points: pd.DataFrame) -> pd.DataFrame:
    """The periods a log-log model can use (a sale at a positive price), with ``log_units`` and
    ``log_price`` added."""
    demand = demand_column(points)
    usable = points[(points[demand] > 0) & (points["avg_price"] > 0)].copy()
    usable["log_units"] = np.log(usable[demand].astype(float))
    usable["log_price"] = np.log(usable["avg_price"].astype(float))
    return usable


def price_variation(points: pd.DataFrame, *, min_periods: int = MIN_PERIODS,
                    min_levels: int = MIN_PRICE_LEVELS, min_sd: float = MIN_SD_LOG_PRICE) -> pd.DataFrame:
    """Whether each product's price varied enough to estimate its elasticity, and why not.

    Parameters
    ----------
    points : pandas.DataFrame
        Price points (:func:`shopmine.features.price_points`).
    min_periods, min_levels, min_sd
        The thresholds (:data:`MIN_PERIODS`, :data:`MIN_PRICE_LEVELS`, :data:`MIN_SD_LOG_PRICE`).

    Returns
    -------
    pandas.DataFrame
        One row per product of ``points``: ``product_id, category``, ``n_periods`` (periods with a sale
        at a positive price), ``n_price_levels`` (distinct prices paid, 1 % apart), ``sd_log_price``
        (standard deviation of the log price over those periods; 0 with fewer than two), ``units``,
        ``returns``, ``off_shelf_share`` (:func:`~shopmine.pricing.schedule.schedule_shares`),
        ``enough`` (bool) and ``reason`` (empty when enough; else ``"returns only"``, ``"price
        schedule: ..."`` (:data:`SCHEDULE_REASON`, with the share) or what fell short, with the
        numbers).
    """
    points = check_points(points)
    demand = demand_column(points)
    returns = points["returns"] if "returns" in points.columns else pd.Series(0.0, index=points.index)
    totals = (points.assign(_returns=returns)
              .groupby("product_id", sort=True)
              .agg(category=("category", "first"), units=(demand, "sum"), returns=("_returns", "sum")))
    usable = fit_rows(points)
    levels = (usable["log_price"] / _LEVEL_STEP).round()
    stats = usable.assign(_level=levels).groupby("product_id").agg(
        n_periods=("log_price", "size"), n_price_levels=("_level", "nunique"),
        sd_log_price=("log_price", lambda s: float(s.std(ddof=1)) if len(s) > 1 else 0.0))
    out = totals.join(stats, how="left")
    out["n_periods"] = out["n_periods"].fillna(0).astype("int64")
    out["n_price_levels"] = out["n_price_levels"].fillna(0).astype("int64")
    out["sd_log_price"] = out["sd_log_price"].fillna(0.0)
    schedule = schedule_shares(points).reindex(out.index)
    out["off_shelf_share"] = schedule["off_shelf_share"]
    out["reason"] = [_reason(r, min_periods, min_levels, min_sd) for r in out.itertuples()]
    on_schedule = schedule["on_schedule"].fillna(False).to_numpy(bool) & (out["units"] > 0).to_numpy()
    out.loc[on_schedule, "reason"] = [_schedule_reason(r) for r in schedule[on_schedule].itertuples()]
    out["enough"] = out["reason"] == ""
    return out.reset_index()[["product_id", "category", "n_periods", "n_price_levels", "sd_log_price",
                              "units", "returns", "off_shelf_share", "enough", "reason"]]


def _schedule_reason(row) -> str:
    if row.schedule_lines >= MIN_SCHEDULE_LINES:
        return (f"{SCHEDULE_REASON}: {row.off_shelf_share:.0%} of its sale lines paid another price than the "
                f"day's most common (quantity tiers or price lists)")
    return (f"{SCHEDULE_REASON}: {row.shop_share:.0%} of the shop's sale lines paid another price than the day's "
            f"most common (quantity tiers or price lists), and its own days hold too few lines to tell")


def _reason(row, min_periods: int, min_levels: int, min_sd: float) -> str:
    if not row.units > 0:
        return "returns only"
    short = []
    if row.n_periods < min_periods:
        short.append(f"{row.n_periods} periods with sales (need {min_periods})")
    if row.n_price_levels < min_levels:
        short.append(f"{row.n_price_levels} price level(s) (need {min_levels})")
    if row.sd_log_price < min_sd:
        short.append(f"price spread {row.sd_log_price:.3f} in log (need {min_sd})")
    return "; ".join(short)
