"""Current price, unit cost and base units per product from the price/demand points."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from shopmine.errors import ShopmineInputError
from shopmine.pricing.current import CURRENT_COLUMNS, current_prices


def weeks(n, start="2024-01-01"):
    return pd.date_range(start, periods=n, freq="7D")


def test_latest_list_price_is_the_current_price_even_during_a_promotion():
    points = pd.DataFrame({"product_id": "a", "period": weeks(3), "units": [10, 10, 30],
                           "avg_price": [10.0, 11.0, 7.7], "list_price": [10.0, 11.0, 11.0],
                           "unit_cost": [4.0, np.nan, np.nan], "category": "x"})
    row = current_prices(points).iloc[0]
    assert (row.current_price, row.price_source, row.unit_cost, row.category) == (11.0, "list", 4.0, "x")


def test_without_list_prices_the_median_paid_price_of_the_last_periods():
    points = pd.DataFrame({"product_id": "b", "period": weeks(6), "units": 5,
                           "avg_price": [1.0, 2.0, 2.5, 2.4, 1.5, 2.6], "list_price": np.nan})
    row = current_prices(points).iloc[0]
    assert row.current_price == pytest.approx(2.45) and row.price_source == "paid"  # median of the last 4
    assert math.isnan(row.unit_cost)


def test_base_units_average_a_year_with_missing_periods_as_zero():
    # A product sold in 2 of its 10 weeks, and one sold weekly for two years (only the last 52 weeks count).
    young = pd.DataFrame({"product_id": "young", "period": weeks(2, "2024-10-28").append(weeks(1, "2024-12-30")),
                          "units": [6, 6, 8], "avg_price": 3.0})
    old = pd.DataFrame({"product_id": "old", "period": weeks(104, "2023-01-02"), "units": np.arange(104),
                        "avg_price": 3.0})
    out = current_prices(pd.concat([young, old])).set_index("product_id")
    assert out.loc["young", "base_units"] == pytest.approx(20 / 10)  # 2024-10-28 .. 2024-12-30: 10 weeks
    # The window is the 52 weeks up to the table's last (2024-12-30), when "old" sold nothing any more.
    assert out.loc["old", "base_units"] == pytest.approx(np.arange(53, 104).sum() / 52)
    assert list(out.reset_index().columns) == CURRENT_COLUMNS


def test_returns_outweighing_sales_give_no_demand_not_a_negative_one():
    points = pd.DataFrame({"product_id": "r", "period": weeks(2), "units": [1, -4], "avg_price": [5.0, 5.0]})
    assert current_prices(points).iloc[0].base_units == 0.0


def test_points_without_a_needed_column_are_refused():
    with pytest.raises(ShopmineInputError, match="no column 'avg_price'"):
        current_prices(pd.DataFrame({"product_id": ["a"], "period": weeks(1), "units": [1]}))


def test_daily_points_give_the_same_weekly_base_units_and_a_28_day_typical_price():
    days = pd.date_range("2024-01-01", periods=70, freq="D")
    units = np.where(np.arange(70) % 2 == 0, 4.0, 0.0)  # 4 units every other day: 14 a week
    points = pd.DataFrame({"product_id": "d", "period": days, "units": units,
                           "avg_price": np.where(np.arange(70) < 50, 3.0, 2.0)})
    points = points[points["units"] > 0]  # days without a sale have no point
    row = current_prices(points, freq="D", end=days[-1].date()).iloc[0]
    assert row.base_units == pytest.approx(35 * 4 / 70 * 7)  # 35 sale days x 4 units over 70 days, per week
    # The sale days in the 28 days up to the last one (2024-03-09): 10 at 2.0 (from day 50) and 4 at 3.0.
    assert row.current_price == 2.0 and row.price_source == "paid"
