"""``sort=False`` returns the same panel rows, only without the (costly) final order."""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd

from shopmine.features import sales_panel


def test_unsorted_panel_has_the_same_rows():
    orders = ibis.memtable(pd.DataFrame({
        "order_id": ["1", "2", "3", "4"], "customer_id": ["a", "b", "a", "c"],
        "product_id": ["p2", "p1", "p1", "p2"],
        "ordered_at": pd.to_datetime(["2024-01-01 10:00", "2024-01-02 11:00", "2024-01-04 09:00", "2024-01-03 08:00"]),
        "quantity": [1.0, 2.0, 3.0, 4.0], "unit_price": [1.0, 1.0, 1.0, 1.0],
    }))
    con = ibis.duckdb.connect()
    sorted_ = con.execute(sales_panel(orders, as_of=dt.date(2024, 1, 5)))
    unsorted = con.execute(sales_panel(orders, as_of=dt.date(2024, 1, 5), sort=False))
    assert len(sorted_) == 7  # p2: Jan 1-4, p1: Jan 2-4
    pd.testing.assert_frame_equal(unsorted.sort_values(["unique_id", "ds"]).reset_index(drop=True), sorted_)
