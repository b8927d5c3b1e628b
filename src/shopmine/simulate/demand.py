"""The true demand: expected units and profit at any prices, under the simulator's own demand model.

For benchmarks and tests (how much profit would these prices earn?), never for the estimators: it
reads the simulator's truth. Over the days ``start..end`` (inclusive), with every product of
``prices`` sold at its given constant regular price and no promotion:

    E[units_p] = (1 - cancel_share) * mean_units_per_line_p * popularity_p
                 * sum_g traffic_g * (price_p / base_list_price_p) ** (elasticity_p * m_g)

where ``traffic_g`` is buyer group *g*'s (segment's, or the guests') traffic summed over the days:
its expected lines of a product per unit of demand weight (``ground_truth.json``,
``daily.traffic_by_group``; the group's product lines of each day divided by its promotion index),
and ``m_g`` its elasticity multiplier (``truth_segments``). The customers, the season and the
trend are those of the simulation; a promotion index that other prices would bring cancels out
(more orders, each line less likely to be any one product). Cancelled orders are left out, as
from demand; returns are not deducted.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from shopmine.errors import ShopmineInputError, invalid_value
from shopmine.simulate.shop import SimulatedShop
from shopmine.simulate.truth_files import load_tables

DEMAND_COLUMNS = ("product_id", "price", "units", "revenue", "cost", "profit")
_TABLES = {
    "truth_products": ("product_id", "elasticity", "popularity", "base_list_price",
                       "mean_units_per_line", "unit_cost"),
    "truth_segments": ("segment", "elasticity_multiplier"),
}


def true_demand(shop: SimulatedShop | str | Path, prices: Mapping[str, float] | pd.Series, *,
                start: dt.date | str, end: dt.date | str) -> pd.DataFrame:
    """Expected units, revenue, cost and profit per product at constant regular prices.

    Parameters
    ----------
    shop : SimulatedShop, str or Path
        A simulated shop, or the folder ``write_shop`` wrote it to.
    prices : mapping or pandas.Series
        Product id to price (a Series indexed by product id). Only these products are returned.
    start, end : datetime.date or str
        First and last day (inclusive), within the simulated period.

    Returns
    -------
    pandas.DataFrame
        ``product_id, price, units, revenue, cost, profit`` in the order of ``prices``:
        ``revenue = units x price``, ``cost = units x unit_cost``, ``profit = revenue - cost``.

    Raises
    ------
    shopmine.errors.ShopmineInputError
        An unknown product id, a price that is not a positive number, or days outside the period.

    Examples
    --------
    >>> from shopmine.simulate import simulate_shop
    >>> shop = simulate_shop(n_customers=300, n_products=20, n_days=120, seed=1)
    >>> at = true_demand(shop, {"P00001": 10.0, "P00002": 12.5}, start="2023-02-01",
    ...                  end="2023-02-28")
    >>> list(at.columns)
    ['product_id', 'price', 'units', 'revenue', 'cost', 'profit']
    """
    tables, truth = load_tables(shop, _TABLES)
    products = tables["truth_products"].assign(
        product_id=lambda t: t["product_id"].astype(str)).set_index("product_id")
    asked = _prices(prices, products.index)
    first, last = _days(start, end, truth["period"])
    traffic, multiplier = _group_traffic(truth, tables["truth_segments"], first, last)

    p = products.loc[asked.index]
    log_ratio = np.log(asked.to_numpy() / p["base_list_price"].to_numpy())
    # (groups, products): each group's response at the asked prices.
    response = np.exp(np.multiply.outer(multiplier, p["elasticity"].to_numpy() * log_ratio))
    kept = 1.0 - float(truth["parameters"]["cancel_share"])
    per_weight = kept * p["mean_units_per_line"].to_numpy() * p["popularity"].to_numpy()
    units = per_weight * (traffic @ response)
    revenue = units * asked.to_numpy()
    cost = units * p["unit_cost"].to_numpy()
    return pd.DataFrame({"product_id": asked.index.to_numpy(dtype=object),
                         "price": asked.to_numpy(), "units": units, "revenue": revenue,
                         "cost": cost, "profit": revenue - cost})


def _prices(prices: Mapping[str, float] | pd.Series, known: pd.Index) -> pd.Series:
    if isinstance(prices, pd.Series):
        series = prices.copy()
    elif isinstance(prices, Mapping):
        series = pd.Series(dict(prices), dtype=object)
    else:
        raise invalid_value("prices", "a mapping or a pandas Series of product id to price",
                            type(prices).__name__)
    series.index = series.index.astype(str)
    unknown = series.index[~series.index.isin(known)]
    if len(unknown):
        shown = ", ".join(unknown[:5]) + (" ..." if len(unknown) > 5 else "")
        raise ShopmineInputError(f"{{prices}} names {len(unknown)} product(s) the simulated shop "
                                 f"does not have: {shown}. Use the ids of truth_products.",
                                 "prices")
    values = pd.to_numeric(series, errors="coerce").astype(float)
    bad = ~(np.isfinite(values.to_numpy()) & (values.to_numpy() > 0))
    if bad.any():
        first = series.index[bad][0]
        raise invalid_value("prices", "positive numbers", f"{first}: {series[first]!r}")
    return values


def _days(start: dt.date | str, end: dt.date | str, period: Mapping) -> tuple[int, int]:
    """Day numbers (from the first simulated day) of ``start`` and ``end``, both inclusive."""
    origin = dt.date.fromisoformat(period["start"])
    n_days = int(period["n_days"])
    days = []
    for name, value in (("start", start), ("end", end)):
        try:
            date = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            raise invalid_value(name, "a date YYYY-MM-DD", value) from None
        day = (date - origin).days
        if not 0 <= day < n_days:
            raise invalid_value(name, f"a date from {period['start']} to {period['end']} (the "
                                "simulated period)", date.isoformat())
        days.append(day)
    if days[0] > days[1]:
        raise ShopmineInputError(f"{{start}} ({start}) is after {{end}} ({end}); give the first "
                                 "day first.", "start", mentions=("end",))
    return days[0], days[1]


def _group_traffic(truth: Mapping, segments: pd.DataFrame, first: int,
                   last: int) -> tuple[np.ndarray, np.ndarray]:
    """Per buyer group: traffic summed over ``first..last`` and the elasticity multiplier."""
    by_group = truth["daily"].get("traffic_by_group")
    if by_group is None:
        raise ShopmineInputError("ground_truth.json has no daily traffic_by_group: the shop was "
                                 "simulated by an older version; simulate it again.")
    multiplier = segments.set_index(segments["segment"].astype(str))["elasticity_multiplier"]
    names = list(by_group)
    traffic = np.array([math.fsum(by_group[name][first:last + 1]) for name in names])
    return traffic, multiplier.reindex(names).to_numpy(float)
