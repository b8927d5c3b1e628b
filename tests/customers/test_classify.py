"""``shopmine classify`` on a simulated shop: buy-again tree vs LightGBM, metrics, rules, bad input."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm
from sklearn.tree import DecisionTreeClassifier

from shopmine.cli.app import main
from shopmine.customers import behaviour_features
from shopmine.customers.classify import buy_again_classifier, classify, read_label_file
from shopmine.errors import ShopmineInputError
from shopmine.ingest import IngestOptions
from shopmine.schema import NOT_SOLD_STATUSES
from shopmine.shop import Shop
from shopmine.simulate import simulate_shop, write_shop
from shopmine.workspace import Workspace


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """The demo's shop (800 customers, 400 days, seed 2) ingested, without the demo's analyses and report
    (two minutes of CI that no test here reads)."""
    root = tmp_path_factory.mktemp("classify_shop")
    paths = write_shop(simulate_shop(n_customers=800, n_days=400, seed=2), root / "shop", format="csv")
    with Shop(Workspace(root / "workspace")) as loading:
        loading.ingest([paths["orders"]], IngestOptions(), products=[paths["products"]],
                       customers=[paths["customers"]])
    return Shop(Workspace(root / "workspace"))


@pytest.fixture(scope="module")
def buy_again(shop):
    return buy_again_classifier(shop.orders(), as_of=shop.as_of, products=shop.products(), seed=3)


@pytest.fixture
def cli():
    return main


def _buyers(orders: pd.DataFrame, start: dt.date, end: dt.date) -> set[str]:
    sold = orders[(orders["quantity"] > 0) & ~orders["status"].isin(NOT_SOLD_STATUSES)
                  & orders["customer_id"].notna() & (orders["line_type"] == "product")]
    day = sold["ordered_at"].dt.date
    return set(sold.loc[(day >= start) & (day < end), "customer_id"].astype(str))


def test_both_aucs_are_reported_and_useful(buy_again):
    m = buy_again.metrics
    assert m["split"] == "time" and "time split" in buy_again.summary
    assert m["tree_auc"] > 0.6 and m["lgbm_auc"] > 0.6
    assert list(buy_again.tables["scores"]["model"]) == ["decision tree", "LightGBM"]
    assert m["max_depth"] <= 10 and m["min_samples_leaf"] in (1, 5, 10, 20, 50)
    assert {"roc", "tree", "confusion_matrix"} <= set(buy_again.figures)


def test_metrics_match_an_independent_sklearn_computation(shop, buy_again):
    m = buy_again.metrics
    orders = shop.orders().to_pandas()
    test_day, train_day = m["test_features_at"], m["train_features_at"]

    def frame(day, end):
        X = behaviour_features(shop.orders(), as_of=day, products=shop.products()).to_pandas()
        X = X.set_index(X["customer_id"].astype(str)).drop(columns="customer_id").astype(float)
        y = X.index.isin(list(_buyers(orders, day, end))).astype(int)
        return X, y

    X_train, y_train = frame(train_day, test_day)
    X_test, y_test = frame(test_day, shop.as_of)
    X_test = X_test.reindex(columns=X_train.columns, fill_value=0.0)
    predictions = buy_again.tables["test_predictions"]
    assert list(predictions["customer_id"]) == list(X_test.index)
    assert list(predictions["actual"] == "yes") == list(y_test == 1)

    tree = DecisionTreeClassifier(max_depth=m["max_depth_param"], min_samples_leaf=m["min_samples_leaf"],
                                  random_state=3).fit(X_train.to_numpy(), y_train)
    proba = tree.predict_proba(X_test.to_numpy())[:, 1]
    pred = tree.predict(X_test.to_numpy())
    np.testing.assert_allclose(predictions["tree_probability"], proba)
    assert m["tree_auc"] == pytest.approx(skm.roc_auc_score(y_test, proba))
    assert m["tree_accuracy"] == pytest.approx(skm.accuracy_score(y_test, pred))
    assert m["tree_precision"] == pytest.approx(skm.precision_score(y_test, pred))
    assert m["tree_recall"] == pytest.approx(skm.recall_score(y_test, pred))
    assert m["tree_f1"] == pytest.approx(skm.f1_score(y_test, pred))
    np.testing.assert_array_equal(buy_again.tables["confusion_tree"].loc[["no", "yes"], ["no", "yes"]].to_numpy(),
                                  skm.confusion_matrix(y_test, pred))
    assert m["lgbm_auc"] == pytest.approx(skm.roc_auc_score(y_test, predictions["lgbm_probability"]))
    lgbm_pred = (predictions["lgbm_predicted"] == "yes").astype(int)
    assert m["lgbm_f1"] == pytest.approx(skm.f1_score(y_test, lgbm_pred))


def test_rules_are_readable_text_with_feature_names(buy_again):
    text = buy_again.metrics["rules_text"]
    assert text.strip() and "recency_days" in text and "class: yes" in text
    rules = buy_again.tables["rules"]
    assert len(rules) == buy_again.metrics["n_leaves"] and set(rules["predicted_class"]) <= {"no", "yes"}


def test_customers_column_and_label_file(shop, tmp_path):
    result = classify(shop.orders(), as_of=shop.as_of, target="country", customers=shop.engine.table("customers"),
                      seed=1)
    assert result.metrics["split"] == "stratified" and result.metrics["target"] == "country"
    assert result.metrics["tree_auc"] is not None and result.metrics["lgbm_auc"] is not None
    ids = shop.customer_summary().to_pandas()["customer_id"].astype(str)
    path = tmp_path / "labels.csv"
    pd.DataFrame({"customer_id": ids, "vip": np.where(np.arange(len(ids)) % 3 == 0, "vip", "regular")}).to_csv(
        path, index=False)
    labelled = classify(shop.orders(), as_of=shop.as_of, labels=path, seed=1)
    assert labelled.metrics["target"] == "vip" and labelled.metrics["positive_class"] == "vip"
    assert read_label_file(path).index.dtype == object


def test_one_class_target_is_refused(shop, tmp_path):
    ids = shop.customer_summary().to_pandas()["customer_id"].astype(str)
    path = tmp_path / "one.csv"
    pd.DataFrame({"customer_id": ids, "label": "same"}).to_csv(path, index=False)
    with pytest.raises(ShopmineInputError, match="only one class"):
        classify(shop.orders(), as_of=shop.as_of, labels=path)
    with pytest.raises(ShopmineInputError, match=r"^horizon_days must be an integer of at least 1; got 0\.$"):
        buy_again_classifier(shop.orders(), as_of=shop.as_of, horizon_days=0)


def test_cli_writes_metrics_and_folder(shop, cli, tmp_path, capsys):
    metrics_file = tmp_path / "m.json"
    code = cli(["--workspace", str(shop.workspace.root), "classify", "--seed", "3", "--metrics-output",
                str(metrics_file), "--output-dir", str(tmp_path / "art")])
    assert code == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert "Decision tree rules" in printed and "recency_days" in printed and "LightGBM" in printed
    saved = json.loads(metrics_file.read_text())
    assert saved["tree_auc"] > 0.6 and saved["lgbm_auc"] > 0.6
    assert (tmp_path / "art" / "index.html").exists()


def test_cli_bad_input_exits_2(shop, cli, tmp_path, capsys):
    ws = str(shop.workspace.root)
    assert cli(["--workspace", ws, "classify", "--target", "no_such_column"]) == 2
    assert "no_such_column" in capsys.readouterr().err
    path = tmp_path / "one.csv"
    pd.DataFrame({"customer_id": ["C000001", "C000002"], "label": ["a", "a"]}).to_csv(path, index=False)
    assert cli(["--workspace", ws, "classify", "--labels", str(path)]) == 2
    assert "only one class" in capsys.readouterr().err
    assert cli(["--workspace", ws, "classify", "--horizon-days", "0"]) == 2


# --- today's customers (issue 11) ------------------------------------------------------------------

def test_buy_again_scores_every_customer_at_the_as_of_date(shop, buy_again):
    scores = buy_again.tables["current_scores"]
    assert list(scores.columns) == ["customer_id", "probability", "label"]
    features = behaviour_features(shop.orders(), as_of=shop.as_of, products=shop.products()).to_pandas()
    assert set(scores["customer_id"]) == set(features["customer_id"].astype(str))
    assert scores["customer_id"].is_unique and scores["probability"].between(0, 1).all()
    assert scores["probability"].is_monotonic_decreasing
    assert ((scores["probability"] >= 0.5) == (scores["label"] == "yes")).all()
    # the tree unless LightGBM is better by 0.005 AUC (here the two differ by 3e-5: the tree)
    winner = "LightGBM" if buy_again.metrics["lgbm_auc"] >= buy_again.metrics["tree_auc"] + 0.005 else "decision tree"
    assert buy_again.metrics["scored_by"] == winner and winner in buy_again.summary


def test_classify_with_the_same_seed_gives_the_same_result_twice(shop, buy_again, tmp_path, cli, capsys):
    again = buy_again_classifier(shop.orders(), as_of=shop.as_of, products=shop.products(), seed=3)
    pd.testing.assert_frame_equal(again.tables["current_scores"], buy_again.tables["current_scores"])
    assert again.metrics["rules_text"] == buy_again.metrics["rules_text"]
    ws = shop.workspace.root
    paths = [tmp_path / "a.csv", tmp_path / "b.csv"]
    for path in paths:
        assert cli(["-w", str(ws), "classify", "--seed", "7", "--output", str(path)]) == 0
    capsys.readouterr()
    first, second = (pd.read_csv(p, dtype={"customer_id": str}) for p in paths)
    pd.testing.assert_frame_equal(first, second)
    assert list(first.columns) == ["customer_id", "probability", "label"]
