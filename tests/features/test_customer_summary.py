"""The customer summary on hand-written lines; lifetimes columns computed by hand as lifetimes would."""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
import pytest

from shopmine.errors import ShopmineInputError
from shopmine.features import customer_summary

from .helpers import close, toy_orders

AS_OF = dt.date(2021, 2, 1)


def line(order, customer, at, quantity, price, **extra):
    return {"order_id": order, "customer_id": customer, "product_id": extra.pop("product_id", "A"),
            "ordered_at": at, "quantity": quantity, "unit_price": price, **extra}


SHOP = [
    # c1: two orders on 01-01 (2 × 10 and 1 × 5: 25 that day), one on 01-10 (30, plus shipping),
    # one on 01-20 (3 × 12 = 36), a return of 1 × 10 on 01-25, a cancelled order on 01-28 and an
    # order at midnight of the as-of date (excluded).
    line("o1", "c1", "2021-01-01 10:00", 2, 10.0),
    line("o2", "c1", "2021-01-01 15:00", 1, 5.0, product_id="B"),
    line("o3", "c1", "2021-01-10 09:00", 1, 30.0),
    line("o3", "c1", "2021-01-10 09:00", 1, 4.95, product_id="SHIP", line_type="shipping"),
    line("o4", "c1", "2021-01-20 12:00", 3, 12.0),
    line("r1", "c1", "2021-01-25 08:00", -1, 10.0),
    line("o6", "c1", "2021-01-28 08:00", 1, 50.0, status="cancelled"),
    line("o7", "c1", "2021-02-01 00:00", 5, 10.0),
    # c2: one purchase late on 01-31, the day before as_of
    line("o8", "c2", "2021-01-31 23:59", 1, 7.0),
    # c3: only a return; c4: only a cancelled order; a guest's sale: none of them is a customer here
    line("r2", "c3", "2021-01-15 10:00", -2, 3.0),
    line("o9", "c4", "2021-01-15 10:00", 1, 3.0, status="cancelled"),
    line("o10", None, "2021-01-15 10:00", 4, 3.0),
]


@pytest.fixture(scope="module")
def summary() -> pd.DataFrame:
    return customer_summary(toy_orders(SHOP), as_of=AS_OF).to_pandas().set_index("customer_id")


def test_only_customers_with_a_sale(summary):
    assert list(summary.index) == ["c1", "c2"]


def test_rfm_columns(summary):
    c1 = summary.loc["c1"]
    assert c1.first_purchase == pd.Timestamp("2021-01-01 10:00")
    assert c1.last_purchase == pd.Timestamp("2021-01-20 12:00")
    assert c1.recency_days == 12          # 02-01 - 01-20
    assert c1.tenure_days == 31           # 02-01 - 01-01
    assert c1.frequency == 4              # o1, o2, o3, o4 (the return and the cancellation are not sales)
    assert close(c1.gross_revenue, 91.0)  # 20 + 5 + 30 + 36 (shipping excluded)
    assert close(c1.returned_value, 10.0) and close(c1.returned_units, 1.0)
    assert close(c1.monetary, 81.0)       # 91 - 10
    assert close(c1.avg_order_value, 81 / 4)
    assert close(c1.returns_share, 10 / 91)
    assert close(c1.units, 7.0)           # 2 + 1 + 1 + 3
    assert close(c1.cancelled_units, 1.0)
    c2 = summary.loc["c2"]
    assert c2.recency_days == 1 and c2.tenure_days == 1  # a purchase the day before as_of gives 1
    assert c2.frequency == 1 and close(c2.monetary, 7.0) and close(c2.returns_share, 0.0)


def test_lifetimes_columns(summary):
    # lifetimes.utils.summary_data_from_transaction_data(..., freq="D",
    #   observation_period_end="2021-01-31", monetary_value_col="revenue") on c1's purchase days
    #   01-01 (25), 01-10 (30), 01-20 (36):
    #   frequency = 3 days - 1 = 2; recency = 01-20 - 01-01 = 19; T = 01-31 - 01-01 = 30;
    #   monetary_value = mean of the repeat days = (30 + 36) / 2 = 33.
    c1 = summary.loc["c1"]
    assert (c1.purchase_days, c1.frequency_lt, c1.recency_lt, c1["T"]) == (3, 2, 19, 30)
    assert close(c1.monetary_value, 33.0)
    # c2 bought once, on 01-31 = the observation end: frequency 0, recency 0, T 0, monetary_value 0.
    c2 = summary.loc["c2"]
    assert (c2.purchase_days, c2.frequency_lt, c2.recency_lt, c2["T"]) == (1, 0, 0, 0)
    assert c2.monetary_value == 0.0


def test_earlier_as_of():
    # as_of 01-20: c1's 01-20 order is cut off; c2 has not bought yet; the return (01-25) is later.
    frame = customer_summary(toy_orders(SHOP), as_of=dt.date(2021, 1, 20)).to_pandas()
    assert list(frame.customer_id) == ["c1"]
    c1 = frame.iloc[0]
    # days 01-01 (25), 01-10 (30); observation end 01-19: T = 18, recency = 9, monetary_value = 30
    assert (c1.frequency, c1.recency_days, c1.tenure_days) == (3, 10, 19)
    assert (c1.frequency_lt, c1.recency_lt, c1["T"]) == (1, 9, 18)
    assert close(c1.monetary_value, 30.0) and close(c1.monetary, 55.0) and close(c1.returns_share, 0.0)


def test_returns_share_is_null_without_gross_revenue():
    orders = toy_orders([line("o1", "c1", "2021-01-01", 1, 0.0), line("r1", "c1", "2021-01-02", -1, 0.0)])
    row = customer_summary(orders, as_of=AS_OF).to_pandas().iloc[0]
    assert pd.isna(row.returns_share) and row.monetary == 0.0


def test_output_types():
    schema = customer_summary(toy_orders(SHOP), as_of=AS_OF).schema()
    types = {n: str(t) for n, t in schema.items()}
    assert types["customer_id"] == "string"
    assert types["first_purchase"].startswith("timestamp") and types["last_purchase"].startswith("timestamp")
    for name in ("recency_days", "frequency", "tenure_days", "purchase_days", "frequency_lt",
                 "recency_lt", "T"):
        assert types[name] == "int64", name
    for name in ("monetary", "gross_revenue", "avg_order_value", "returns_share", "units",
                 "returned_units", "returned_value", "cancelled_units", "monetary_value"):
        assert types[name] == "float64", name


def test_bad_as_of():
    with pytest.raises(ShopmineInputError, match="'as_of' must be a date"):
        customer_summary(ibis.memtable({"x": [1]}), as_of=None)
