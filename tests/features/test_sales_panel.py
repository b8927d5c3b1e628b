"""The sales panel on hand-written lines, with the expected panels written out by hand."""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
import pytest

from shopmine.errors import ShopmineInputError
from shopmine.features import sales_panel

from .helpers import close, toy_orders

NAN = float("nan")
COLUMNS = ["unique_id", "ds", "units", "revenue", "returns", "cancelled_units", "orders",
           "avg_price", "avg_list_price", "discount_share", "discount_depth"]
# Net/gross and bulk columns, checked in test_cancellations.py; these shops have neither.
EXTRA = ["gross_units", "gross_revenue", "bulk_lines", "units_model"]


def line(order: str, product: str, at: str, quantity: float, price: float, **extra) -> dict:
    return {"order_id": order, "product_id": product, "ordered_at": at, "quantity": quantity,
            "unit_price": price, **extra}


def panel_rows(expr: ibis.Table) -> list[tuple]:
    frame = expr.to_pandas()
    assert list(frame.columns) == COLUMNS + EXTRA
    # Nothing cancelled and no bulk line: gross = net and the model measure is the demand.
    assert (frame.gross_units == frame.units).all() and (frame.gross_revenue == frame.revenue).all()
    assert (frame.units_model == frame.units).all() and (frame.bulk_lines == 0).all()
    return [(r.unique_id, r.ds.date(), r.units, r.revenue, r.returns, r.cancelled_units, r.orders,
             r.avg_price, r.avg_list_price, r.discount_share, r.discount_depth)
            for r in frame.itertuples()]


def assert_rows(actual: list[tuple], expected: list[tuple]) -> None:
    assert len(actual) == len(expected), actual
    for got, want in zip(actual, expected):
        assert got[:2] == want[:2] and got[6] == want[6], (got, want)
        assert all(close(g, w) for g, w in zip(got[2:], want[2:])), (got, want)


@pytest.fixture(scope="module")
def shop() -> ibis.Table:
    d = "2021-01-0"
    return toy_orders([
        # B: a return before its first sale (dropped from the panel), then the first sale on 01-03
        line("b0", "B", d + "1 08:00", -2, 20.0),
        # A: first sale day 01-02, two orders: 2 × 10 (list 12) and 1 × 12 (list 12)
        line("o1", "A", d + "2 10:00", 2, 10.0, list_price=12.0),
        line("o1", "SHIP", d + "2 10:00", 1, 5.0, line_type="shipping"),
        line("o2", "A", d + "2 11:00", 1, 12.0, list_price=12.0),
        # B on 01-03: 1 × 20 without list price, and a positive line with status returned
        line("o3", "B", d + "3 09:00", 1, 20.0),
        line("o3", "B", d + "3 09:00", 1, 20.0, status="returned"),
        # A on 01-04: a return of one unit (and the return's shipping refund, ignored)
        line("r1", "A", d + "4 09:00", -1, 10.0),
        line("r1", "SHIP", d + "4 09:00", -1, 5.0, line_type="shipping"),
        # A on 01-05: a cancelled order
        line("o4", "A", d + "5 12:00", 3, 10.0, status="cancelled"),
        # C only ever returned: no series
        line("r2", "C", d + "5 13:00", -1, 1.0),
        # on the as-of date: excluded
        line("o5", "A", d + "6 00:00", 5, 10.0),
    ])


AS_OF = dt.date(2021, 1, 6)


def day(n: int) -> dt.date:
    return dt.date(2021, 1, n)


def test_product_daily_zero_filled_from_first_sale(shop):
    # A 01-02: units 3, revenue 2·10 + 12 = 32, list value 2·12 + 12 = 36, 2 orders,
    #   avg price 32/3, avg list 36/3 = 12, discounted units 2 of 3, depth 1 - 32/36 = 1/9.
    # B 01-03: 1 unit at 20 without list price (list = 20), one returned unit (status returned).
    # The panel runs to as_of - 1 = 01-05; the 01-06 line is cut off; B's 01-01 return is dropped.
    expected = [
        ("A", day(2), 3.0, 32.0, 0.0, 0.0, 2, 32 / 3, 12.0, 2 / 3, 1 / 9),
        ("A", day(3), 0.0, 0.0, 0.0, 0.0, 0, NAN, NAN, NAN, NAN),
        ("A", day(4), 0.0, 0.0, 1.0, 0.0, 0, NAN, NAN, NAN, NAN),
        ("A", day(5), 0.0, 0.0, 0.0, 3.0, 0, NAN, NAN, NAN, NAN),
        ("B", day(3), 1.0, 20.0, 1.0, 0.0, 1, 20.0, 20.0, 0.0, 0.0),
        ("B", day(4), 0.0, 0.0, 0.0, 0.0, 0, NAN, NAN, NAN, NAN),
        ("B", day(5), 0.0, 0.0, 0.0, 0.0, 0, NAN, NAN, NAN, NAN),
    ]
    assert_rows(panel_rows(sales_panel(shop, level="product", freq="D", as_of=AS_OF)), expected)


