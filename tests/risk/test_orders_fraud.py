"""The simulated shop's fraud, found from the log (issue 15, acceptance 2), and `risk train --orders`.

A small simulated shop is written as CSV and ingested as a user would; its truth (``truth_orders.is_fraud``)
is the labels file. Out of time: the models train on the earlier three quarters of the orders and score
the latest quarter, which they never saw. The precision among the top 1 % of scores must be far above what a
random pick finds: the margin is computed (the binomial chance that a random pick of as many orders finds
as many frauds), not hoped for.
"""

from __future__ import annotations

import re
import warnings

import pandas as pd
import pytest

from shopmine.cli.app import main
from shopmine.ingest import IngestOptions
from shopmine.risk import train_risk
from shopmine.risk.orders_evaluation import ranking_summary
from shopmine.risk.orders_features import FEATURE_COLUMNS
from shopmine.risk.orders_table import shop_order_features, shop_order_risk_table
from shopmine.runs import latest_run
from shopmine.shop import Shop
from shopmine.simulate import simulate_shop, write_shop
from shopmine.workspace import Workspace


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    root = tmp_path_factory.mktemp("fraud_shop")
    shop = simulate_shop(n_customers=800, n_products=120, n_days=365, seed=1)
    paths = write_shop(shop, root / "shop", format="csv")
    truth = shop.to_pandas("truth_orders")
    labels = root / "labels.csv"
    truth.assign(is_fraud=truth.is_fraud.astype(int))[["order_id", "is_fraud"]].to_csv(labels, index=False)
    assert main(["init", str(root / "ws")]) == 0
    with Shop(Workspace(root / "ws")) as ws:
        ws.ingest([paths["orders"]], IngestOptions(), products=[paths["products"]], customers=[paths["customers"]])
    return root, labels, truth


def test_fraud_is_found_out_of_time(simulated):
    root, labels, truth = simulated
    with Shop(Workspace(root / "ws")) as shop:
        table = shop_order_risk_table(shop, labels)
    assert len(table) == len(truth) and table.label.sum() == truth.is_fraud.sum()
    cut = table.ordered_at.quantile(0.75)
    earlier, later = table[table.ordered_at <= cut], table[table.ordered_at > cut]
    with warnings.catch_warnings():
        # Fraud nearly separates on some bins: their odds-ratio bounds are inf, without numpy's overflow warning.
        warnings.simplefilter("error", RuntimeWarning)
        model = train_risk(earlier.drop(columns="customer_id"), target="label", id_col="order_id", folds=3)
    scores = model.score(later.drop(columns=["customer_id", "label"]), id_col="order_id")
    assert scores["id"].tolist() == later.order_id.tolist()
    summary = ranking_summary(later.label.to_numpy(), scores.probability.to_numpy(), share=0.01)
    assert summary["positives"] >= 8, summary  # enough fraud in the later quarter to judge
    # Far beyond a random pick: the chance of finding as many frauds among as many random orders is below
    # one in a million (measured: about 1e-20), and the lift is at least 20 (measured: about 85).
    assert summary["random_top_p_value"] < 1e-6, summary
    assert summary["lift_at_top"] >= 20, summary
    # At least half of the best possible precision (all the top orders fraud, or all the frauds in the top).
    best = min(1.0, summary["positives"] / summary["top_rows"])
    assert summary["precision_at_top"] >= 0.5 * best, summary
    assert summary["pr_auc"] >= 10 * summary["base_rate"], summary


