"""The report's opening: KPIs of the last 30 days against the period before and last year, net of
cancellations, on a hand-made log whose answers are counted by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from shopmine.glance import glance_result, period_kpis
from shopmine.features import classify_lines

from .helpers import toy_orders

AS_OF = dt.date(2024, 3, 1)  # this period 2024-01-31..2024-02-29, previous 2024-01-01..2024-01-30,
#                              last year (52 weeks = 364 days earlier) 2023-02-01..2023-03-02


def _log():
    rows = [
        # the log starts long before: d's order, in no period
        {"order_id": "o1", "customer_id": "d", "product_id": "P", "ordered_at": "2022-06-01 10:00", "quantity": 1,
         "unit_price": 10.0},
        # a year earlier: customer a, one order of 2 x 10
        {"order_id": "y1", "customer_id": "a", "product_id": "P", "ordered_at": "2023-02-10 10:00", "quantity": 2,
         "unit_price": 10.0},
        # previous period: b buys 1 x 50; a guest buys 1 x 10
        {"order_id": "p1", "customer_id": "b", "product_id": "Q", "ordered_at": "2024-01-10 10:00", "quantity": 1,
         "unit_price": 50.0},
        {"order_id": "p2", "customer_id": None, "product_id": "P", "ordered_at": "2024-01-12 10:00", "quantity": 1,
         "unit_price": 10.0},
        # this period: a (returning) 3 x 10, c (new) 1 x 30 ...
        {"order_id": "t1", "customer_id": "a", "product_id": "P", "ordered_at": "2024-02-05 10:00", "quantity": 3,
         "unit_price": 10.0},
        {"order_id": "t2", "customer_id": "c", "product_id": "Q", "ordered_at": "2024-02-06 10:00", "quantity": 1,
         "unit_price": 30.0},
        # ... and c's bulk order of 1,000 x 10, cancelled 12 minutes later: neither revenue nor an order
        {"order_id": "t3", "customer_id": "c", "product_id": "P", "ordered_at": "2024-02-07 10:00",
         "quantity": 1000, "unit_price": 10.0},
        {"order_id": "Ct3", "customer_id": "c", "product_id": "P", "ordered_at": "2024-02-07 10:12",
         "quantity": -1000, "unit_price": 10.0, "status": "cancelled"},
    ]
    return toy_orders(rows)


def test_kpis_per_period_by_hand():
    lines = classify_lines(_log(), before=AS_OF, bulk=False)
    kpis = period_kpis(lines, AS_OF)
    this, prev, year = (kpis.loc[p] for p in ("this_period", "previous_period", "last_year"))
    assert (this["first_day"], this["last_day"]) == (dt.date(2024, 1, 31), dt.date(2024, 2, 29))
    assert (year["first_day"], year["last_day"]) == (dt.date(2023, 2, 1), dt.date(2023, 3, 2))
    # 3 x 10 + 30; the cancelled bulk order adds nothing
    assert [this["revenue"], this["orders"], this["avg_order_value"], this["returning_customer_rate"]] == \
        [60.0, 2.0, 30.0, 0.5]
    # the guest's order counts in revenue and orders; only b is an identified customer, and new
    assert [prev["revenue"], prev["orders"], prev["avg_order_value"], prev["returning_customer_rate"]] == \
        [60.0, 2.0, 30.0, 0.0]
    assert [year["revenue"], year["orders"], year["returning_customer_rate"]] == [20.0, 1.0, 0.0]


def test_a_period_before_the_log_starts_has_no_value_but_the_latest_always_has():
    orders = _log().filter(lambda t: t.order_id != "o1")  # the log now starts 2023-02-10
    as_of = dt.date(2023, 3, 1)  # this period 2023-01-30..2023-02-28 starts before the log, and is shown
    kpis = period_kpis(classify_lines(orders, before=as_of, bulk=False), as_of)
    assert kpis.loc["this_period", "revenue"] == 20.0
    assert kpis.loc[["previous_period", "last_year"], "revenue"].isna().all()


def test_tiles_summary_and_top_products():
    total = pd.DataFrame({"ds": pd.date_range("2023-02-06", periods=56, freq="W-MON"), "revenue": 1.0})
    lines = classify_lines(_log(), before=AS_OF, cancel_window_days=30, bulk=False)
    result = glance_result(lines, total, as_of=AS_OF, currency="GBP", names=pd.Series({"P": "Pen", "Q": "Quill"}))
    tiles = result.tables["tiles"].set_index("kpi")
    assert tiles.loc["revenue", "value"] == 60.0
    assert tiles.loc["revenue", "vs_previous_period"] == 0.0
    assert tiles.loc["revenue", "vs_last_year"] == 2.0  # 60 against 20
    assert tiles.loc["returning_customer_rate", "vs_previous_period"] == 0.5  # in points: 0.5 - 0.0
    assert result.summary == ("In the 30 days from 2024-01-31 to 2024-02-29: revenue £60.00 (up 0% on the 30 days "
                              "before; up 200% on the same days last year), from 2 orders averaging £30.00. "
                              "50% of the customers who bought had bought before.")
    top = result.tables["top_products"]
    # a tie in revenue goes by product id
    assert top[["product_id", "name", "revenue", "units"]].values.tolist() == [["P", "Pen", 30.0, 3.0],
                                                                               ["Q", "Quill", 30.0, 1.0]]
    # Pen sold 10 in the period before (the guest): +200 %; Quill 50: -40 %
    assert top["revenue_growth_rate"].round(6).tolist() == [2.0, -0.4]
    fig = result.figures["revenue_against_last_year"]
    assert [trace.name for trace in fig.data] == ["last 52 weeks", "a year earlier"]
    assert len(fig.data[0].x) == 52 and len(fig.data[1].x) == 4


def test_overview_results_classify_the_log_once_for_the_glance_and_the_cohorts(tmp_path, monkeypatch):
    import shopmine.glance
    import shopmine.shop
    from shopmine.ingest import IngestOptions
    from shopmine.shop import Shop
    from shopmine.workspace import Workspace

    (tmp_path / "orders.csv").write_text("order_id,customer_id,product_id,ordered_at,quantity,unit_price\n"
                                         "o1,c1,P,2024-03-01 10:00:00,2,5.0\n"
                                         "o2,c2,P,2024-03-20 10:00:00,1,5.0\n"
                                         "o3,c1,Q,2024-03-25 10:00:00,3,2.0\n")
    calls, real = [], shopmine.shop.classify_lines
    monkeypatch.setattr(shopmine.shop, "classify_lines", lambda *a, **kw: calls.append(kw) or real(*a, **kw))
    with Shop(Workspace(tmp_path / "ws")) as shop:
        shop.ingest([tmp_path / "orders.csv"], IngestOptions())
        glance, _sales, customers = shop.overview_results()
    assert len(calls) == 1 and calls[0]["bulk"] is False
    assert not hasattr(shopmine.glance, "classify_lines")  # the glance reads the lines it is given
    # as of 2024-03-26, the last 30 days hold all three orders: 10 + 5 + 6
    assert (glance.metrics["revenue"], glance.metrics["orders"]) == (21.0, 3.0)
    assert glance.tables["top_products"]["product_id"].tolist() == ["P", "Q"]
    assert customers.tables["cohort_retention"]["customers"].tolist() == [2]  # c1 and c2, both first in March