def test_total_daily_starts_at_the_first_sale_of_the_shop(shop):
    # B's 01-01 return comes before any sale: dropped. 01-03: B's sale and return.
    # 01-05: A's cancellation; C's return on 01-05 counts in the total (the total had sold before).
    expected = [
        ("total", day(2), 3.0, 32.0, 0.0, 0.0, 2, 32 / 3, 12.0, 2 / 3, 1 / 9),
        ("total", day(3), 1.0, 20.0, 1.0, 0.0, 1, 20.0, 20.0, 0.0, 0.0),
        ("total", day(4), 0.0, 0.0, 1.0, 0.0, 0, NAN, NAN, NAN, NAN),
        ("total", day(5), 0.0, 0.0, 1.0, 3.0, 0, NAN, NAN, NAN, NAN),
    ]
    assert_rows(panel_rows(sales_panel(shop, level="total", freq="D", as_of=AS_OF)), expected)


def test_earlier_as_of_cuts_the_panel(shop):
    # as_of 01-03: only A's 01-02 sales are seen; the panel ends on 01-02.
    rows = panel_rows(sales_panel(shop, level="product", freq="D", as_of=day(3)))
    assert [(r[0], r[1], r[2]) for r in rows] == [("A", day(2), 3.0)]


def test_no_sales_before_as_of_gives_an_empty_panel(shop):
    assert panel_rows(sales_panel(shop, level="total", freq="D", as_of=day(2))) == []


def test_weekly_monday_across_the_year_boundary():
    orders = toy_orders([
        # Thursday 2020-12-31 and Sunday 2021-01-03 are in the ISO week of Monday 2020-12-28
        # (ISO week 53 of 2020); Monday 2021-01-04 starts the next week.
        line("a", "A", "2020-12-31 23:59:59", 1, 2.0),
        line("b", "A", "2021-01-03 00:00:01", 2, 3.0),
        line("c", "A", "2021-01-04 00:00:00", 1, 4.0),
    ])
    # as_of Tuesday 2021-01-12: as_of - 1 = Monday 01-11, so the (partial) week of 01-11 is included,
    # zero-filled.
    expected = [
        ("A", dt.date(2020, 12, 28), 3.0, 8.0, 0.0, 0.0, 2, 8 / 3, 8 / 3, 0.0, 0.0),
        ("A", dt.date(2021, 1, 4), 1.0, 4.0, 0.0, 0.0, 1, 4.0, 4.0, 0.0, 0.0),
        ("A", dt.date(2021, 1, 11), 0.0, 0.0, 0.0, 0.0, 0, NAN, NAN, NAN, NAN),
    ]
    panel = sales_panel(orders, level="product", freq="W", as_of=dt.date(2021, 1, 12))
    assert_rows(panel_rows(panel), expected)
    # as_of Monday 01-11: the last day is Sunday 01-10, so the last week is that of 01-04.
    rows = panel_rows(sales_panel(orders, level="product", freq="W", as_of=dt.date(2021, 1, 11)))
    assert [r[1] for r in rows] == [dt.date(2020, 12, 28), dt.date(2021, 1, 4)]


def test_category_falls_back_to_products():
    orders = toy_orders([
        # A has no category on the line: "toys" from products
        line("1", "A", "2021-01-01 10:00", 1, 1.0),
        # B's line says "home" while products says "garden": the line wins
        line("2", "B", "2021-01-01 11:00", 2, 1.0, category="home"),
        # C: empty category on the line and no product row -> "unknown"
        line("3", "C", "2021-01-01 12:00", 4, 1.0, category=""),
        # D: listed twice in products; the alphabetically first category is used
        line("4", "D", "2021-01-01 13:00", 8, 1.0),
    ])
    products = ibis.memtable(pd.DataFrame({
        "product_id": ["A", "B", "D", "D"], "name": ["a", "b", "d", "d"],
        "category": ["toys", "garden", "kitchen/pans", "kitchen"],
        "unit_cost": [0.5] * 4, "list_price": [1.0] * 4,
    }))
    frame = sales_panel(orders, level="category", freq="D", as_of=dt.date(2021, 1, 2),
                        products=products).to_pandas()
    units = dict(zip(frame.unique_id, frame.units))
    assert units == {"home": 2.0, "kitchen": 8.0, "toys": 1.0, "unknown": 4.0}
    assert list(frame.unique_id) == sorted(frame.unique_id)
    # Without products, only the lines' own categories are used.
    frame = sales_panel(orders, level="category", freq="D", as_of=dt.date(2021, 1, 2)).to_pandas()
    assert dict(zip(frame.unique_id, frame.units)) == {"home": 2.0, "unknown": 13.0}


def test_output_types(shop):
    schema = sales_panel(shop, level="product", freq="W", as_of=AS_OF).schema()
    assert {n: str(t) for n, t in schema.items()} == {
        "unique_id": "string", "ds": "date", "units": "float64", "revenue": "float64",
        "returns": "float64", "cancelled_units": "float64", "orders": "int64",
        "avg_price": "float64", "avg_list_price": "float64", "discount_share": "float64",
        "discount_depth": "float64", "gross_units": "float64", "gross_revenue": "float64",
        "bulk_lines": "int64", "units_model": "float64"}


@pytest.mark.parametrize("kwargs, message", [
    ({"level": "sku"}, r"^level must be product, category or total; got 'sku'\.$"),
    ({"freq": "M"}, r"^freq must be D \(days\) or W \(ISO weeks starting on Monday\); got 'M'\.$"),
    ({"as_of": "soon"}, r"'as_of' must be a date"),
])
def test_bad_arguments(shop, kwargs, message):
    with pytest.raises(ShopmineInputError, match=message):
        sales_panel(shop, **{"as_of": AS_OF, **kwargs})
