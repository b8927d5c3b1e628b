"""The recommendation counts are Ibis expressions that give the same answer on DuckDB and Spark."""

from __future__ import annotations

import datetime as dt

import ibis
import pytest

from shopmine.engine import Engine
from shopmine.recommend.copurchase import basket_pairs
from shopmine.recommend.interactions import purchase_days
from shopmine.recommend.popularity import product_buyers
from shopmine.recommend.segment_popularity import segment_buyers

from features.helpers import assert_frames_agree, write_shop_parquet

AS_OF = dt.date(2021, 2, 1)

CASES = {
    "purchase days": (lambda days, labels: days, ["customer_id", "product_id", "day"]),
    "buyers": (lambda days, labels: product_buyers(days, as_of=AS_OF), ["product_id"]),
    "recent buyers": (lambda days, labels: product_buyers(days, as_of=AS_OF, window_days=30), ["product_id"]),
    "segment buyers": (lambda days, labels: segment_buyers(days, labels, as_of=AS_OF, window_days=30),
                       ["segment", "product_id"]),
    "basket pairs": (lambda days, labels: basket_pairs(days, neighbours=5), ["product_id", "other_id"]),
}


@pytest.fixture(scope="module")
def engines(tmp_path_factory, spark_engine):
    files = write_shop_parquet(tmp_path_factory.mktemp("shop"))
    out = {}
    for engine in (Engine.duckdb(), spark_engine):
        orders = engine.con.read_parquet(str(files["orders"]))
        days = purchase_days(orders, as_of=AS_OF)
        customers = days.select("customer_id").distinct()
        # A deterministic segment per customer, made in the engine (no local table to ship to Spark).
        labels = customers.mutate(segment=ibis.ifelse(customers.customer_id.length() % 2 == 0, "even", "odd"))
        out[engine.name] = (engine, days, labels)
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_counts_agree(engines, case):
    build, keys = CASES[case]
    frames = {name: engine.execute(build(days, labels)) for name, (engine, days, labels) in engines.items()}
    assert len(frames["duckdb"]) > 0
    assert_frames_agree(frames["duckdb"], frames["spark"], keys)
