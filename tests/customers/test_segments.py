"""The segment analysis on the simulated shop: recovery of the latent segments, stability, bad input."""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from shopmine.customers import OUTPUT_COLUMNS, BehaviourClusters, behaviour_features, segment_customers
from shopmine.errors import ShopmineInputError
from shopmine.shop import Shop
from shopmine.workspace import Workspace

AS_OF = dt.date(2024, 2, 1)


def _shop(demo) -> Shop:
    return Shop(Workspace(demo.workspace_dir))


def _truth(demo) -> pd.DataFrame:
    return pd.read_parquet(demo.shop_dir / "truth_customers.parquet")[["customer_id", "segment"]]


def _orders(rows: list[tuple]) -> ibis.Table:
    frame = pd.DataFrame(rows, columns=["order_id", "customer_id", "product_id", "ordered_at", "quantity",
                                        "unit_price", "list_price", "category"])
    frame["ordered_at"] = pd.to_datetime(frame["ordered_at"])
    return ibis.memtable(frame)


def test_behaviour_features_by_hand():
    orders = _orders([
        ("o1", "a", "p1", "2024-01-10 10:00", 2, 8.0, 10.0, "home/kitchen"),   # discounted
        ("o1", "a", "p2", "2024-01-10 10:00", 1, 20.0, 20.0, "toys"),
        ("o2", "a", "p2", "2024-01-20 10:00", 1, 20.0, 20.0, "toys"),
        # a return (its own order: a negative line in the sale's order would cancel the sale)
        ("r2", "a", "p2", "2024-01-25 10:00", -1, 20.0, 20.0, "toys"),
        ("o3", "b", "p1", "2024-01-30 10:00", 1, 10.0, 10.0, "home/garden"),
    ])
    f = behaviour_features(orders, as_of=AS_OF).to_pandas().set_index("customer_id")
    a = f.loc["a"]
    assert (a["frequency"], a["recency_days"]) == (2, 12)
    assert a["monetary"] == pytest.approx(56.0 - 20.0)
    assert a["avg_order_value"] == pytest.approx(36.0 / 2)
    assert a["avg_basket_units"] == pytest.approx(4 / 2)
    assert a["tenure_days"] == 22 and a["purchases_per_30d"] == pytest.approx(2 * 30 / 30)
    assert a["recency_vs_gap"] == pytest.approx(12 / (22 / 2))
    assert a["lines_per_order"] == pytest.approx(3 / 2)
    assert a["discount_share"] == pytest.approx(2 / 4)
    assert a["returns_share"] == pytest.approx(20.0 / 56.0)
    assert a["price_vs_list"] == pytest.approx(1 - 56.0 / 60.0)
    assert a["category_home"] == pytest.approx(16.0 / 56.0)
    assert a["category_toys"] == pytest.approx(40.0 / 56.0)
    assert f.loc["b", "category_home"] == 1.0 and f.loc["b", "discount_share"] == 0.0


