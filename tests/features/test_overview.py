"""Overview dicts of the panel and the customer summary."""

from __future__ import annotations

import datetime as dt
import json

from shopmine.features import customer_overview, customer_summary, panel_overview, sales_panel

from .helpers import toy_orders


def line(order, customer, product, at, quantity, price):
    return {"order_id": order, "customer_id": customer, "product_id": product, "ordered_at": at,
            "quantity": quantity, "unit_price": price}


ORDERS = [
    line("o1", "c1", "A", "2021-01-01 10:00", 2, 10.0),
    line("o2", "c1", "B", "2021-01-03 10:00", 1, 5.0),
    line("o3", "c2", "A", "2021-01-03 11:00", 1, 10.0),
    line("r1", "c2", "A", "2021-01-04 11:00", -1, 10.0),
    line("o4", "c3", "B", "2021-01-04 12:00", 4, 5.0),
]
AS_OF = dt.date(2021, 1, 5)


def test_panel_overview():
    # A: 01-01 (2), 01-02 (0), 01-03 (1), 01-04 (0); B: 01-03 (1), 01-04 (4) -> 6 rows, 2 zeros.
    overview = panel_overview(sales_panel(toy_orders(ORDERS), level="product", freq="D", as_of=AS_OF))
    assert overview == {"series": 2, "periods": 6, "start": dt.date(2021, 1, 1), "end": dt.date(2021, 1, 4),
                        "zero_share": 2 / 6, "total_units": 8.0, "total_revenue": 55.0}


def test_customer_overview():
    # c1: 2 orders on 2 days (recency 2, monetary 25); c2: 1 order (recency 2, monetary 10 - 10 = 0);
    # c3: 1 order (recency 1, monetary 20). One-day buyers: c2, c3. Median recency 2.
    overview = customer_overview(customer_summary(toy_orders(ORDERS), as_of=AS_OF))
    assert overview == {"customers": 3, "one_purchase_share": 2 / 3, "median_recency_days": 2.0,
                        "mean_frequency": 4 / 3, "total_monetary": 45.0}
    json.dumps({k: str(v) if isinstance(v, dt.date) else v for k, v in overview.items()})


def test_overviews_of_empty_tables():
    orders = toy_orders(ORDERS)
    assert panel_overview(sales_panel(orders, as_of=dt.date(2020, 1, 1))) == {
        "series": 0, "periods": 0, "start": None, "end": None, "zero_share": None,
        "total_units": 0.0, "total_revenue": 0.0}
    assert customer_overview(customer_summary(orders, as_of=dt.date(2020, 1, 1))) == {
        "customers": 0, "one_purchase_share": None, "median_recency_days": None,
        "mean_frequency": None, "total_monetary": 0.0}
