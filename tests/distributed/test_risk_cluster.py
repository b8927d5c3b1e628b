"""risk score --orders with --engine spark: the model trained once, every order scored by the executors from
the model's JSON spec and LightGBM text, the same scores and reasons as DuckDB (issue 17)."""

from __future__ import annotations

import pandas as pd
import pytest

from shopmine.risk.cluster_scoring import model_parameters, restore_model, score_order_batch
from shopmine.risk.orders_table import shop_order_features

pytestmark = [pytest.mark.spark, pytest.mark.cluster_pass]  # make test's second pass


@pytest.fixture(scope="module")
def scored(shops, simulated_shop, tmp_path_factory):
    _, simulated = simulated_shop
    truth = simulated.to_pandas("truth_orders")
    labels = tmp_path_factory.mktemp("risk_labels") / "labels.csv"
    truth.assign(label=truth.is_fraud.astype(int))[["order_id", "label"]].to_csv(labels, index=False)
    trained = shops["duckdb"].risk_train(orders=True, labels=labels, folds=3)
    return trained, {name: shop.risk_score(orders=True) for name, shop in shops.items()}


def test_orders_are_scored_on_the_cluster(scored):
    _, runs = scored
    assert runs["duckdb"].metrics["scored_on"] == "local" and runs["spark"].metrics["scored_on"] == "spark"


def test_every_order_gets_the_duckdb_score_and_reasons(scored):
    _, runs = scored
    duck, spark = runs["duckdb"].tables["scores"], runs["spark"].tables["scores"]
    assert len(duck) > 3000 and duck["id"].tolist() == spark["id"].tolist()
    pd.testing.assert_frame_equal(duck, spark, check_dtype=False, rtol=1e-9, atol=1e-12)
    for name in ("customers", "first_reasons"):
        pd.testing.assert_frame_equal(runs["duckdb"].tables[name], runs["spark"].tables[name], check_dtype=False,
                                      rtol=1e-9, atol=1e-12)
    assert runs["spark"].metrics["flagged"] == runs["duckdb"].metrics["flagged"] > 0


def test_the_model_travels_as_json_and_lightgbm_text(scored, shops):
    trained, runs = scored
    from shopmine.risk.saved import load_risk_model

    model, _ = load_risk_model(shops["duckdb"].workspace)
    parameters = model_parameters(model)
    assert isinstance(parameters["challenger"], str) and parameters["challenger"].startswith("tree")
    import json

    json.dumps(parameters["scorecard"])  # plain JSON, nothing pickled
    table = shop_order_features(shops["duckdb"]).head(50)
    batch = score_order_batch(table, parameters=json.loads(json.dumps(parameters)), id_col="order_id")
    local = restore_model(parameters).score(table, id_col="order_id")
    assert batch["id"].tolist() == local["id"].astype(str).tolist()
    assert batch["probability"].tolist() == local["probability"].tolist()


@pytest.mark.parametrize("id_col", [None, "order_id"])
def test_a_table_is_scored_on_the_cluster_as_locally(scored, shops, id_col):
    table = shop_order_features(shops["duckdb"]).sample(frac=1.0, random_state=3).head(2500)
    runs = {name: shop.risk_score(data=table, id_col=id_col) for name, shop in shops.items()}
    assert runs["duckdb"].metrics["scored_on"] == "local" and runs["spark"].metrics["scored_on"] == "spark"
    duck, spark = runs["duckdb"].tables["scores"], runs["spark"].tables["scores"]
    assert len(duck) == len(table) and duck["id"].astype(str).tolist() == spark["id"].astype(str).tolist()
    if id_col is None:  # the training's id column, as locally, in the table's order across every batch
        assert spark["id"].astype(str).tolist() == table["order_id"].astype(str).tolist()
    pd.testing.assert_frame_equal(duck.drop(columns="id"), spark.drop(columns="id"), check_dtype=False,
                                  rtol=1e-9, atol=1e-12)
