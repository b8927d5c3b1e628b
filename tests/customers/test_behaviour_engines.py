"""The behaviour features agree on DuckDB and Spark (floats within 1e-9 relative)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from shopmine.customers.behaviour import behaviour_features
from shopmine.engine import Engine


def _orders(n: int = 2000, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "order_id": [f"o{i // 2}" for i in range(n)],
        "customer_id": np.where(rng.random(n) < 0.1, None, [f"c{k}" for k in rng.integers(0, 120, n)]),
        "product_id": [f"p{k}" for k in rng.integers(0, 40, n)],
        "ordered_at": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 90 * 86400, n), unit="s"),
        "quantity": (rng.integers(1, 4, n) * np.where(rng.random(n) < 0.05, -1, 1)).astype(float),
        "unit_price": np.round(rng.uniform(1, 30, n), 2),
        "list_price": np.round(rng.uniform(1, 35, n), 2),
        "category": rng.choice(["home/kitchen", "toys/games", "garden", None], n),
        "status": np.where(rng.random(n) < 0.03, "cancelled", "completed"),
        "line_type": "product",
    })


def test_behaviour_features_agree_on_duckdb_and_spark(spark_engine, tmp_path):
    path = tmp_path / "orders.parquet"
    duck = Engine.duckdb()
    _orders().to_parquet(path, index=False, coerce_timestamps="us")  # Spark reads no nanoseconds
    as_of = dt.date(2024, 3, 25)
    frames = []
    for engine in (duck, spark_engine):
        orders = engine.con.read_parquet(str(path))
        frame = behaviour_features(orders, as_of=as_of).to_pandas().sort_values("customer_id")
        frames.append(frame.reset_index(drop=True))
    a, b = frames
    assert list(a.columns) == list(b.columns) and len(a) > 50
    pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-9, atol=1e-12)
