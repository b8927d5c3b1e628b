"""Price points give the same rows on DuckDB and on Spark (DESIGN.md, "Engines"), on the seeded random
shop of the engine-agreement tests (guests, returns, cancellations, bulk lines, missing list prices and
categories, a year boundary), read from the same Parquet files by both engines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from shopmine.engine import Engine
from shopmine.features import default_as_of
from shopmine.features.price_points import price_points

from .helpers import assert_frames_agree, write_shop_parquet

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def shop_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_shop_parquet(tmp_path_factory.mktemp("price_points_shop"))


@pytest.mark.parametrize(("freq", "as_of"), [("W", None), ("D", dt.date(2021, 1, 5))])
def test_price_points_agree(shop_files, spark_engine, freq, as_of):
    frames = {}
    for engine in (Engine.duckdb(), spark_engine):
        orders = engine.con.read_parquet(str(shop_files["orders"]))
        products = engine.con.read_parquet(str(shop_files["products"]))
        expr = price_points(orders, as_of=as_of or default_as_of(orders), freq=freq, products=products)
        frames[engine.name] = engine.execute(expr)
    duck, spark = frames["duckdb"], frames["spark"]
    # The shop exercises every column: returns-only periods, bulk-capped units, costs from both sources.
    assert len(duck) > 100
    assert (duck.units == 0).any() and duck.avg_price.isna().sum() == (duck.units == 0).sum()
    assert (duck.returns > 0).any() and (duck.units_model < duck.units).any() and duck.unit_cost.notna().any()
    assert_frames_agree(duck, spark, ["product_id", "period"])
