"""The price result on hand-made points and elasticities: contract table, metrics, figures, clusters, warnings."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from shopmine.pricing.analysis import output_table, price_result
from shopmine.pricing.optimise import OUTPUT_COLUMNS, UNBOUNDED_STATUS
from shopmine.pricing.rules import PriceRules

AS_OF = dt.date(2024, 5, 20)


@pytest.fixture
def points():
    weeks = pd.date_range("2024-01-01", periods=20, freq="7D")
    rows = []
    for pid, price, cost in (("a", 10.0, 5.0), ("b", 4.0, np.nan), ("<b>x</b>", 20.0, 9.0)):
        for i, week in enumerate(weeks):
            rows.append({"product_id": pid, "category": "c", "period": week, "units": 10.0 + i % 3,
                         "avg_price": price * (0.9 if i % 5 == 0 else 1.0), "list_price": price,
                         "unit_cost": cost})
    # A product with returns only: no sale, so no paid price in the points and no list price either.
    rows.append({"product_id": "r", "category": "c", "period": weeks[3], "units": 0.0, "avg_price": np.nan,
                 "list_price": np.nan, "unit_cost": 2.0})
    return pd.DataFrame(rows)


@pytest.fixture
def elasticities():
    return pd.DataFrame({"product_id": ["a", "b", "<b>x</b>", "r"], "category": "c",
                         "elasticity": [-2.0, -3.0, np.nan, np.nan], "elasticity_lo": [-2.4, -3.5, np.nan, np.nan],
                         "elasticity_hi": [-1.6, -2.5, np.nan, np.nan], "n_periods": [20, 20, 20, 0],
                         "status": ["ok", "ok", "too little variation", "returns only"], "method": "loglog"})


def test_price_result_tables_metrics_and_figures(points, elasticities):
    clusters = pd.DataFrame({"cluster": [0, 1], "elasticity": [-4.0, -0.7], "elasticity_lo": [-4.5, -1.1],
                             "elasticity_hi": [-3.5, -0.3], "n_customers": [50, 70], "status": "ok"})
    result = price_result(points, elasticities, PriceRules(), as_of=AS_OF, freq="W", cluster_elasticities=clusters,
                          last_paid=pd.Series({"r": 6.5}))
    table = result.tables["suggestions"].set_index("product_id")
    assert list(output_table(result).columns) == OUTPUT_COLUMNS
    assert sorted(table.index) == ["<b>x</b>", "a", "b", "r"]
    # a: p* = 5 * 2 = 10 = today's list price; b has no cost: revenue, elastic -> 15 % down.
    assert table.loc["a", "suggested_price"] == 10.0 and table.loc["a", "status"] == "ok"
    # 3.40 is 15 % below 4.00, but in floating point abs(3.4 - 4.0) = 0.6000000000000001 > 0.15 * 4.0: the
    # rule as a checker evaluates it would fail, so the optimiser stops a cent inside.
    assert table.loc["b", "suggested_price"] == 3.41
    assert table.loc["b", "status"] == "no cost: revenue objective; " + UNBOUNDED_STATUS["low"]
    assert table.loc["<b>x</b>", "suggested_price"] == 20.0
    assert table.loc["<b>x</b>", "status"] == "too little variation"
    assert table.loc["r", "current_price"] == 6.5 and table.loc["r", "suggested_price"] == 6.5
    assert table.loc["r", "status"] == "returns only"
    assert table.loc["a", "base_units"] == pytest.approx(np.mean([10.0 + i % 3 for i in range(20)]))
    m = result.metrics
    assert (m["products"], m["changed"], m["products_without_cost"]) == (4, 1, 1)
    assert m["status_counts"]["returns only"] == 1 and m["objective"] == "profit"
    assert any("1 of 4 products have no unit cost" in w for w in m["warnings"])
    assert "1 of 4 products have no unit cost" in result.summary
    # b, the one change, sits on the max-change bound with no optimum behind it: the summary warns first.
    assert m["at_max_change_bound"] == 1 and m["price_schedule"] == 0
    assert result.summary.split("\n\n")[1].startswith("Warning: 1 of the 1 new prices sit on the max-change bound")
    strategy = result.tables["clusters"].set_index("cluster")
    assert strategy.loc[0, "coupon"] == "yes" and strategy.loc[1, "coupon"] == "no"
    # Revenue-weighted margin of the costed products (a: 0.5 at 10, x: 0.55 at 20, same units; r sells nothing).
    assert m["shop_margin"] == pytest.approx((0.5 * 10 + 0.55 * 20) / 30)
    assert {"elasticities", "curve_1", "curve_2", "clusters"} <= set(result.figures)
    assert "curve_3" not in result.figures  # only products with a usable elasticity get a curve
    assert "Customer clusters: 2; a 10% coupon pays for cluster 0 (table clusters" in result.summary


def test_every_row_keeps_the_rules_and_unknown_prices_are_left_out(points, elasticities):
    result = price_result(points, elasticities, PriceRules(max_change=0.05, min_margin=0.3, ending=0.99), as_of=AS_OF,
                          freq="W")
    table = result.tables["suggestions"]
    assert "r" not in set(table["product_id"])  # no price at all without the last line's
    assert result.metrics["products_left_out"] == 1
    for row in table.itertuples():
        assert abs(row.suggested_price - row.current_price) <= 0.05 * row.current_price
        if row.unit_cost == row.unit_cost:
            assert (row.suggested_price - row.unit_cost) / row.suggested_price >= 0.3
