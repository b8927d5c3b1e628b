"""Canonical order tables for the feature tests: hand-written toy lines and a seeded random shop."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import ibis
import numpy as np
import pandas as pd

from shopmine.engine import Engine
from shopmine.schema import CANONICAL_TYPES

_IBIS_TYPES = {"VARCHAR": "string", "TIMESTAMP": "timestamp", "DOUBLE": "float64", "BIGINT": "int64"}
CANONICAL_SCHEMA = ibis.schema({name: _IBIS_TYPES[sql] for name, sql in CANONICAL_TYPES.items()})

_DEFAULTS: dict[str, Any] = {"line_type": "product", "batch_id": "b1", "source_file": "toy.csv"}


def orders_frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Canonical order lines from dicts; unspecified columns are null (line_type 'product')."""
    records = []
    for i, row in enumerate(rows):
        record = {name: _DEFAULTS.get(name) for name in CANONICAL_SCHEMA.names}
        record["source_line"] = i + 2
        record.update(row)
        record["ordered_at"] = pd.Timestamp(record["ordered_at"])
        records.append(record)
    return pd.DataFrame.from_records(records, columns=list(CANONICAL_SCHEMA.names))


def duckdb_table(engine: Engine, name: str, frame: pd.DataFrame, schema: Any = None) -> ibis.Table:
    """Store ``frame`` as table ``name`` in a DuckDB engine with canonical (or given) types."""
    schema = CANONICAL_SCHEMA if schema is None else schema
    return engine.con.create_table(name, ibis.memtable(frame, schema=schema), overwrite=True)


def toy_orders(rows: Iterable[Mapping[str, Any]]) -> ibis.Table:
    """Hand-written lines as a canonical table in a fresh in-memory DuckDB."""
    return duckdb_table(Engine.duckdb(), "orders", orders_frame(rows))


PRODUCTS_SCHEMA = ibis.schema({"product_id": "string", "name": "string", "category": "string",
                               "unit_cost": "float64", "list_price": "float64"})


