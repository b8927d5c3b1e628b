"""The order log: canonical columns and types, ids, and the rules every line obeys."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from shopmine.schema import ORDER_COLUMN_NAMES

ORDER_TYPES = {
    "order_id": pa.string(), "customer_id": pa.string(), "product_id": pa.string(),
    "ordered_at": pa.string(), "quantity": pa.int64(), "unit_price": pa.float64(),
    "list_price": pa.float64(), "unit_cost": pa.float64(), "discount": pa.float64(),
    "category": pa.string(), "country": pa.string(), "channel": pa.string(),
    "currency": pa.string(), "payment_method": pa.string(), "status": pa.string(),
}


def test_order_columns_are_canonical_with_types(default_shop):
    schema = default_shop.orders.schema
    assert dict(zip(schema.names, schema.types, strict=True)) == ORDER_TYPES
    # Every column is a canonical name, so `shopmine ingest` needs no mapping.
    assert set(schema.names) <= set(ORDER_COLUMN_NAMES)


def test_product_and_customer_tables(default_shop):
    assert default_shop.products.schema.names == ["product_id", "name", "category", "unit_cost",
                                                  "list_price"]
    assert default_shop.customers.schema.names == ["customer_id", "signup_date", "country", "email",
                                                   "name", "age_band"]
    assert default_shop.customers.schema.field("signup_date").type == pa.date32()
    customers = default_shop.to_pandas("customers")
    assert customers["customer_id"].is_unique and customers["email"].is_unique
    assert customers["email"].str.fullmatch(r"[a-z]+\.[a-z]+(\d+)?(\.\d+)?@[a-z.]+").all()
    products = default_shop.to_pandas("products")
    assert (products["list_price"] > products["unit_cost"]).all()
    assert products["category"].str.fullmatch(r"[a-z]+/[a-z]+").all()


def test_ids_have_their_format(default_orders):
    assert default_orders["order_id"].str.fullmatch(r"O\d{7}").all()
    assert default_orders["customer_id"].dropna().str.fullmatch(r"C\d{6}").all()
    products = default_orders["product_id"]
    assert products[products != "SHIPPING"].str.fullmatch(r"P\d{5}").all()
    assert default_orders["ordered_at"].str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d").all()


def test_every_order_and_product_id_is_known(default_shop, default_orders):
    customers = set(default_shop.customers["customer_id"].to_pylist())
    products = set(default_shop.products["product_id"].to_pylist()) | {"SHIPPING"}
    assert set(default_orders["customer_id"].dropna()) <= customers
    assert set(default_orders["product_id"]) <= products
    assert set(default_orders["order_id"]) == set(default_shop.truth_orders["order_id"].to_pylist())


def test_lines_are_sorted_by_time(default_orders):
    assert default_orders["ordered_at"].is_monotonic_increasing


def test_quantity_sign_follows_status(default_orders):
    status, quantity = default_orders["status"], default_orders["quantity"]
    assert set(status) == {"completed", "cancelled", "returned"}
    assert (quantity[status == "returned"] < 0).all()
    assert (quantity[status != "returned"] > 0).all()


def test_discount_is_list_minus_paid_times_quantity(default_orders):
    o = default_orders
    expected = ((o["list_price"] - o["unit_price"]) * o["quantity"]).round(2)
    np.testing.assert_allclose(o["discount"], expected, atol=1e-9)
    assert (o["unit_price"] <= o["list_price"]).all()
    promoted = o["unit_price"] < o["list_price"]
    assert 0.05 < promoted.mean() < 0.4
    # Promotion prices are whole steps of 5 % off the list price (to the cent).
    depth = 1 - o.loc[promoted, "unit_price"] / o.loc[promoted, "list_price"]
    assert ((depth * 20).round() / 20 - depth).abs().max() < 0.01


def test_return_lines_point_at_an_earlier_purchase(default_orders):
    o = default_orders
    key = ["order_id", "product_id"]
    purchases = o[o["status"] != "returned"]
    returns = o[o["status"] == "returned"]
    assert len(returns) > 0
    # One purchase line per product and order, so a return matches exactly one line.
    assert not purchases.duplicated(key).any() and not returns.duplicated(key).any()
    joined = returns.merge(purchases, on=key, how="left", suffixes=("", "_bought"),
                           validate="one_to_one")
    assert joined["status_bought"].eq("completed").all()
    assert (joined["ordered_at"] > joined["ordered_at_bought"]).all()
    assert (-joined["quantity"] <= joined["quantity_bought"]).all()
    for column in ("unit_price", "list_price", "unit_cost", "customer_id", "country"):
        pd.testing.assert_series_equal(joined[column], joined[f"{column}_bought"],
                                       check_names=False)
    assert "SHIPPING" not in set(returns["product_id"])


def test_cancellations_are_whole_orders(default_orders):
    o = default_orders[default_orders["status"] != "returned"]
    statuses_per_order = o.groupby("order_id")["status"].nunique()
    assert statuses_per_order.max() == 1
    cancelled = set(o.loc[o["status"] == "cancelled", "order_id"])
    returned = set(default_orders.loc[default_orders["status"] == "returned", "order_id"])
    assert cancelled and not cancelled & returned
    assert 0.01 < len(cancelled) / o["order_id"].nunique() < 0.03


def test_an_order_has_one_customer_time_and_place(default_orders):
    o = default_orders[default_orders["status"] != "returned"]
    per_order = o.groupby("order_id", dropna=False)[
        ["customer_id", "ordered_at", "country", "channel", "payment_method"]].nunique(dropna=False)
    assert (per_order == 1).all().all()


def test_shipping_lines(default_orders):
    o = default_orders[default_orders["status"] != "returned"]
    shipping = o[o["product_id"] == "SHIPPING"]
    assert len(shipping) > 0
    assert shipping["order_id"].is_unique
    assert (shipping["quantity"] == 1).all() and shipping["category"].isna().all()
    assert o.loc[o["product_id"] != "SHIPPING", "category"].notna().all()
    # Shipping is charged exactly on orders whose product value stays below the threshold.
    goods = o[o["product_id"] != "SHIPPING"]
    value = (goods["unit_price"] * goods["quantity"]).groupby(goods["order_id"]).sum()
    clear = (value - 49.0).abs() > 1e-6  # leave sums that land on the threshold to rounding
    assert set(shipping["order_id"]) & set(value[clear].index) == set(value[clear & (value < 49.0)].index)


def test_guest_orders_have_no_customer(default_orders):
    orders = default_orders.drop_duplicates("order_id")
    guest_share = orders["customer_id"].isna().mean()
    assert 0.02 < guest_share < 0.04


def test_one_currency_and_known_codes(default_orders):
    assert set(default_orders["currency"]) == {"EUR"}
    assert set(default_orders["channel"]) == {"web", "app", "marketplace"}
    assert set(default_orders["payment_method"]) == {"card", "paypal", "invoice", "apple_pay",
                                                     "bank_transfer"}


@pytest.mark.parametrize("column", ["unit_price", "list_price", "unit_cost", "discount"])
def test_money_has_two_decimals(default_orders, column):
    values = default_orders[column].to_numpy()
    np.testing.assert_allclose(values, np.round(values, 2), atol=1e-9)
