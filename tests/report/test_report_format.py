"""Number and table formatting of the report: hand-computed expectations."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from shopmine.report.format import format_cell, format_metric, table_view
from shopmine.report.metric_tables import metric_layout


@pytest.mark.parametrize(
    ("value", "key", "expected"),
    [
        (1234567, None, "1,234,567"),
        (np.int64(4372), None, "4,372"),
        (12345.678, None, "12,346"),  # integer digits are never rounded away
        (3.14159265, None, "3.142"),
        (np.float32(0.5), None, "0.5"),
        (0.012345, None, "0.01235"),
        (-42.0, None, "-42"),
        (1.5e-7, None, "1.500e-07"),
        (0.0, None, "0"),
        (0.4321, "repeat_customer_share", "43.2%"),
        (0.183, "churn_rate", "18.3%"),
        (1.5, "growth_rate", "150%"),
        (1, "conversion_rate", "100%"),
        (0.6, "precision", "0.6"),  # not a share/rate key: left as a number
        (2024, "year", "2024"),
        (17850, "customer_id", "17850"),
        (True, None, "yes"),
        (None, None, "—"),
        (float("nan"), None, "—"),
        (float("inf"), None, "∞"),
        ("as of 2024-03-01", None, "as of 2024-03-01"),
        ([1, 2, 3000], None, "1, 2, 3,000"),
        (dt.date(2024, 3, 1), None, "2024-03-01"),
        (pd.Timestamp("2024-03-01"), None, "2024-03-01"),
        (pd.Timestamp("2024-03-01 13:45:10"), None, "2024-03-01 13:45:10"),
    ],
)
def test_format_metric(value, key, expected):
    assert format_metric(value, key) == expected


def test_format_cell_leaves_missing_cells_empty():
    assert format_cell(np.nan) == ""
    assert format_cell(pd.NA) == ""
    assert format_cell(pd.NaT) == ""
    assert format_cell(0.25, "return_rate") == "25%"


def test_table_view_truncates_and_shows_meaningful_index():
    df = pd.DataFrame(
        {"units": np.arange(30), "label": [f"p{i}" for i in range(30)]},
        index=pd.Index([f"id{i}" for i in range(30)], name="product_id"),
    )
    view = table_view(df, max_rows=5)
    assert view["columns"] == ["product_id", "units", "label"]
    assert view["numeric"] == [False, True, False]
    assert view["rows"][0] == ["id0", "0", "p0"]
    assert (view["shown_rows"], view["total_rows"]) == (5, 30)


def test_table_view_drops_plain_range_index():
    view = table_view(pd.DataFrame({"a": [1.23456, 2.0]}), max_rows=20)
    assert view["columns"] == ["a"]
    assert view["rows"] == [["1.235"], ["2"]]
    assert (view["shown_rows"], view["total_rows"]) == (2, 2)


def test_money_columns_and_metrics_in_the_shops_currency():
    # Only the named money keys: a share, an id and a count stay as they were.
    frame = pd.DataFrame({"customer_id": ["17850"], "monetary": [5391.21], "avg_order_value": [12.345],
                          "returns_share": [0.146], "frequency": [34]})
    view = table_view(frame, max_rows=5, currency="GBP")
    assert view["rows"] == [["17850", "£5,391", "£12.35", "14.6%", "34"]]
    assert table_view(frame, max_rows=5)["rows"] == [["17850", "5,391", "12.35", "14.6%", "34"]]
    assert format_cell(171_499.6, "expected_revenue", "CHF") == "171,500 CHF"
    assert format_cell(float("nan"), "expected_revenue", "GBP") == ""
    assert metric_layout({"expected_revenue_total": 1_234_567.8, "customers": 4338}, currency="USD").figures == [
        ("expected_revenue_total", "$1,234,568"), ("customers", "4,338")]
    assert format_metric(99.5, "revenue_share", "GBP") == "9,950%"  # a share of revenue is not money
