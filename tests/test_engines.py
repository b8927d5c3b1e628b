"""The workspace's tables read by Spark (the order lines' part files, the other tables through the
Parquet export) give the same feature tables as DuckDB: floats within 1e-9 relative, everything
else equal."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shopmine.ingest import ingest
from shopmine.shop import Shop
from shopmine.workspace import Workspace

pytestmark = pytest.mark.spark


def _orders_csvs(folder, n=3000, seed=7):
    rng = np.random.default_rng(seed)
    day = pd.Timestamp("2023-12-20") + pd.to_timedelta(rng.integers(0, 40 * 24 * 3600, n), unit="s")
    qty = rng.integers(1, 5, n) * np.where(rng.random(n) < 0.05, -1, 1)
    frame = pd.DataFrame({
        "order_id": [f"o{i // 3}" for i in range(n)],
        "customer_id": np.where(rng.random(n) < 0.1, "", [f"c{k}" for k in rng.integers(0, 150, n)]),
        "product_id": np.where(rng.random(n) < 0.02, "POST", [f"p{k:03d}" for k in rng.integers(0, 60, n)]),
        "ordered_at": day.strftime("%Y-%m-%d %H:%M:%S"),
        "quantity": qty,
        "unit_price": np.round(rng.uniform(0.5, 40, n), 2),
        "list_price": np.round(rng.uniform(0.5, 45, n), 2),
        "category": np.where(rng.random(n) < 0.2, "", [f"cat{k}/sub" for k in rng.integers(0, 4, n)]),
        "status": np.where(rng.random(n) < 0.03, "cancelled", "completed"),
    })
    # Two exports, the second with a column the first lacks: two part files of different schemas.
    half = n // 2
    frame.iloc[:half].to_csv(folder / "orders_1.csv", index=False)
    frame.iloc[half:].assign(coupon="SUMMER").to_csv(folder / "orders_2.csv", index=False)
    return [folder / "orders_1.csv", folder / "orders_2.csv"]


def _frame(expr) -> pd.DataFrame:
    df = expr.to_pandas()
    for col in df.columns:
        if pd.api.types.is_datetime64_any_dtype(df[col]):
            df[col] = df[col].astype("datetime64[us]")
    return df


def _same(a: pd.DataFrame, b: pd.DataFrame, keys: list[str]) -> None:
    a = a.sort_values(keys).reset_index(drop=True)
    b = b.sort_values(keys).reset_index(drop=True)
    assert list(a.columns) == list(b.columns) and len(a) == len(b) > 0
    pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-9, atol=0)


def test_spark_reads_the_workspace_export_and_agrees_with_duckdb(tmp_path, spark_master):
    ws = Workspace(tmp_path / "ws")
    for path in _orders_csvs(tmp_path):
        ingest(ws, [path])
    duck = Shop(ws)
    spark_ws = Workspace(tmp_path / "ws", {"engine": "spark", "spark_master": spark_master})
    spark = Shop(spark_ws)
    parts = ws.warehouse().parts.committed(ws.warehouse().con)
    assert spark.engine.name == "spark" and len(parts) == 2 and spark.engine.sources["orders"] == parts
    assert (ws.parquet_dir / "products.parquet").exists() and not (ws.parquet_dir / "orders.parquet").exists()
    assert spark.orders().count().execute() == duck.orders().count().execute() == 3000
    assert spark.orders().coupon.count().execute() == 1500
    assert duck.as_of == spark.as_of
    for level in ("product", "category", "total"):
        for freq in ("D", "W"):
            _same(_frame(duck.sales_panel(level, freq)), _frame(spark.sales_panel(level, freq)), ["unique_id", "ds"])
    _same(_frame(duck.customer_summary()), _frame(spark.customer_summary()), ["customer_id"])