def test_risk_train_orders_from_the_command_line(simulated, capsys):
    root, labels, truth = simulated
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        code = main(["--workspace", str(root / "ws"), "risk", "train", "--orders", "--labels", str(labels),
                     "--folds", "2"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"Labels from {labels} (order labels); {len(truth):,} orders labelled, {truth.is_fraud.sum():,} of them 1" \
        in " ".join(out.split())
    saved = latest_run(Workspace(root / "ws"), "risk")
    metrics = saved.result.metrics
    assert saved.metadata["as_of"] == "2024-01-01"  # the orders' as-of date: the run depends on it
    assert (metrics["target"], metrics["id_col"], metrics["date_col"]) == ("label", "order_id", "ordered_at")
    assert metrics["labels_unknown_ids"] == 0 and metrics["labels_source"] == str(labels)
    assert metrics["positives"] == truth.is_fraud.sum() and metrics["rows"] == len(truth)
    # Out of time on the latest 20 % of the orders, both models well above chance.
    assert min(metrics["scorecard_oot_auc"], metrics["challenger_oot_auc"]) > 0.9
    features = set(saved.result.tables["information_value"].feature)
    assert features <= set(FEATURE_COLUMNS) and "customer_id" not in features and len(features) >= 25

    # The shop's own orders scored by that model: one row per order, the order id as id; and its customers.
    scores_path = root / "order_scores.csv"
    code = main(["--workspace", str(root / "ws"), "risk", "score", "--orders", "--output", str(scores_path),
                 "--output-dir", str(root / "order_scores")])
    out = capsys.readouterr().out
    assert code == 0, out
    scores = pd.read_csv(scores_path, dtype={"id": str})
    assert list(scores.columns) == ["id", "probability", "score_points", "reason_1", "reason_2", "reason_3"]
    assert sorted(scores["id"]) == sorted(truth["order_id"].astype(str))  # every order before the as-of date
    scored = latest_run(Workspace(root / "ws"), "risk_score")
    assert scored.metadata["as_of"] == "2024-01-01"  # the workspace's orders: a later ingest makes it stale
    customers = scored.result.tables["customers"]
    with Shop(Workspace(root / "ws")) as shop:
        orders = shop_order_features(shop)
    owner = orders.set_index("order_id")["customer_id"]  # guests (no customer) have no row among the customers
    by_hand = scores.assign(customer_id=scores["id"].map(owner)).dropna(subset=["customer_id"]).groupby(
        "customer_id")["probability"]
    assert len(customers) == by_hand.ngroups and "Customers by their riskiest order" in out
    pd.testing.assert_series_equal(customers.set_index("customer_id")["max_probability"].sort_index(),
                                   by_hand.max().sort_index(), check_names=False, rtol=1e-9)
    # The fraudulent orders rank high among the shop's own orders as well.
    fraud = scores["id"].isin(truth.loc[truth.is_fraud, "order_id"].astype(str))
    assert scores.loc[fraud, "probability"].median() > scores.loc[~fraud, "probability"].quantile(0.9)


@pytest.mark.parametrize("args, message", [
    (["--orders", "--data", "x.csv"], "--orders trains on the workspace's orders .* drop --data"),
    (["--labels", "l.csv", "--data", "x.csv", "--target", "y"], "--labels labels the workspace's orders: add --orders"),
    ([], "give --data .* or --orders to train on the workspace's orders"),
    (["--data", "x.csv"], "--target is required with --data"),
    (["--orders", "--labels", "missing.csv"], "--labels missing.csv: no such file"),
])
def test_training_source_errors_name_the_options(simulated, capsys, args, message):
    root, _, _ = simulated
    code = main(["--workspace", str(root / "ws"), "risk", "train", *args])
    err = capsys.readouterr().err
    assert code == 2 and re.search(message, " ".join(err.split())), err


def test_orders_table_keeps_its_columns(simulated):
    root, labels, _ = simulated
    with Shop(Workspace(root / "ws")) as shop:
        table = shop_order_risk_table(shop, pd.read_csv(labels, dtype=str))
    assert list(table.columns) == ["order_id", "customer_id", "ordered_at", *FEATURE_COLUMNS, "label"]
    # The customers file gave every account its country: orders shipped elsewhere are told apart.
    assert table.country_differs_from_account.notna().mean() > 0.9
    assert table.loc[table.label == 1, "country_differs_from_account"].mean() > 0.3
