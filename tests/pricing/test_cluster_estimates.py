"""Per-cluster elasticities on a toy shop whose two customer groups answer prices differently."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from features.helpers import toy_orders

from shopmine.errors import ShopmineInputError
from shopmine.pricing.clusters import (
    BEHAVIOUR_FEATURES,
    CLUSTER_COLUMNS,
    cluster_elasticities,
    price_behaviour,
    price_clusters,
)

AS_OF = dt.date(2024, 1, 1)
#: Each group's elasticity: bargain hunters -3, loyal customers -0.5.
GROUPS = {"bargain": -3.0, "loyal": -0.5}


def toy_lines(seed: int = 5, n_products: int = 14, n_days: int = 300) -> tuple[list[dict], pd.DataFrame]:
    """One order per line; each group's daily lines of a product are Poisson with mean
    exp(a_i) * (price / 20) ** e_group, the price moving with list changes and 20-30 % promotions.
    Bargain hunters have 40 customers, loyal ones 40; a third group of two customers buys almost nothing."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2023-01-01")
    rows, members = [], []
    customers = {g: [f"{g}{i:02d}" for i in range(40)] for g in GROUPS}
    customers["rare"] = ["rare00", "rare01"]
    for group, ids in customers.items():
        members += [{"customer_id": c, "cluster": group} for c in ids]
    n = 0
    for p in range(n_products):
        list_price = np.where(np.arange(n_days) < rng.integers(60, 240), 20.0, 20.0 * rng.choice([0.8, 1.2]))
        promo = (np.arange(n_days) // 15 + p) % 5 == 0
        price = np.round(list_price * np.where(promo, 1 - rng.choice([0.2, 0.3]), 1.0), 2)
        for group, elasticity in GROUPS.items():
            counts = rng.poisson(np.exp(1.2 + 0.05 * p) * (price / 20.0) ** elasticity)
            for day in np.flatnonzero(counts):
                for _ in range(counts[day]):
                    n += 1
                    rows.append({"order_id": f"o{n}", "customer_id": str(rng.choice(customers[group])),
                                 "product_id": f"P{p:02d}", "quantity": 1.0, "unit_price": float(price[day]),
                                 "list_price": float(list_price[day]), "category": "home/decor",
                                 "ordered_at": start + pd.Timedelta(days=int(day), hours=12)})
    for i, customer in enumerate(customers["rare"]):
        rows.append({"order_id": f"r{i}", "customer_id": customer, "product_id": "P00", "quantity": 1.0,
                     "unit_price": 20.0, "list_price": 20.0, "category": "home/decor",
                     "ordered_at": start + pd.Timedelta(days=10 + i, hours=9)})
    return rows, pd.DataFrame(members)


@pytest.fixture(scope="module")
def shop():
    rows, members = toy_lines()
    return toy_orders(rows), members


def test_given_clusters_get_their_own_elasticity(shop):
    orders, members = shop
    out = cluster_elasticities(orders, members, as_of=AS_OF).set_index("cluster")
    assert tuple(out.reset_index().columns) == CLUSTER_COLUMNS
    for group, truth in GROUPS.items():
        assert out.loc[group, "status"] == "ok"
        assert out.loc[group, "elasticity"] == pytest.approx(truth, abs=0.25), group
        assert out.loc[group, "elasticity_lo"] < out.loc[group, "elasticity"] < out.loc[group, "elasticity_hi"]
        assert out.loc[group, "n_customers"] == 40
    # Two customers and two lines: no model to fit, said so.
    assert out.loc["rare", "status"] == "too little variation" and np.isnan(out.loc["rare", "elasticity"])
    assert out.loc["rare", "n_lines"] == 2
    # The bargain hunters' purchases lean on the promotions (the same prices, more units when low).
    assert out.loc["bargain", "discount_share"] > out.loc["loyal", "discount_share"]
    assert out.loc["bargain", "paid_vs_list"] < out.loc["loyal", "paid_vs_list"]


def test_price_behaviour_by_hand():
    at = "2023-03-01 10:00"
    orders = toy_orders([
        # c1: 2 units at 8 (list 10) of A, 1 unit at 10 (list 10) of B
        {"order_id": "o1", "customer_id": "c1", "product_id": "A", "ordered_at": at, "quantity": 2.0,
         "unit_price": 8.0, "list_price": 10.0},
        {"order_id": "o1", "customer_id": "c1", "product_id": "B", "ordered_at": at, "quantity": 1.0,
         "unit_price": 10.0, "list_price": 10.0},
        # c2: 2 units of A at 10 (list 10)
        {"order_id": "o2", "customer_id": "c2", "product_id": "A", "ordered_at": at, "quantity": 2.0,
         "unit_price": 10.0, "list_price": 10.0},
    ])
    out = price_behaviour(orders, as_of=AS_OF).to_pandas().set_index("customer_id")
    assert list(out.columns) == ["units", "n_lines", *BEHAVIOUR_FEATURES]
    # A's average paid price over both buyers: 36 / 4 = 9.
    assert out.loc["c1", "discount_share"] == pytest.approx(2 / 3)
    assert out.loc["c1", "paid_vs_list"] == pytest.approx(26 / 30)
    assert out.loc["c1", "relative_price"] == pytest.approx((2 * 8 / 9 + 1.0) / 3)
    assert out.loc["c2", "discount_share"] == 0 and out.loc["c2", "paid_vs_list"] == 1
    assert out.loc["c2", "relative_price"] == pytest.approx(10 / 9)


def test_kmeans_clusters_are_numbered_from_the_most_discount_prone(shop):
    orders, _ = shop
    behaviour = price_behaviour(orders, as_of=AS_OF).to_pandas()
    labels = price_clusters(behaviour, n_clusters=3, random_state=1)
    shares = behaviour.merge(labels, on="customer_id").groupby("cluster")["discount_share"].mean()
    assert list(shares.index) == [0, 1, 2] and shares.is_monotonic_decreasing
    out = cluster_elasticities(orders, as_of=AS_OF, n_clusters=3, random_state=1,
                               features_before=dt.date(2023, 6, 1))
    assert list(out["cluster"]) == [0, 1, 2] and out["n_customers"].sum() == len(behaviour)
    # Features from the lines before June, elasticities from the lines after: never the same purchases.
    after = price_behaviour(orders, as_of=AS_OF).to_pandas()["n_lines"].sum() - \
        price_behaviour(orders, as_of=dt.date(2023, 6, 1)).to_pandas()["n_lines"].sum()
    assert out["n_lines"].sum() == after
    assert (out["elasticity"].notna()).sum() >= 2


def test_bad_inputs_are_named(shop):
    orders, members = shop
    with pytest.raises(ShopmineInputError, match="clusters must be a DataFrame with the columns customer_id and"):
        cluster_elasticities(orders, members.rename(columns={"cluster": "segment"}), as_of=AS_OF)
    with pytest.raises(ShopmineInputError, match="n_clusters must be an int of at least 2"):
        price_clusters(pd.DataFrame({"customer_id": ["a"], "discount_share": [0.1], "paid_vs_list": [1.0],
                                     "relative_price": [1.0]}), n_clusters=1)
    with pytest.raises(ShopmineInputError, match="confidence must be a number strictly between 0 and 1"):
        cluster_elasticities(orders, members, as_of=AS_OF, confidence=1.5)
    with pytest.raises(ShopmineInputError, match=r"features_before must be a day before as_of \(2024-01-01\)"):
        cluster_elasticities(orders, as_of=AS_OF, features_before=AS_OF)


def test_products_on_a_price_schedule_are_left_out_of_every_cluster(shop):
    orders, members = shop
    # 14 products; leaving out 5 keeps 9 < MIN_PRODUCTS (10): no cluster has enough to learn from.
    out = cluster_elasticities(orders, members, as_of=AS_OF, exclude=[f"P{p:02d}" for p in range(5)])
    assert (out["status"] == "too little variation").all() and out["elasticity"].isna().all()
    # Leaving out 4 keeps 10: the groups are still told apart.
    kept = cluster_elasticities(orders, members, as_of=AS_OF, exclude=[f"P{p:02d}" for p in range(4)])
    kept = kept.set_index("cluster")
    assert kept.loc["bargain", "elasticity"] == pytest.approx(GROUPS["bargain"], abs=0.35)
    assert kept.loc["loyal", "elasticity"] == pytest.approx(GROUPS["loyal"], abs=0.35)
