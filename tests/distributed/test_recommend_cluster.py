"""recommend --all with --engine spark: the recommender fitted once (and saved), every customer's list made by
the executors from its saved arrays and JSON, the same rows and reasons as a local run (issue 17)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shopmine.recommend.cluster_scoring import recommend_batch

pytestmark = [pytest.mark.spark, pytest.mark.cluster_pass]  # make test's second pass


def _rows(result) -> pd.DataFrame:
    return result.tables["recommendations"].sort_values(["customer_id", "rank"], ignore_index=True)


def test_every_customers_list_comes_from_the_cluster(shops, tmp_path):
    duck = shops["duckdb"].recommend(k=5)
    spark = shops["spark"].recommend(k=5)  # answers from the run the DuckDB call saved: fitted once
    assert duck.metrics["scored_on"] == "local" and spark.metrics["scored_on"] == "spark"
    assert spark.metrics["answered_from_run"] is not None
    local, cluster = _rows(duck), _rows(spark)
    assert local["customer_id"].nunique() > 400 and len(local) == 5 * local["customer_id"].nunique()
    pd.testing.assert_frame_equal(local, cluster, check_dtype=False, rtol=1e-9, atol=1e-12)
    # The local run's order too: customers as the recommender lists them, then rank.
    assert spark.tables["recommendations"]["customer_id"].tolist() == duck.tables["recommendations"][
        "customer_id"].tolist()

    # One batch alone gives its customers' rows of the whole run (what an executor answers).
    recommender, _ = shops["duckdb"]._recommender()
    path = tmp_path / "recommender.npz"
    np.savez(path, **recommender.to_arrays())
    ids = recommender.customer_ids_[:7].astype(str)
    batch = recommend_batch(pd.DataFrame({"position": np.arange(7), "customer_id": ids}), arrays_path=str(path),
                            params=recommender.model_params(), k=5, repeat=True, category=None,
                            exclude_inactive_days=None)
    expected = local[local["customer_id"].isin(ids)].reset_index(drop=True)
    got = batch.drop(columns="position").sort_values(["customer_id", "rank"], ignore_index=True)
    pd.testing.assert_frame_equal(expected, got, check_dtype=False, rtol=1e-9, atol=1e-12)
