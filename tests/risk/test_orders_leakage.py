"""No order risk feature uses what happened after the order (issue 15, acceptance 2).

Shifting the future: the features of the orders placed before a cut-off time are the same whether the
log ends there or goes on (later orders, the returns and cancellations of these very orders), and
whatever later lines say (moved, resized, re-priced, to other countries). An order's own later fate
(its status turned to cancelled, its return) changes none of its features.
"""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd
import pytest

from features.helpers import assert_frames_agree, toy_orders
from shopmine.risk.orders_features import order_features
from shopmine.simulate import simulate_shop

from .test_orders_features import AS_OF, toy_customers, toy_rows

END = dt.date(2024, 1, 1)


@pytest.fixture(scope="module")
def shop() -> tuple[pd.DataFrame, pd.DataFrame]:
    simulated = simulate_shop(n_customers=600, n_products=80, n_days=365, seed=5)
    orders = simulated.orders.to_pandas()
    orders["ordered_at"] = pd.to_datetime(orders["ordered_at"])
    return orders, simulated.to_pandas("customers")


def _features(orders: pd.DataFrame, customers: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    con = ibis.duckdb.connect()
    frame = order_features(con.create_table("orders", orders), as_of=as_of,
                           customers=con.create_table("customers", customers)).execute()
    return frame


@pytest.mark.parametrize("cut", ["2023-03-01 00:00:00", "2023-07-14 15:27:31", "2023-11-30 20:00:00"])
def test_the_future_changes_no_feature(shop, cut):
    orders, customers = shop
    cut = pd.Timestamp(cut)
    full = _features(orders, customers, END)
    placed_before = full[full.ordered_at < cut]
    # The log cut at that second: no later order, return or cancellation line.
    past = orders[orders.ordered_at < cut]
    truncated = _features(past, customers, END)
    assert len(placed_before) > 500 and len(truncated) == len(placed_before)
    # The future rewritten: every later line moved by a random few days (never before the cut), resized,
    # re-priced, shipped elsewhere and paid otherwise.
    rng = np.random.default_rng(0)
    later = orders.ordered_at >= cut
    shifted = orders.copy()
    shifted.loc[later, "ordered_at"] += pd.to_timedelta(rng.integers(0, 5 * 86_400, later.sum()), unit="s")
    shifted.loc[later, "quantity"] *= rng.integers(1, 4, later.sum())
    shifted.loc[later, "unit_price"] *= rng.uniform(0.5, 3, later.sum())
    shifted.loc[later, "country"] = "XX"
    shifted.loc[later, "payment_method"] = "crypto"
    rewritten = _features(shifted, customers, END)
    rewritten = rewritten[rewritten.order_id.isin(placed_before.order_id)]
    # The comparison is not empty-handed: orders before the cut have later returns and later orders.
    returned_later = orders[later & (orders.quantity < 0)].order_id
    assert placed_before.order_id.isin(returned_later).sum() > 20
    assert_frames_agree(placed_before.reset_index(drop=True), truncated, ["order_id"])
    assert_frames_agree(placed_before.reset_index(drop=True), rewritten.reset_index(drop=True), ["order_id"])


def test_an_orders_own_fate_is_not_its_feature():
    rows = toy_rows()
    base = order_features(toy_orders(rows), as_of=AS_OF, customers=toy_customers()).execute()
    # o3 turns out cancelled and o4 is returned at once, in the same second: neither sees it.
    fated = [{**r, "status": "cancelled"} if r["order_id"] == "o3" else r for r in rows]
    fated.append({**rows[-4], "quantity": -1.0, "status": "returned", "ordered_at": "2024-01-21 03:00:00"})
    assert fated[-1]["order_id"] == "o4"
    changed = order_features(toy_orders(fated), as_of=AS_OF, customers=toy_customers()).execute()
    mine = ["o0", "o1", "o2", "o3", "o4"]
    assert_frames_agree(base[base.order_id.isin(mine)].reset_index(drop=True),
                        changed[changed.order_id.isin(mine)].reset_index(drop=True), ["order_id"])
    # The check can fail: a later order of c1 does see o3's cancellation and o4's return.
    later = [*fated, {**rows[-4], "order_id": "o5", "ordered_at": "2024-01-23 10:00:00"}]
    after = order_features(toy_orders(later), as_of=AS_OF, customers=toy_customers()).execute()
    o5 = after.set_index("order_id").loc["o5"]
    assert (o5.cancelled_orders_before, o5.returns_before, o5.orders_before) == (2.0, 2.0, 4.0)
