"""Lifetime value with --engine spark: fitted once on the driver, every customer scored by the executors,
the same numbers as DuckDB (issue 17, per-customer scores)."""

from __future__ import annotations

import pandas as pd
import pytest

pytestmark = [pytest.mark.spark, pytest.mark.cluster_pass]  # make test's second pass


@pytest.fixture(scope="module")
def clv(shops):
    return {name: shop.clv(horizon_days=180) for name, shop in shops.items()}


def test_spark_scores_every_customer_on_the_cluster(clv):
    assert clv["duckdb"].metrics["scored_on"] == "local"
    assert clv["spark"].metrics["scored_on"] == "spark"


def test_the_same_model_is_chosen_and_fitted(clv):
    duck, spark = clv["duckdb"].metrics, clv["spark"].metrics
    assert duck["model"] == spark["model"]
    assert spark["selection_holdout_rmse"] == pytest.approx(duck["selection_holdout_rmse"], rel=1e-9)
    assert spark[spark["model"]] == pytest.approx(duck[duck["model"]], rel=1e-9)
    assert spark["gamma_gamma"] == pytest.approx(duck["gamma_gamma"], rel=1e-9)
    assert spark["spend_cap_per_purchase_day"] == pytest.approx(duck["spend_cap_per_purchase_day"], rel=1e-12)


def test_every_customer_gets_the_duckdb_scores(clv):
    duck = clv["duckdb"].tables["customers"].sort_values("customer_id", ignore_index=True)
    spark = clv["spark"].tables["customers"].sort_values("customer_id", ignore_index=True)
    assert len(duck) > 400 and list(duck.columns) == list(spark.columns)
    assert duck["customer_id"].tolist() == spark["customer_id"].tolist()
    pd.testing.assert_frame_equal(duck, spark, check_dtype=False, rtol=1e-9, atol=1e-12)
    # The table is the usual one: most valuable first, with the serving model named on every row.
    ranked = clv["spark"].tables["customers"]
    assert ranked["expected_revenue"].is_monotonic_decreasing
    assert (ranked["model"] == clv["spark"].metrics["purchase_model"]).all()
