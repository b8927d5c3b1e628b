"""Forecast series from a workspace: bulk lines capped by default, kept with keep_outliers=True."""

from __future__ import annotations

import pandas as pd

from shopmine.shop import Shop


def test_forecast_series_cap_bulk_lines_unless_kept(tmp_path):
    # A sells 2, 2, 3, 2, 2, 3 units a day (01-01 to 01-06), then one order of 500 on 01-07; its net
    # lines' median is 2, Q1 = 2, Q3 = 3 (position 4.5 of 7 lines: 3), so the fence is
    # max(10 × 2, 3 × 1.5 ** 3 = 10.1) = 20. A cancelled 80,995-unit sale (C invoice 12 minutes
    # later) on 01-03 counts in neither series.
    rows = [(f"o{d}", "c1", "A", f"2021-01-0{d} 10:00", q, 1.0, "completed")
            for d, q in zip(range(1, 7), [2, 2, 3, 2, 2, 3])]
    rows += [("o7", "c2", "A", "2021-01-07 10:00", 500, 1.0, "completed"),
             ("o8", "c3", "A", "2021-01-03 11:00", 80_995, 1.0, "completed"),
             ("C8", "c3", "A", "2021-01-03 11:12", -80_995, 1.0, "cancelled")]
    csv = tmp_path / "orders.csv"
    pd.DataFrame(rows, columns=["order_id", "customer_id", "product_id", "ordered_at", "quantity",
                                "unit_price", "status"]).to_csv(csv, index=False)
    shop = Shop(tmp_path / "ws")
    shop.ingest([csv])
    capped = shop.forecast_series(level="product", freq="D")
    assert capped["y"].tolist() == [2.0, 2.0, 3.0, 2.0, 2.0, 3.0, 20.0]
    kept = shop.forecast_series(level="product", freq="D", keep_outliers=True)
    assert kept["y"].tolist() == [2.0, 2.0, 3.0, 2.0, 2.0, 3.0, 500.0]
