"""Each product's price today, its unit cost and its demand at that price: where the optimiser starts.

``current_price`` is the product's latest regular (list) price when the shop records list prices: a
promotion running in the last week is not the price the merchant sets. Without list prices it is the
median of the paid price (the price most of a period's lines paid, ``shelf_price``, when the points have
it, else the average) over the product's periods with a sale in the :data:`TYPICAL_DAYS` days up to its
last one, so that one discounted day or week (or one bulk buyer's tier price) does not become
the price.

``base_units`` is the product's units per week over its last :data:`BASE_DAYS` days (fewer when it is
younger), days without a sale counting as zero: a whole year holds every season once, so the level does not
depend on whether today is high season. It scales the demand and profit curves and the expected units and
profit per week; the percentage changes do not depend on it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from shopmine.errors import ShopmineInputError
from shopmine.features.periods import check_freq

__all__ = ["BASE_DAYS", "CURRENT_COLUMNS", "TYPICAL_DAYS", "current_prices"]

#: Columns of :func:`current_prices`.
CURRENT_COLUMNS = ["product_id", "category", "current_price", "price_source", "unit_cost", "base_units",
                   "last_period", "n_periods"]
#: Days before a product's last sale whose median paid price is its typical price (no list prices).
TYPICAL_DAYS = 28
#: Length of the window ``base_units`` averages over.
BASE_DAYS = 364
_NEEDED = ("product_id", "period", "units", "avg_price")


def _last_known(frame: pd.DataFrame, column: str) -> pd.Series:
    """The value of ``column`` in each product's latest period where it is known (absent if never)."""
    known = frame.dropna(subset=[column])
    return known.groupby("product_id", sort=False)[column].last().astype(float)


def current_prices(points: pd.DataFrame, *, freq: str = "W", end: dt.date | None = None) -> pd.DataFrame:
    """Current price, unit cost and base units per product of the price/demand points.

    Parameters
    ----------
    points : pandas.DataFrame
        :func:`shopmine.features.price_points.price_points` as pandas: ``product_id, period, units,
        avg_price`` and, when known, ``list_price``, ``unit_cost``, ``category``.
    freq : {"D", "W"}, default="W"
        The periods' length (``base_units`` is per week either way).
    end : datetime.date, optional
        The last period start of the window ``base_units`` averages over; default: the latest period of
        ``points``.

    Returns
    -------
    pandas.DataFrame
        :data:`CURRENT_COLUMNS`, one row per product; ``price_source`` is ``list`` or ``paid``,
        ``unit_cost`` NaN when unknown.

    Examples
    --------
    >>> points = pd.DataFrame({"product_id": ["a", "a"], "period": pd.to_datetime(["2024-01-01", "2024-01-08"]),
    ...                        "units": [3, 5], "avg_price": [9.0, 10.0], "list_price": [10.0, 12.0],
    ...                        "unit_cost": [4.0, 4.0]})
    >>> current_prices(points)[["product_id", "current_price", "price_source", "unit_cost", "base_units"]]
      product_id  current_price price_source  unit_cost  base_units
    0          a           12.0         list        4.0         4.0
    """
    step = 7 if check_freq(freq) == "W" else 1  # days per period
    missing = [c for c in _NEEDED if c not in points.columns]
    if missing:
        raise ShopmineInputError(f"the price points have no column {missing[0]!r}; they need "
                                 f"{', '.join(_NEEDED)}.")
    frame = points.copy()
    frame["product_id"] = frame["product_id"].astype(str)
    frame["period"] = pd.to_datetime(frame["period"])
    frame = frame.sort_values(["product_id", "period"], kind="stable")
    by_product = frame.groupby("product_id", sort=True)

    out = pd.DataFrame(index=pd.Index(sorted(frame["product_id"].unique()), name="product_id"))
    out["category"] = by_product["category"].last() if "category" in frame else None
    # The price most lines paid, where the points know it: a bulk tier does not drag it down.
    paid = "shelf_price" if "shelf_price" in frame else "avg_price"
    sold = frame[frame[paid].notna() & (frame[paid] > 0)]
    last_sale = sold.groupby("product_id")["period"].transform("max")
    recent_sales = sold[sold["period"] > last_sale - pd.Timedelta(days=TYPICAL_DAYS)]
    typical = recent_sales.groupby("product_id")[paid].median()
    regular = (_last_known(frame[frame["list_price"] > 0], "list_price") if "list_price" in frame
               else pd.Series(dtype=float))
    out["current_price"] = regular.reindex(out.index)
    out["price_source"] = np.where(out["current_price"].notna(), "list", "paid")
    out["current_price"] = out["current_price"].fillna(typical.reindex(out.index)).astype(float)
    cost = (_last_known(frame[frame["unit_cost"] >= 0], "unit_cost") if "unit_cost" in frame
            else pd.Series(dtype=float))
    out["unit_cost"] = cost.reindex(out.index).astype(float)

    last = pd.Timestamp(end) if end is not None else frame["period"].max()
    window = max(1, BASE_DAYS // step) * step  # whole periods, in days
    first = by_product["period"].min().reindex(out.index)
    days_alive = ((last - first).dt.days + step).clip(lower=step, upper=window)
    recent = frame[(frame["period"] > last - pd.Timedelta(days=window)) & (frame["period"] <= last)]
    units = recent.groupby("product_id")["units"].sum().reindex(out.index).fillna(0.0)
    # Per week whatever the periods; returns can outweigh sales in a window: no demand, not a negative one.
    out["base_units"] = (units / days_alive * 7).clip(lower=0.0).astype(float)
    out["last_period"] = by_product["period"].max().reindex(out.index).dt.date
    out["n_periods"] = by_product["period"].nunique().reindex(out.index).astype(int)
    return out.reset_index()[CURRENT_COLUMNS]