def random_shop(seed: int = 7, n_orders: int = 1500) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A small random shop (orders, products) with every kind of line the features must handle.

    Guests, shipping and adjustment lines, returns (negative lines and 'returned'/'Refunded' statuses),
    cancellations (cancelled positive lines; cancellation invoices within and beyond the 30-day
    window, partial, whole and excessive; same-order negative lines of customers and guests), bulk
    lines, missing list prices, lines without a category (some products have none either), empty
    categories, times with microseconds near midnight and a year boundary.
    """
    rng = np.random.default_rng(seed)
    n_products = 40
    product_ids = [f"p{i:03d}" for i in range(n_products)]
    categories = np.array(["home/kitchen", "toys", "garden", "books", "", None], dtype=object)
    product_category = categories[rng.integers(0, len(categories), n_products)]
    product_list = np.round(rng.uniform(2, 80, n_products), 2)
    products = pd.DataFrame({
        "product_id": product_ids[:35],  # the last five are unknown to the products table
        "name": [f"Product {i}" for i in range(35)],
        "category": product_category[:35],
        "unit_cost": np.round(product_list[:35] * 0.6, 2),
        "list_price": product_list[:35],
    })
    start = pd.Timestamp("2020-11-15")
    span_us = int((pd.Timestamp("2021-02-20") - start) / pd.Timedelta(microseconds=1))
    statuses = np.array([None, "completed", "cancelled", "returned", "pending", "Refunded"], dtype=object)
    rows: list[dict[str, Any]] = []
    for o in range(n_orders):
        customer = None if rng.random() < 0.1 else f"c{rng.integers(0, 150):04d}"
        at = start + pd.Timedelta(microseconds=int(rng.integers(0, span_us)))
        if rng.random() < 0.05:  # a burst of orders in the last second of a day
            at = at.normalize() + pd.Timedelta(hours=23, minutes=59, seconds=59, microseconds=999_999)
        order_id = f"o{o:05d}"
        for _ in range(int(rng.integers(1, 5))):
            p = int(rng.integers(0, n_products))
            list_price = float(product_list[p])
            unit_price = round(list_price * (1 - rng.choice([0.0, 0.0, 0.0, 0.1, 0.25])), 2)
            quantity = float(rng.integers(1, 6))
            status = statuses[rng.choice(len(statuses), p=[0.5, 0.35, 0.05, 0.03, 0.05, 0.02])]
            line = {
                "order_id": order_id, "customer_id": customer, "product_id": product_ids[p],
                "ordered_at": at, "quantity": quantity, "unit_price": unit_price, "status": status,
                "list_price": None if rng.random() < 0.1 else list_price,
                "category": product_category[p] if rng.random() < 0.5 else None,
            }
            rows.append(line)
            if rng.random() < 0.08:  # returned later under a new order id
                back = at + pd.Timedelta(days=int(rng.integers(1, 20)), seconds=int(rng.integers(0, 86400)))
                rows.append({**line, "order_id": order_id + "R", "ordered_at": back,
                             "quantity": -float(rng.integers(1, int(quantity) + 1)),
                             "status": rng.choice(np.array([None, "returned"], dtype=object))})
        if rng.random() < 0.6:
            rows.append({"order_id": order_id, "customer_id": customer, "product_id": "SHIP",
                         "ordered_at": at, "quantity": 1.0, "unit_price": 4.95, "line_type": "shipping"})
        if rng.random() < 0.03:
            rows.append({"order_id": order_id, "customer_id": customer, "product_id": "ADJ",
                         "ordered_at": at, "quantity": -1.0, "unit_price": 3.0, "line_type": "adjustment"})
    _add_cancellations_and_bulk(rows, np.random.default_rng(seed + 1))
    return orders_frame(rows), products


def _add_cancellations_and_bulk(rows: list[dict[str, Any]], rng: np.random.Generator) -> None:
    """Cancellation and bulk lines for some sale lines of ``rows`` (their own generator, so that the
    lines drawn before stay as they were); none later than 2021-03-06, before the last return."""
    sales = [r for r in rows if r.get("line_type") is None and r["quantity"] > 0
             and r["status"] in (None, "completed") and not r["order_id"].endswith("R")]
    last = pd.Timestamp("2021-03-06 12:00")
    for i in rng.choice(len(sales), 120, replace=False):
        sale = sales[int(i)]
        kind = rng.choice(["invoice", "invoice", "same_order", "bulk"])
        if kind == "bulk":
            rows.append({**sale, "quantity": float(rng.choice([60.0, 400.0]))})
            continue
        units = -float(rng.integers(1, int(sale["quantity"]) + 3))  # sometimes more than sold
        if kind == "same_order":
            rows.append({**sale, "quantity": units, "status": None})
            continue
        at = min(sale["ordered_at"] + pd.Timedelta(days=int(rng.integers(0, 45)),
                                                   minutes=int(rng.integers(0, 600))), last)
        rows.append({**sale, "order_id": "C" + sale["order_id"], "ordered_at": at, "quantity": units,
                     "status": "cancelled"})


def write_shop_parquet(directory: Path, seed: int = 7) -> dict[str, Path]:
    """Write the random shop as Parquet through DuckDB, as the warehouse export does."""
    orders, products = random_shop(seed)
    engine = Engine.duckdb()
    paths = {"orders": directory / "orders.parquet", "products": directory / "products.parquet"}
    duckdb_table(engine, "orders", orders).to_parquet(paths["orders"])
    duckdb_table(engine, "products", products, PRODUCTS_SCHEMA).to_parquet(paths["products"])
    return paths


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Engine-neutral dtypes: dates and timestamps as datetime64[us], everything else unchanged."""
    out = frame.copy()
    for name in out.columns:
        col = out[name]
        if pd.api.types.is_datetime64_any_dtype(col) or (
            col.dtype == object and col.map(lambda v: isinstance(v, (dt.date, dt.datetime))).any()
        ):
            out[name] = pd.to_datetime(col).astype("datetime64[us]")
    return out


def assert_frames_agree(left: pd.DataFrame, right: pd.DataFrame, keys: list[str],
                        rtol: float = 1e-9) -> None:
    """Same columns, same rows after sorting by ``keys``; ints, strings and dates equal, floats close.

    Floats compare within ``rtol`` relative; an absolute slack of ``rtol`` as well lets a difference
    of two sums that is 0 on one engine be 1e-14 on the other (summation order differs).
    """
    assert list(left.columns) == list(right.columns)
    assert len(left) == len(right), (len(left), len(right))
    a = _normalise(left).sort_values(keys, ignore_index=True)
    b = _normalise(right).sort_values(keys, ignore_index=True)
    for name in a.columns:
        x, y = a[name], b[name]
        assert (x.isna() == y.isna()).all(), f"nulls differ in {name}"
        x, y = x[x.notna()], y[y.notna()]
        if pd.api.types.is_float_dtype(x) or pd.api.types.is_float_dtype(y):
            np.testing.assert_allclose(x.to_numpy(float), y.to_numpy(float), rtol=rtol, atol=rtol,
                                       err_msg=name)
        elif pd.api.types.is_integer_dtype(x) or pd.api.types.is_integer_dtype(y):
            assert (x.to_numpy("int64") == y.to_numpy("int64")).all(), name
        else:
            assert list(x) == list(y), name


def close(a: float | None, b: float | None) -> bool:
    """Float equality for hand-computed numbers (None and NaN count as null)."""
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return b is not None and math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
