"""Odd sizes and switched-off features still give a consistent shop."""

from __future__ import annotations

import pandas as pd
import pytest

from shopmine.simulate import simulate_shop, write_shop


@pytest.mark.parametrize("kwargs", [
    {"n_customers": 1, "n_products": 1, "n_days": 1},
    {"n_customers": 30, "n_products": 5, "n_days": 10, "promotions_per_year": 0,
     "price_changes_per_year": 0},
    {"n_customers": 30, "n_products": 20, "n_days": 400, "fraud_order_share": 0.5,
     "takeover_share": 1.0, "existing_customer_share": 1.0},
    {"n_customers": 50, "n_products": 20, "n_days": 100, "start": "2020-02-29",
     "promotions_per_year": 26, "promo_days_min": 30, "promo_days_max": 60},
])
def test_odd_configurations_are_consistent(kwargs, tmp_path):
    shop = simulate_shop(seed=2, **kwargs)
    orders = shop.to_pandas("orders")
    assert set(orders["order_id"]) == set(shop.truth_orders["order_id"].to_pylist())
    assert set(orders["customer_id"].dropna()) <= set(shop.customers["customer_id"].to_pylist())
    assert ((orders["quantity"] < 0) == (orders["status"] == "returned")).all()
    paths = write_shop(shop, tmp_path)
    assert all(path.is_file() for path in paths.values())


def test_a_shop_without_orders_is_written(tmp_path):
    shop = simulate_shop(n_customers=1, n_days=1, existing_customer_share=1.0, guest_order_share=0,
                         seed=0)
    assert shop.orders.num_rows == 0 and shop.summary["first_order_at"] is None
    assert write_shop(shop, tmp_path)["orders"].read_text(encoding="utf-8").startswith('"order_id"')


def test_fraudsters_own_payment_method_is_added():
    shop = simulate_shop(n_customers=300, n_products=30, n_days=200, seed=1,
                         fraud_payment_method="crypto", fraud_payment_share=1.0)
    orders = shop.to_pandas("orders").drop_duplicates("order_id").set_index("order_id")
    fraud = shop.to_pandas("truth_orders").set_index("order_id")["is_fraud"]
    crypto = orders["payment_method"] == "crypto"
    assert crypto.any()
    assert fraud.loc[crypto[crypto].index].all()


def test_new_customers_first_order_on_signup_day(default_shop, default_orders):
    customers = default_shop.to_pandas("customers").set_index("customer_id")
    fraud = default_shop.to_pandas("truth_orders").set_index("order_id")["is_fraud"]
    o = default_orders[default_orders["customer_id"].notna()]
    o = o[~fraud.loc[o["order_id"]].to_numpy() | o["customer_id"].isin(
        default_shop.to_pandas("truth_customers").query("is_fraudster")["customer_id"])]
    first = pd.to_datetime(o["ordered_at"].str.slice(0, 10)).groupby(o["customer_id"]).min()
    signup = customers.loc[first.index, "signup_date"]
    new = signup >= pd.Timestamp("2023-01-01")
    assert new.sum() > 2000
    assert (first[new] == signup[new]).all()
    assert (first[~new] > signup[~new]).all()


def test_writing_again_replaces_the_files(tmp_path, small_shop):
    other = simulate_shop(n_customers=20, n_products=10, n_days=20, seed=9)
    write_shop(other, tmp_path)
    paths = write_shop(small_shop, tmp_path)
    lines = paths["orders"].read_text(encoding="utf-8").count("\n")
    assert lines == small_shop.orders.num_rows + 1