def test_segments_on_the_simulated_shop(demo_shop):
    shop = _shop(demo_shop)
    result = shop.segments(seed=0)
    customers = result.tables["customers"]
    assert list(customers.columns) == OUTPUT_COLUMNS
    assert customers["customer_id"].is_unique
    assert customers[["r_score", "f_score", "m_score"]].isin(range(1, 6)).all().all()
    assert result.metrics["k"] in range(2, 11) and result.metrics["k_chosen_by"] == "silhouette over 2..10"
    assert list(result.figures) == ["segment_shares", "revenue_pareto", "clusters_2d", "k_choice"]
    money = customers["monetary"].clip(lower=0).sort_values(ascending=False)
    top = money.head(-(-len(money) // 5)).sum() / money.sum()  # the top fifth, rounded up
    assert result.metrics["top_20pct_revenue_share"] == pytest.approx(top)
    assert len(result.tables["cluster_profiles"]) == result.metrics["k"]
    assert result.tables["rfm_segments"]["customers"].sum() == len(customers)
    assert result.tables["rfm_segments"]["revenue_share"].sum() == pytest.approx(1.0)


def test_two_seeds_agree(demo_shop):
    shop = _shop(demo_shop)
    first = shop.segments(seed=0).tables["customers"]["cluster"]
    second = shop.segments(seed=1).tables["customers"]["cluster"]
    assert adjusted_rand_score(first, second) >= 0.9


def test_recovery_of_the_latent_segments_is_reported(demo_shop):
    """ARI against the simulator's latent segments (target of issue 5: >= 0.6, not reached).

    The figures are asserted as regression floors just below what the current features give, so that a
    change that loses recovery fails. The fraudster accounts are kept (their truth segment is
    ``fraudster``). A random forest trained on the truth with richer features reaches only about 0.56
    on this shop (5-fold cross-validated), so customers with 1-3 purchases cap what any clustering can do.
    """
    shop = _shop(demo_shop)
    truth = _truth(demo_shop)
    scores, tables = {}, {}
    for k in (None, 8):
        customers = shop.segments(k=k, seed=0).tables["customers"].merge(truth, on="customer_id")
        scores[k], tables[k] = adjusted_rand_score(customers["segment"], customers["cluster"]), customers
    # Measured (2,000 customers, seed 0): 0.479 with k = 5 by silhouette, 0.407 with k = 8 since the
    # simulator's pricing truth (issue 14: promotions mostly in high season, each segment's own price
    # response; loyal customers now buy 18 % of their units on promotion, not 6 %); 0.499 and 0.414
    # before. Before the shrunk basket features and units per line: 0.453 and 0.391; before the rate
    # features and without the category mix: 0.155 (k = 2) and 0.405.
    assert scores[None] > 0.46
    assert scores[8] > 0.40
    # The fraudsters' accounts (several units of one expensive item per line) mostly share one cluster,
    # and so do the one-time buyers. Measured since the simulator's pricing truth (issue 14): 0.73, 0.82,
    # 0.94 and 0.83 of fraudsters, one-time, loyal customers and bargain hunters in their largest cluster.
    chosen = tables[None]
    for segment in ("fraudster", "one_time", "loyal", "bargain_hunter"):
        assert chosen.loc[chosen["segment"] == segment, "cluster"].value_counts(normalize=True).iloc[0] > 0.7


def test_fixed_k(demo_shop):
    result = _shop(demo_shop).segments(k=4, seed=0)
    assert result.metrics["k"] == 4 and result.metrics["k_chosen_by"] == "given"
    assert sorted(result.tables["customers"]["cluster"].unique()) == [0, 1, 2, 3]


@pytest.mark.parametrize("k", [1, 0, 2.5, True])
def test_bad_k(k):
    with pytest.raises(ShopmineInputError, match=r"^k must be an integer of at least 2; got ") as caught:
        BehaviourClusters(k=k).fit(pd.DataFrame())
    assert caught.value.parameter == "k"


def test_one_customer():
    orders = _orders([("o1", "a", "p1", "2024-01-10 10:00", 1, 10.0, 10.0, "home")])
    with pytest.raises(ShopmineInputError, match="at least 2 customers .* found 1"):
        segment_customers(orders, as_of=AS_OF)


def test_no_customers():
    orders = _orders([("o1", "a", "p1", "2024-03-10 10:00", 1, 10.0, 10.0, "home")])
    with pytest.raises(ShopmineInputError, match="found 0"):
        segment_customers(orders, as_of=AS_OF)


def test_identical_customers_form_one_cluster_and_say_why():
    orders = _orders([(f"o{i}", f"c{i}", "p1", "2024-01-10 10:00", 1, 10.0, 10.0, "home") for i in range(6)])
    result = segment_customers(orders, as_of=AS_OF)
    assert result.metrics["k"] == 1 and result.metrics["k_chosen_by"] == "no clusters possible"
    assert (result.tables["customers"]["cluster"] == 0).all()
    assert "No clusters formed (k = 1)" in result.summary and "1 distinct" in result.summary
    assert list(result.figures) == ["segment_shares", "revenue_pareto"]  # no cluster figures with one cluster
    # Identical customers still get RFM scores: ties broken by first occurrence (ranks 1..6 in row
    # order; qcut edges 1, 2, 3, 4, 5, 6 put ranks 1 and 2 in the first quintile).
    assert result.tables["customers"]["r_score"].tolist() == [1, 1, 2, 3, 4, 5]
    with pytest.raises(ShopmineInputError, match="^k 3 is larger than the number of customers with distinct"):
        segment_customers(orders, as_of=AS_OF, k=3)


def test_customers_who_bought_once():
    # Everyone bought once, on different days, for different amounts: clusters still form.
    orders = _orders([(f"o{i}", f"c{i}", "p1", f"2024-01-{10 + i:02d} 10:00", 1 + i % 3, 10.0 + i, 12.0, "home")
                      for i in range(12)])
    result = segment_customers(orders, as_of=AS_OF, seed=0)
    customers = result.tables["customers"]
    assert (customers["frequency"] == 1).all()
    assert customers["f_score"].value_counts().sort_index().tolist() == [3, 2, 2, 2, 3]
    assert result.metrics["k"] >= 2
    # One purchase each, within 30 days of the as-of date: the rate (1 per 30 days), recency in units
    # of the gap (1) and lines per purchase (1) are the same for everyone, left out and said so.
    constant = ["purchases_per_30d", "recency_vs_gap", "lines_per_order"]
    assert not set(constant) & set(result.metrics["cluster_features"])
    assert "Left out (the same for every customer): " + ", ".join(constant) in result.summary
