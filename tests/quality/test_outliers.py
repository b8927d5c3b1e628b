"""Quality report fences on skewed integer data, bulk lines and collapsed days (shopmine.quality)."""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import pandas as pd
import pytest

from shopmine.quality.bulk_lines import bulk_lines
from shopmine.quality.days import collapsed_days
from shopmine.quality.outliers import log_fence_outliers

from features.helpers import toy_orders


def test_fences_on_distinct_log_values_do_not_collapse():
    # 70 lines of 1 unit, then 2, 3, 6, 12, 24 and one line of 50,000. The line quartiles are 1 and
    # 2 (fences 0.125..16 flagged the ordinary 24-unit lines as well); the distinct values are
    # 1, 2, 3, 6, 12, 24, 50000: Q1 (position 1.5) = (log 2 + log 3) / 2, Q3 (position 4.5) =
    # (log 12 + log 24) / 2, high = 10 ** (Q3 + 3 IQR) = 5,643.9...: only the 50,000 line is out.
    quantities = [1] * 70 + [2] * 10 + [3] * 5 + [6] * 5 + [12] * 5 + [24] * 3 + [50_000]
    con = duckdb.connect()
    con.execute("CREATE TABLE orders (product_id VARCHAR, quantity DOUBLE, source_file VARCHAR, source_line BIGINT)")
    con.executemany("INSERT INTO orders VALUES (?, ?, ?, ?)",
                    [["A", q, "f.csv", i + 2] for i, q in enumerate(quantities)])
    out = log_fence_outliers(con, ["quantity"], "true")["quantity"]
    q1 = (math.log10(2) + math.log10(3)) / 2
    q3 = (math.log10(12) + math.log10(24)) / 2
    assert out["rows"] == 99 and out["outliers"] == 1
    assert out["high"] == pytest.approx(10 ** (q3 + 3 * (q3 - q1)), rel=1e-12)
    assert out["low"] == pytest.approx(10 ** (q1 - 3 * (q3 - q1)), rel=1e-12)
    assert 5_643 < out["high"] < 5_644
    assert out["examples"] == [{"product_id": "A", "value": 50_000.0, "source_file": "f.csv", "source_line": 100}]


def test_bulk_lines_listed_with_their_usual_size():
    # A's lines 2, 2, 3, 2, 100: median 2, fence max(10 × 2, 3 × (3/2) ** 3) = 20. B's lines 8, 8,
    # 12, 12, 12 and 74,215 of which a cancellation 16 minutes later took back 74,000: net units 8, 8,
    # 12, 12, 12, 215, median 12, Q1 = 8 + 0.25 × 4 = 9, Q3 = 12, fence max(120, 12 × (12/9) ** 3 =
    # 28.4) = 120: the line is bulk by its 215 net units.
    def line(order, product, at, quantity, **extra):
        return {"order_id": order, "customer_id": "c1", "product_id": product, "ordered_at": at,
                "quantity": quantity, "unit_price": 1.0, **extra}
    orders = toy_orders([
        line("1", "A", "2021-01-02 10:00", 2), line("2", "A", "2021-01-02 11:00", 2),
        line("3", "A", "2021-01-02 12:00", 3), line("4", "A", "2021-01-03 10:00", 2),
        line("5", "A", "2021-01-03 11:00", 100),
        line("6", "B", "2021-01-04 10:00", 8), line("7", "B", "2021-01-04 10:00", 12),
        line("6b", "B", "2021-01-04 11:00", 8), line("7b", "B", "2021-01-04 11:00", 12),
        line("7c", "B", "2021-01-04 12:00", 12),
        line("8", "B", "2021-01-05 10:00", 74_215),
        line("C8", "B", "2021-01-05 10:16", -74_000, status="cancelled"),
    ])
    count, table = bulk_lines(orders, before=dt.date(2021, 1, 6))
    assert count == 2
    assert list(table.columns) == ["product_id", "quantity", "usual_units", "bulk_fence", "cancelled_units",
                                   "order_id", "ordered_at"]
    rows = [tuple(r) for r in table.itertuples(index=False)]
    assert rows == [("B", 74_215.0, 12.0, 120.0, 74_000.0, "8", pd.Timestamp("2021-01-05 10:00")),
                    ("A", 100.0, 2.0, 20.0, 0.0, "5", pd.Timestamp("2021-01-03 11:00"))]
    assert bulk_lines(orders, before=dt.date(2021, 1, 6), top=1)[1].order_id.tolist() == ["8"]


