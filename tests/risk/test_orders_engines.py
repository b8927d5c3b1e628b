"""The order risk features and the derived labels give the same rows on DuckDB and on Spark.

The seeded random shop of the feature tests (guests, returns, cancellations, shipping lines, times near
midnight) is written to Parquet and read by both engines, with a customers table of signup dates and
countries; rows must match (floats within 1e-9 relative).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from features.helpers import assert_frames_agree, write_shop_parquet
from shopmine.engine import Engine
from shopmine.risk.orders_features import FEATURE_COLUMNS, order_features
from shopmine.risk.orders_labels import derived_labels

pytestmark = pytest.mark.spark

AS_OF = dt.date(2021, 3, 1)


@pytest.fixture(scope="module")
def tables(tmp_path_factory, spark_engine):
    folder = tmp_path_factory.mktemp("risk_shop")
    paths = write_shop_parquet(folder)
    frame = pd.read_parquet(paths["orders"])
    rng = np.random.default_rng(3)
    # The random shop has no country or payment method: give each line some, mostly the customer's own.
    frame["country"] = np.where(rng.random(len(frame)) < 0.9, "DE", rng.choice(["FR", "AT", ""], len(frame)))
    frame["payment_method"] = rng.choice(["card", "paypal", "invoice"], len(frame))
    frame["channel"] = rng.choice(["web", "app"], len(frame))
    frame.to_parquet(paths["orders"])
    ids = sorted(frame.customer_id.dropna().unique())
    customers = pd.DataFrame({
        "customer_id": ids,
        "signup_date": [f"2020-{1 + i % 12:02d}-{1 + i % 28:02d}" if i % 5 else "not a date" for i in range(len(ids))],
        "country": ["DE" if i % 7 else "FR" for i in range(len(ids))],
    })
    customers_path = folder / "customers.parquet"
    customers.to_parquet(customers_path)
    out = {}
    for engine in (Engine.duckdb(), spark_engine):
        out[engine.name] = (engine, engine.con.read_parquet(str(paths["orders"])),
                            engine.con.read_parquet(str(customers_path)))
    return out


def test_order_features_agree(tables):
    frames = {name: engine.execute(order_features(orders, as_of=AS_OF, customers=customers))
              for name, (engine, orders, customers) in tables.items()}
    duck = frames["duckdb"]
    assert list(duck.columns) == ["order_id", "customer_id", "ordered_at", *FEATURE_COLUMNS]
    # The comparison covers every kind of value: guests, repeat customers, returns and cancellations
    # before, high-priced lines, new countries and payment methods, signup dates that parse and not.
    assert duck.is_guest.sum() > 50 and (duck.orders_before > 3).sum() > 100
    assert (duck.returns_before > 0).sum() > 50 and (duck.cancelled_orders_before > 0).sum() > 20
    assert (duck.cancellation_lines_before > 0).sum() > 20
    assert duck.high_price_share.between(0.01, 0.99).sum() > 50
    assert (duck.new_country == 1).sum() > 20 and (duck.new_payment_method == 1).sum() > 20
    assert (duck.country_differs_from_account == 1).sum() > 20
    assert (duck.orders_last_1d > 0).sum() > 5
    assert_frames_agree(duck, frames["spark"], ["order_id"])


def test_derived_labels_agree(tables):
    frames = {name: engine.execute(derived_labels(orders, as_of=AS_OF, window_days=30))
              for name, (engine, orders, _) in tables.items()}
    duck = frames["duckdb"]
    # Both outcomes occur (cancelled statuses, cancellation invoices, returns) and recent orders are out.
    assert duck.label.sum() > 20 and (duck.label == 0).sum() > 200
    assert_frames_agree(duck, frames["spark"], ["order_id"])
