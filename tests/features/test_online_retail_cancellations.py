"""Cancellations on the raw UCI Online Retail export, loaded the way a new user loads it.

Figures checked by hand on the raw files with pandas: product 23843 was sold once (invoice 581483,
80,995 units at £2.08, customer 16446) and cancelled 12 minutes later by C581484; 23166's only line
of 2011-01-18 (541431, 74,215 units, customer 12346) was cancelled by C541433 16 minutes later;
customer 16446's other order, 553573, is 1 × £1.65 + 1 × £1.25 = £2.90.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from shopmine.shop import Shop


@pytest.fixture(scope="module")
def shop(online_retail_workspace):
    with Shop(online_retail_workspace()) as shop:
        yield shop


@pytest.fixture(scope="module")
def panel(shop: Shop) -> pd.DataFrame:
    frame = shop.sales_panel("product", "D").to_pyarrow().to_pandas()
    return frame[frame.unique_id.isin(["23843", "23166"])].set_index(["unique_id", "ds"])


def test_online_retail_23843_and_23166_have_zero_net_demand(panel):
    bird = panel.loc["23843"]
    assert bird.units.sum() == 0.0 and bird.gross_units.sum() == 80_995.0
    assert bird.units_model.sum() == 0.0 and bird.returns.sum() == 0.0 and bird.orders.sum() == 0
    day = panel.loc[("23166", dt.date(2011, 1, 18))]
    assert (day.units, day.gross_units, day.cancelled_units, day.revenue, day.orders) == (
        0.0, 74_215.0, 74_215.0, 0.0, 0)
    # Nothing of the cancelled line is left anywhere else in 23166's series as a return either.
    assert panel.loc["23166"].units.max() < 1_000


def test_online_retail_customer_16446_net_spend_and_purchases(shop):
    summary = shop.customer_summary().to_pandas().set_index("customer_id")
    c = summary.loc["16446"]
    assert c.monetary == pytest.approx(2.90, abs=1e-9)
    # One purchase: order 553573 on 2011-05-18; the cancelled order 581483 is not counted.
    assert (c.frequency, c.purchase_days, c.frequency_lt) == (1, 1, 0)
    assert c.last_purchase == pd.Timestamp("2011-05-18 09:52")
    assert c.units == 2.0 and c.cancelled_units == 80_995.0 and c.returned_value == 0.0