def test_collapsed_days_against_the_same_weekday_median():
    # Three weeks from Monday 2021-01-04 to Saturday 2021-01-23; closed on Sundays (no lines: the
    # Sunday median is 0, nothing flagged). 100 lines a day, except Wednesday 01-13 with 20 (< 25,
    # a quarter of the Wednesday median 100), Thursday 01-14 with 30 (not below 25) and Tuesday
    # 01-19 with no line at all (0 < 25).
    days = pd.date_range("2021-01-04", "2021-01-23", freq="D")
    lines = {d: 100 for d in days if d.day_name() != "Sunday"}
    lines[pd.Timestamp("2021-01-13")] = 20
    lines[pd.Timestamp("2021-01-14")] = 30
    del lines[pd.Timestamp("2021-01-19")]
    daily = pd.DataFrame({"day": [d.date() for d in lines], "lines": list(lines.values())})
    out = collapsed_days(daily)
    assert [tuple(r) for r in out.itertuples(index=False)] == [
        (dt.date(2021, 1, 13), "Wednesday", 20, 100.0),
        (dt.date(2021, 1, 19), "Tuesday", 0, 100.0),
    ]
    assert collapsed_days(daily.iloc[:0]).empty


def test_quality_report_lists_bulk_lines_and_collapsed_days(tmp_path):
    # Product A on Mondays only: 2, 2, 3, 2 units on 01-04, 01-11 and 01-18, nothing on 01-25, then
    # 2, 2, 3, 500 on 02-01. Monday line counts 4, 4, 4, 0, 4: median 4, and 01-25's 0 is below a
    # quarter of it; the other weekdays have no line (median 0: nothing flagged). Net lines: eleven
    # of 2, four of 3 and 500: median 2, Q1 = 2, Q3 = 3, fence max(10 × 2, 3 × 1.5 ** 3) = 20.
    from shopmine.shop import Shop

    rows = []
    for day, quantities in (("01-04", [2, 2, 3, 2]), ("01-11", [2, 2, 3, 2]), ("01-18", [2, 2, 3, 2]),
                            ("02-01", [2, 2, 3, 500])):
        rows += [(f"o{day}-{i}", "c1", "A", "Alpha lamp", f"2021-{day} 10:0{i}", q, 1.0)
                 for i, q in enumerate(quantities)]
    csv = tmp_path / "orders.csv"
    pd.DataFrame(rows, columns=["order_id", "customer_id", "product_id", "name", "ordered_at", "quantity",
                                "unit_price"]).to_csv(csv, index=False)
    shop = Shop(tmp_path / "ws")
    shop.ingest([csv])
    result = shop.quality()
    assert result.metrics["bulk_lines"] == 1 and result.metrics["collapsed_days"] == 1
    bulk = result.tables["bulk_lines"]
    assert bulk[["product_id", "name", "quantity", "usual_units", "bulk_fence", "order_id"]].values.tolist() == [
        ["A", "Alpha lamp", 500.0, 2.0, 20.0, "o02-01-3"]]
    assert [tuple(r) for r in result.tables["collapsed_days"].itertuples(index=False)] == [
        (dt.date(2021, 1, 25), "Monday", 0, 4.0)]
    assert "1 bulk lines" in result.summary and "1 days with fewer than 25% of their weekday's median" in result.summary
