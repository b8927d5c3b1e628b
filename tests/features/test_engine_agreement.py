"""Every feature table gives the same rows on DuckDB and on Spark (DESIGN.md, "Engines").

A seeded random shop (guests, returns, cancellations, shipping and adjustment lines, missing
categories, timestamps with microseconds near midnight, a year boundary) is written to Parquet by
DuckDB, as the warehouse export does, and read by both engines. Rows must match after sorting:
ints, strings, dates and timestamps equal, floats within 1e-9 relative.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path

import ibis
import pytest

from shopmine.engine import Engine, spark_session
from shopmine.features import (
    calibration_and_holdout,
    classify_lines,
    customer_overview,
    customer_summary,
    default_as_of,
    panel_overview,
    sales_panel,
)
from shopmine.features.cohorts import cohort_counts

from .helpers import assert_frames_agree, write_shop_parquet

pytestmark = pytest.mark.spark

DEFAULT = None  # stands for default_as_of(orders)
TUESDAY = dt.date(2021, 1, 5)  # a mid-week as-of date right after the year boundary

Build = Callable[[ibis.Table, ibis.Table, dt.date], ibis.Table]
CASES: dict[str, tuple[Build, dt.date | None, list[str]]] = {
    "lines": (lambda o, p, d: classify_lines(o, before=d, products=p), DEFAULT, []),
    "panel product D": (lambda o, p, d: sales_panel(o, level="product", freq="D", as_of=d), DEFAULT,
                        ["unique_id", "ds"]),
    "panel product W": (lambda o, p, d: sales_panel(o, level="product", freq="W", as_of=d), TUESDAY,
                        ["unique_id", "ds"]),
    "panel category D": (lambda o, p, d: sales_panel(o, level="category", freq="D", as_of=d, products=p),
                         TUESDAY, ["unique_id", "ds"]),
    "panel category W": (lambda o, p, d: sales_panel(o, level="category", freq="W", as_of=d, products=p),
                         DEFAULT, ["unique_id", "ds"]),
    "panel total D": (lambda o, p, d: sales_panel(o, level="total", freq="D", as_of=d), TUESDAY,
                      ["unique_id", "ds"]),
    "panel total W": (lambda o, p, d: sales_panel(o, level="total", freq="W", as_of=d), DEFAULT,
                      ["unique_id", "ds"]),
    "customers": (lambda o, p, d: customer_summary(o, as_of=d), DEFAULT, ["customer_id"]),
    "customers mid": (lambda o, p, d: customer_summary(o, as_of=d), TUESDAY, ["customer_id"]),
    "cohorts": (lambda o, p, d: cohort_counts(classify_lines(o, before=d, bulk=False)), DEFAULT,
                ["cohort", "offset"]),
    "holdout": (lambda o, p, d: calibration_and_holdout(o, calibration_end=dt.date(2020, 12, 31),
                                                        observation_end=dt.date(2021, 2, 10)),
                DEFAULT, ["customer_id"]),
}


@pytest.fixture(scope="module")
def shop_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_shop_parquet(tmp_path_factory.mktemp("shop"))


@pytest.fixture(scope="module")
def engines(shop_files, spark_engine) -> dict[str, tuple[Engine, ibis.Table, ibis.Table]]:
    duck = Engine.duckdb()
    out = {}
    for engine in (duck, spark_engine):
        orders = engine.con.read_parquet(str(shop_files["orders"]))
        products = engine.con.read_parquet(str(shop_files["products"]))
        out[engine.name] = (engine, orders, products)
    return out


def test_default_as_of_agrees(engines):
    days = {name: default_as_of(orders) for name, (_, orders, _) in engines.items()}
    # The last line of the seeded shop is a return on 2021-03-07 (orders end 2021-02-20).
    assert days["duckdb"] == days["spark"] == dt.date(2021, 3, 8)


@pytest.mark.parametrize("case", list(CASES))
def test_feature_table_agrees(engines, case):
    build, as_of, keys = CASES[case]
    frames = {}
    for name, (engine, orders, products) in engines.items():
        expr = build(orders, products, as_of or default_as_of(orders))
        frames[name] = engine.execute(expr)
    duck, spark = frames["duckdb"], frames["spark"]
    assert len(duck) > 0
    assert_frames_agree(duck, spark, keys or list(duck.columns))


@pytest.mark.parametrize("case", ["lines", "panel product D", "customers"])
def test_cancellation_and_bulk_measures_are_compared(engines, case):
    # The shop has matched cancellations (gross > net), wholly cancelled sales and bulk lines, so the
    # net, gross and model columns compared above differ from one another on both engines.
    build, as_of, _ = CASES[case]
    for name, (engine, orders, products) in engines.items():
        frame = engine.execute(build(orders, products, as_of or default_as_of(orders)))
        if case == "lines":
            assert frame.is_bulk_outlier.sum() > 10, name
            assert ((frame.gross_units > 0) & ~frame.is_sale).sum() > 10, name  # wholly cancelled
            assert (frame.model_units < frame.sale_units).sum() == frame.is_bulk_outlier.sum(), name
        elif case == "panel product D":
            assert frame.units.sum() < frame.gross_units.sum() and frame.units_model.sum() < frame.units.sum()
            assert frame.bulk_lines.sum() > 10, name
        else:
            assert (frame.gross_revenue > frame.monetary + frame.returned_value + 1e-9).sum() > 10, name


def test_overviews_agree(engines):
    results = {}
    for name, (_, orders, _products) in engines.items():
        as_of = default_as_of(orders)
        results[name] = (panel_overview(sales_panel(orders, level="product", freq="W", as_of=as_of)),
                         customer_overview(customer_summary(orders, as_of=as_of)))
    for duck, spark in zip(results["duckdb"], results["spark"]):
        assert duck.keys() == spark.keys()
        for key, value in duck.items():
            if isinstance(value, float):
                assert math.isclose(value, spark[key], rel_tol=1e-9), key
            else:
                assert value == spark[key], key


def test_spark_session_time_zone_does_not_shift_timestamps(engines):
    # ordered_at is a timestamp without zone (Parquet isAdjustedToUTC=false, read by Spark as
    # TIMESTAMP_NTZ): days, the as-of cut-off and the returned times must not move with the session
    # zone. UTC+14 would shift every line near midnight to the next day if they did.
    engine, orders, _ = engines["spark"]
    session = spark_session()  # the one session of the process, behind engine.con
    expected = engines["duckdb"][0].execute(customer_summary(engines["duckdb"][1], as_of=TUESDAY))
    session.conf.set("spark.sql.session.timeZone", "Pacific/Kiritimati")
    try:
        got = engine.execute(customer_summary(orders, as_of=TUESDAY))
    finally:
        session.conf.set("spark.sql.session.timeZone", "UTC")
    assert_frames_agree(expected, got, ["customer_id"])
