"""Line classification, the as-of cut-off and input checks (shopmine.features.lines / dates)."""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
import pytest

from shopmine.errors import ShopmineInputError
from shopmine.features import classify_lines, default_as_of
from shopmine.features.dates import check_day

from .helpers import close, toy_orders

AS_OF = dt.date(2021, 1, 10)


@pytest.fixture(scope="module")
def classified() -> pd.DataFrame:
    orders = toy_orders([
        # sale: 2 × 10 with list 12 -> discounted
        {"order_id": "s1", "product_id": "A", "ordered_at": "2021-01-02 10:00", "quantity": 2,
         "unit_price": 10.0, "list_price": 12.0, "status": "completed"},
        # sale without list price: list value falls back to the unit price
        {"order_id": "s2", "product_id": "A", "ordered_at": "2021-01-02 11:00", "quantity": 1,
         "unit_price": 12.0},
        # negative product line = return, whatever its status
        {"order_id": "r1", "product_id": "A", "ordered_at": "2021-01-03 09:00", "quantity": -1,
         "unit_price": 10.0, "status": "cancelled"},
        # positive line with a return status (any case) = return
        {"order_id": "r2", "product_id": "A", "ordered_at": "2021-01-03 09:30", "quantity": 3,
         "unit_price": 5.0, "status": "Refunded"},
        # cancelled positive line: neither sale nor return
        {"order_id": "c1", "product_id": "A", "ordered_at": "2021-01-04 12:00", "quantity": 4,
         "unit_price": 10.0, "status": "CANCELLED"},
        # shipping, fee and adjustment lines never count
        {"order_id": "s1", "product_id": "SHIP", "ordered_at": "2021-01-02 10:00", "quantity": 1,
         "unit_price": 4.95, "line_type": "shipping"},
        {"order_id": "s1", "product_id": "ADJ", "ordered_at": "2021-01-02 10:00", "quantity": -1,
         "unit_price": 2.0, "line_type": "adjustment"},
        # zero quantity: nothing
        {"order_id": "z1", "product_id": "A", "ordered_at": "2021-01-05 12:00", "quantity": 0,
         "unit_price": 10.0},
        # on the as-of date (midnight): cut off; the second before: kept
        {"order_id": "late", "product_id": "A", "ordered_at": "2021-01-10 00:00:00", "quantity": 1,
         "unit_price": 10.0},
        {"order_id": "edge", "product_id": "A", "ordered_at": "2021-01-09 23:59:59.999999",
         "quantity": 1, "unit_price": 10.0},
    ])
    return classify_lines(orders, before=AS_OF).to_pandas().set_index("order_id")


def test_sale_lines_and_their_measures(classified):
    s1 = classified.loc["s1"]
    assert bool(s1.is_sale) and s1.sale_units == 2 and s1.sale_revenue == 20
    assert s1.sale_list_value == 24 and s1.discounted_units == 2
    s2 = classified.loc["s2"]
    assert s2.sale_list_value == 12 and s2.discounted_units == 0  # no list price: not discounted


def test_returns_cancellations_and_ignored_lines(classified):
    r1, r2, c1 = classified.loc["r1"], classified.loc["r2"], classified.loc["c1"]
    assert not r1.is_sale and r1.returned_units == 1 and r1.returned_value == 10
    assert not r2.is_sale and r2.returned_units == 3 and r2.returned_value == 15
    assert not c1.is_sale and c1.cancelled_units == 4 and c1.returned_units == 0
    # shipping/adjustment lines of s1 and the zero line are gone: s1 appears once
    assert sorted(classified.index) == ["c1", "edge", "r1", "r2", "s1", "s2"]
    assert set(classified.product_id) == {"A"}


def test_as_of_excludes_the_line_at_midnight(classified):
    assert "late" not in classified.index
    assert classified.loc["edge"].day == pd.Timestamp("2021-01-09")


def test_default_as_of_is_the_day_after_the_last_line():
    orders = toy_orders([
        {"order_id": "a", "product_id": "A", "ordered_at": "2021-03-01 23:59:59", "quantity": 1,
         "unit_price": 1.0},
        {"order_id": "b", "product_id": "SHIP", "ordered_at": "2021-02-01", "quantity": 1,
         "unit_price": 1.0, "line_type": "shipping"},
    ])
    assert default_as_of(orders) == dt.date(2021, 3, 2)


def test_default_as_of_of_an_empty_table():
    orders = toy_orders([])
    with pytest.raises(ShopmineInputError, match="no line with an 'ordered_at' time"):
        default_as_of(orders)


@pytest.mark.parametrize("value, expected", [
    (dt.date(2021, 1, 2), dt.date(2021, 1, 2)),
    (dt.datetime(2021, 1, 2), dt.date(2021, 1, 2)),
    (pd.Timestamp("2021-01-02"), dt.date(2021, 1, 2)),
    ("2021-01-02", dt.date(2021, 1, 2)),
])
def test_check_day_accepts_days(value, expected):
    assert check_day(value, "as_of") == expected


@pytest.mark.parametrize("value, message", [
    (dt.datetime(2021, 1, 2, 12, 30), "without a time of day"),
    ("yesterday", "must be a date"),
    (20210102, "must be a date"),
])
def test_check_day_refuses_other_values(value, message):
    with pytest.raises(ShopmineInputError, match=message):
        check_day(value, "as_of")


def test_missing_required_columns_are_named():
    orders = ibis.memtable({"order_id": ["o"], "product_id": ["A"],
                            "ordered_at": [pd.Timestamp("2021-01-01")], "quantity": [1.0]})
    with pytest.raises(ShopmineInputError, match="lacks the column.*customer_id, unit_price"):
        classify_lines(orders, before=AS_OF)


def test_string_timestamps_are_refused():
    orders = ibis.memtable({"order_id": ["o"], "customer_id": ["c"], "product_id": ["A"],
                            "ordered_at": ["2021-01-01"], "quantity": [1.0], "unit_price": [1.0]})
    with pytest.raises(ShopmineInputError, match="'ordered_at' must be a timestamp"):
        classify_lines(orders, before=AS_OF)


def test_optional_columns_may_be_missing():
    # A bare log without status, list price, category or line type: every line is a product sale.
    orders = ibis.memtable({"order_id": ["o1", "o2"], "customer_id": ["c", None],
                            "product_id": ["A", "B"],
                            "ordered_at": pd.to_datetime(["2021-01-01", "2021-01-02"]),
                            "quantity": [2, -1], "unit_price": [3, 4]})
    out = classify_lines(orders, before=AS_OF).to_pandas().set_index("order_id")
    assert close(out.loc["o1"].sale_list_value, 6.0) and out.loc["o2"].returned_value == 4.0
