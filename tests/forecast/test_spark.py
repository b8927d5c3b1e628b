"""Forecasts from a sales panel built on Spark equal those from DuckDB (issue 4, acceptance 7).

One small shop is ingested once; the Spark engine reads the workspace's Parquet export through the
session-wide Spark session (the ``spark_engine`` fixture starts it once for the whole test run).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shopmine.forecast import reconcile_forecast, run_forecast
from shopmine.ingest import ingest
from shopmine.shop import Shop
from shopmine.workspace import Workspace

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def shops(tmp_path_factory, spark_engine, spark_master) -> dict[str, Shop]:
    """The same workspace through DuckDB and through Spark: 12 products in 3 categories, 120 days,
    returns and cancellations, one product sold once."""
    rng = np.random.default_rng(11)
    root = tmp_path_factory.mktemp("forecast_spark")
    n = 2500
    day = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 120 * 24 * 3600, n), unit="s")
    product = rng.integers(0, 12, n)
    orders = pd.DataFrame({
        "order_id": [f"o{i // 2}" for i in range(n)],
        "customer_id": [f"c{k}" for k in rng.integers(0, 200, n)],
        "product_id": [f"p{k:02d}" for k in product],
        "ordered_at": day.strftime("%Y-%m-%d %H:%M:%S"),
        "quantity": rng.integers(1, 4, n) * np.where(rng.random(n) < 0.04, -1, 1),
        "unit_price": np.round(rng.uniform(1, 30, n), 2),
        "list_price": np.round(rng.uniform(1, 35, n), 2),
        "category": [f"cat{k % 3}" for k in product],
        "status": np.where(rng.random(n) < 0.03, "cancelled", "completed"),
    })
    once = pd.DataFrame([{"order_id": "solo", "customer_id": "c1", "product_id": "p99",
                          "ordered_at": "2024-03-01 10:00:00", "quantity": 2, "unit_price": 9.5,
                          "list_price": 9.5, "category": "cat0", "status": "completed"}])
    path = root / "orders.csv"
    pd.concat([orders, once]).to_csv(path, index=False)
    ws = Workspace(root / "ws")
    ingest(ws, [path])
    spark = Shop(Workspace(root / "ws", {"engine": "spark", "spark_master": spark_master}))
    assert spark.engine.name == "spark"
    return {"duckdb": Shop(ws), "spark": spark}


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns) and len(a) == len(b) > 0
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False,
                                  rtol=1e-9, atol=0)


@pytest.mark.parametrize("level,freq", [("product", "D"), ("category", "W"), ("total", "M")])
def test_series_agree(shops, level, freq):
    _same(shops["duckdb"].forecast_series(level=level, freq=freq),
          shops["spark"].forecast_series(level=level, freq=freq))


def test_auto_forecast_from_the_spark_panel_equals_the_duckdb_one(shops):
    runs = {name: run_forecast(shop.forecast_series(level="product", freq="D"), horizon=7, freq="D",
                               model="auto", season_length=7, windows=2)
            for name, shop in shops.items()}
    duck, spark = runs["duckdb"], runs["spark"]
    assert duck.served == spark.served
    _same(duck.forecasts, spark.forecasts)
    for model, scores in duck.metrics.items():
        assert spark.metrics[model] == pytest.approx(scores, rel=1e-9, abs=0, nan_ok=True)


def test_reconciled_forecast_from_the_spark_panel_equals_the_duckdb_one(shops):
    runs = {name: reconcile_forecast(shop.forecast_hierarchy(freq="W"), horizon=2, freq="W",
                                     model="window_average", season_length=4, reconcile="bottom_up", windows=1)
            for name, shop in shops.items()}
    _same(runs["duckdb"].forecasts, runs["spark"].forecasts)


@pytest.mark.parametrize("level,freq,top", [("product", "D", None), ("total", "M", None), ("product", "W", 5)])
def test_the_spark_series_stay_on_the_cluster_and_equal_the_collected_ones(shops, level, freq, top):
    spark = shops["spark"].spark_series(level, freq, top=top)
    assert type(spark).__name__ == "DataFrame" and hasattr(spark, "sparkSession")  # a Spark frame, not pandas
    collected = spark.toPandas().sort_values(["unique_id", "ds"], ignore_index=True)
    _same(shops["duckdb"].forecast_series(level=level, freq=freq, top=top), collected)
