"""Price points on hand-written lines, the expected rows written out by hand."""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
import pytest

from shopmine.engine import Engine
from shopmine.errors import ShopmineInputError
from shopmine.features.price_points import PRICE_POINT_COLUMNS, price_points

from .helpers import PRODUCTS_SCHEMA, close, duckdb_table, orders_frame, toy_orders

MON1, MON2 = dt.date(2021, 1, 4), dt.date(2021, 1, 11)  # ISO weeks of 2021-01-04 and 2021-01-11


def line(order: str, product: str, at: str, quantity: float, price: float, **extra) -> dict:
    return {"order_id": order, "customer_id": extra.pop("customer", "c1"), "product_id": product,
            "ordered_at": at, "quantity": quantity, "unit_price": price, **extra}


@pytest.fixture(scope="module")
def tables() -> tuple[ibis.Table, ibis.Table]:
    engine = Engine.duckdb()
    orders = orders_frame([
        # A, week 1: 2 x 9 (list 10, cost 4, customer c1), 1 x 10 (list 10, cost 5, c2), a shipping line
        line("o1", "A", "2021-01-05 10:00", 2, 9.0, list_price=10.0, unit_cost=4.0, category="home/decor"),
        line("o1", "SHIP", "2021-01-05 10:00", 1, 5.0, line_type="shipping"),
        line("o2", "A", "2021-01-06 10:00", 1, 10.0, list_price=10.0, unit_cost=5.0, customer="c2"),
        # A, week 2: 4 x 8 (list 10) by a guest, no cost on the line; one unit returned in week 2
        line("o3", "A", "2021-01-12 10:00", 4, 8.0, list_price=10.0, customer=None),
        line("r3", "A", "2021-01-13 10:00", -1, 8.0, list_price=10.0, customer=None),
        # B: returns only (bought before the data starts), list 30, cost 12 on the line
        line("r4", "B", "2021-01-07 10:00", -2, 25.0, list_price=30.0, unit_cost=12.0),
        # C: sold without list prices, a cancelled order (not a sale) and a line after the as-of date
        line("o5", "C", "2021-01-07 10:00", 3, 2.0),
        line("o6", "C", "2021-01-07 11:00", 5, 2.0, status="cancelled"),
        line("o7", "C", "2021-01-20 10:00", 1, 2.0),
    ])
    products = pd.DataFrame({"product_id": ["A", "C"], "name": ["a", "c"], "category": ["home/decor", "toys"],
                             "unit_cost": [6.0, 1.5], "list_price": [10.0, None]})
    return (duckdb_table(engine, "orders", orders),
            duckdb_table(engine, "products", products, PRODUCTS_SCHEMA))


def rows(tables, **kwargs) -> pd.DataFrame:
    orders, products = tables
    frame = price_points(orders, as_of=dt.date(2021, 1, 18), products=products, **kwargs).to_pandas()
    assert tuple(frame.columns) == PRICE_POINT_COLUMNS
    return frame


def test_weekly_points_by_hand(tables):
    frame = rows(tables)
    got = [(r.product_id, r.category, r.period.date() if hasattr(r.period, "date") else r.period)
           for r in frame.itertuples()]
    assert got == [("A", "home/decor", MON1), ("A", "home/decor", MON2), ("B", "unknown", MON1),
                   ("C", "toys", MON1)]
    expected = {
        # units, revenue, avg_price, list_price, discount_share, discount_depth, unit_cost, n_lines,
        # n_customers, returns
        0: (3, 28, 28 / 3, 10, 2 / 3, 1 - 28 / 30, 13 / 3, 2, 2, 0),
        1: (4, 32, 8, 10, 1, 1 - 32 / 40, 6, 1, 0, 1),  # cost from the products table
        2: (0, 0, None, 30, None, None, 12, 0, 0, 2),  # returns only: prices from the return line
        3: (3, 6, 2, None, 0, 0, 1.5, 1, 1, 0),  # no list price: nothing below it
    }
    names = ["units", "revenue", "avg_price", "list_price", "discount_share", "discount_depth", "unit_cost",
             "n_lines", "n_customers", "returns"]
    for i, want in expected.items():
        for name, value in zip(names, want):
            got_value = frame.loc[i, name]
            assert close(None if pd.isna(got_value) else float(got_value),
                         None if value is None else float(value)), (i, name, got_value, value)
    assert (frame.units_model == frame.units).all()


