"""Calibration/holdout split on hand-written lines, computed by hand as lifetimes would."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from shopmine.errors import ShopmineInputError
from shopmine.features import calibration_and_holdout

from .helpers import close, toy_orders


def line(order, customer, at, quantity, price, **extra):
    return {"order_id": order, "customer_id": customer, "product_id": "A", "ordered_at": at,
            "quantity": quantity, "unit_price": price, **extra}


SHOP = [
    # c1: purchase days 01-01 (25), 01-10 (30) in calibration, 01-20 (36) in holdout; a return and a
    # cancellation (ignored), and a sale after the observation end (ignored).
    line("o1", "c1", "2021-01-01 10:00", 2, 10.0),
    line("o2", "c1", "2021-01-01 15:00", 1, 5.0),
    line("o3", "c1", "2021-01-10 09:00", 1, 30.0),
    line("o4", "c1", "2021-01-20 12:00", 3, 12.0),
    line("r1", "c1", "2021-01-25 08:00", -1, 10.0),
    line("o6", "c1", "2021-01-28 08:00", 1, 50.0, status="cancelled"),
    line("o7", "c1", "2021-02-01 00:00", 5, 10.0),
    # c5: first purchase at 23:00 on the calibration end (inside: periods are whole days), then
    # 01-16 (2 × 4 = 8) and 01-31 at 23:59 (6) in the holdout.
    line("o8", "c5", "2021-01-15 23:00", 1, 4.0),
    line("o9", "c5", "2021-01-16 00:00", 2, 4.0),
    line("o10", "c5", "2021-01-31 23:59", 1, 6.0),
    # c2: first purchase in the holdout: not in the table. A guest: never.
    line("o11", "c2", "2021-01-31 10:00", 1, 7.0),
    line("o12", None, "2021-01-02 10:00", 1, 7.0),
]


@pytest.fixture(scope="module")
def split() -> pd.DataFrame:
    expr = calibration_and_holdout(toy_orders(SHOP), calibration_end=dt.date(2021, 1, 15),
                                   observation_end=dt.date(2021, 1, 31))
    return expr.to_pandas()


def test_customers_are_those_of_the_calibration_period(split):
    assert list(split.customer_id) == ["c1", "c5"]
    assert list(split.columns) == ["customer_id", "frequency_cal", "recency_cal", "T_cal",
                                   "monetary_value_cal", "frequency_holdout", "monetary_value_holdout",
                                   "duration_holdout"]


def test_values_as_lifetimes(split):
    # lifetimes.utils.calibration_and_holdout_data(tx, "customer_id", "date", calibration_period_end=
    #   "2021-01-15", observation_period_end="2021-01-31", freq="D", monetary_value_col="revenue")
    # with tx = one row per purchase day:
    # c1: calibration days 01-01, 01-10 -> frequency 1, recency 9, T = 01-15 - 01-01 = 14,
    #     monetary_value 30 (the repeat day); holdout day 01-20 -> frequency 1, monetary 36.
    # c5: calibration day 01-15 -> 0, 0, T 0, monetary 0; holdout 01-16 (8), 01-31 (6) -> 2, 7.
    # duration_holdout = 01-31 - 01-15 = 16 days.
    c1, c5 = split.iloc[0], split.iloc[1]
    columns = ["frequency_cal", "recency_cal", "T_cal", "frequency_holdout", "duration_holdout"]
    assert list(c1[columns]) == [1, 9, 14, 1, 16]
    assert close(c1.monetary_value_cal, 30.0) and close(c1.monetary_value_holdout, 36.0)
    assert list(c5[columns]) == [0, 0, 0, 2, 16]
    assert c5.monetary_value_cal == 0.0 and close(c5.monetary_value_holdout, 7.0)


def test_no_holdout_purchase_gives_zeros():
    orders = toy_orders([line("o1", "c1", "2021-01-01", 1, 3.0), line("o2", "c1", "2021-01-03", 1, 5.0)])
    row = calibration_and_holdout(orders, calibration_end=dt.date(2021, 1, 5),
                                  observation_end=dt.date(2021, 1, 12)).to_pandas().iloc[0]
    columns = ["frequency_cal", "recency_cal", "T_cal", "frequency_holdout", "duration_holdout"]
    assert list(row[columns]) == [1, 2, 4, 0, 7]
    assert row.monetary_value_cal == 5.0 and row.monetary_value_holdout == 0.0


@pytest.mark.parametrize("cal, obs", [
    (dt.date(2021, 1, 15), dt.date(2021, 1, 15)),
    (dt.date(2021, 1, 16), dt.date(2021, 1, 15)),
])
def test_calibration_end_must_come_first(cal, obs):
    message = r"calibration_end \(2021-01-1[56]\) must be before observation_end"
    with pytest.raises(ShopmineInputError, match=message):
        calibration_and_holdout(toy_orders(SHOP), calibration_end=cal, observation_end=obs)


def test_dates_are_checked():
    with pytest.raises(ShopmineInputError, match="'observation_end' must be a date"):
        calibration_and_holdout(toy_orders(SHOP), calibration_end=dt.date(2021, 1, 15),
                                observation_end="end")