def test_daily_points_and_no_products_table(tables):
    orders, _ = tables
    frame = price_points(orders, as_of=dt.date(2021, 1, 18), freq="D").to_pandas()
    a = frame[frame.product_id == "A"]
    assert [p.date() if hasattr(p, "date") else p for p in a.period] == [
        dt.date(2021, 1, 5), dt.date(2021, 1, 6), dt.date(2021, 1, 12), dt.date(2021, 1, 13)]
    assert list(a.avg_price.fillna(-1)) == [9.0, 10.0, 8.0, -1]
    # Without a products table: line costs only, and C's category is unknown.
    assert list(a.unit_cost.fillna(-1)) == [4.0, 5.0, -1, -1]
    assert frame.loc[frame.product_id == "C", "category"].tolist() == ["unknown"]


def test_bad_freq_is_refused(tables):
    orders, _ = tables
    with pytest.raises(ShopmineInputError, match="freq must be D"):
        price_points(orders, as_of=dt.date(2021, 1, 18), freq="M")


def test_list_price_and_cost_follow_the_units_kept_after_a_cancellation():
    # Week 1 of A: 4 at list 10 (cost 4) of which a same-order line cancels 3, and 2 at list 12 (cost 6).
    # The price point counts the 3 units kept, so its list price and cost weigh those: (1 x 10 + 2 x 12) / 3,
    # the list value behind its discount depth (the 6 units as ordered would give 64 / 6).
    orders = toy_orders([
        line("o1", "A", "2021-01-05 10:00", 4, 9.0, list_price=10.0, unit_cost=4.0),
        line("o1", "A", "2021-01-05 11:00", -3, 9.0, list_price=10.0, unit_cost=4.0),
        line("o2", "A", "2021-01-06 10:00", 2, 12.0, list_price=12.0, unit_cost=6.0, customer="c2"),
    ])
    row = price_points(orders, as_of=dt.date(2021, 1, 18)).to_pandas().iloc[0]
    assert (row.units, row.returns, row.n_lines) == (3, 0, 2)
    assert row.list_price == pytest.approx(34 / 3) and row.unit_cost == pytest.approx(16 / 3)
    assert row.discount_depth == pytest.approx(1 - 33 / 34)


def test_shelf_price_is_the_price_most_lines_paid_and_off_shelf_lines_count_the_others():
    # D on one day, a wholesaler's tiers: three small lots at 2.95, one lot of 48 at 2.55, and one line at
    # 2.96 (within 1 %: the same price). E on one day: one line at 5.0 and one at 4.0, a tie -> the lower.
    engine = Engine.duckdb()
    orders = orders_frame([
        line("d1", "D", "2021-01-05 09:00", 6, 2.95),
        line("d2", "D", "2021-01-05 10:00", 12, 2.95, customer="c2"),
        line("d3", "D", "2021-01-05 11:00", 6, 2.95, customer="c3"),
        line("d4", "D", "2021-01-05 12:00", 48, 2.55, customer="c4"),
        line("d5", "D", "2021-01-05 13:00", 1, 2.96, customer=None),
        line("e1", "E", "2021-01-05 09:00", 1, 5.0),
        line("e2", "E", "2021-01-05 10:00", 1, 4.0, customer="c2"),
    ])
    frame = price_points(duckdb_table(engine, "orders", orders), as_of=dt.date(2021, 1, 18), freq="D").to_pandas()
    got = frame.set_index("product_id")
    assert got.loc["D", "shelf_price"] == 2.95 and got.loc["D", "off_shelf_lines"] == 1
    assert got.loc["D", "avg_price"] == pytest.approx((24 * 2.95 + 48 * 2.55 + 2.96) / 73)
    assert got.loc["E", "shelf_price"] == 4.0 and got.loc["E", "off_shelf_lines"] == 1
