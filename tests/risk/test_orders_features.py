"""Order risk features on a tiny log, every value computed by hand; inputs the features refuse."""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
import pytest

from features.helpers import close, toy_orders
from shopmine.errors import ShopmineInputError
from shopmine.risk.orders_features import FEATURE_COLUMNS, order_features

AS_OF = dt.date(2024, 2, 1)


def _line(order_id, customer_id, product_id, at, quantity, price, **extra):
    base = {"order_id": order_id, "customer_id": customer_id, "product_id": product_id, "ordered_at": at,
            "quantity": quantity, "unit_price": price, "list_price": price, "status": "completed",
            "country": "DE", "payment_method": "card", "channel": "web"}
    return {**base, **extra}


def toy_rows() -> list[dict]:
    """c2 buys five items in December (the prices that set January's high-price threshold: 40); c1
    orders o1..o4 in January, returns and cancels in between; a guest orders last."""
    rows = [_line("o0", "c2", f"p{i}", "2023-12-15 12:00:00", 1.0, price)
            for i, price in enumerate([5.0, 10.0, 20.0, 40.0, 50.0])]
    rows += [
        _line("o1", "c1", "pA", "2024-01-10 10:00:00", 1.0, 10.0),
        _line("o1", "c1", "pB", "2024-01-10 10:00:00", 2.0, 5.0, list_price=6.0),
        _line("o1", "c1", "SHIP", "2024-01-10 10:00:00", 1.0, 4.95, line_type="shipping"),
        _line("C1", "c1", "pA", "2024-01-12 08:00:00", -1.0, 10.0, status="cancelled"),  # cancellation line
        _line("o1", "c1", "pB", "2024-01-15 09:00:00", -1.0, 5.0, status="returned"),  # a return of o1
        _line("o2", "c1", "pA", "2024-01-20 23:30:00", 1.0, 10.0, status="cancelled"),  # a cancelled order
        _line("o3", "c1", "pC", "2024-01-21 03:00:00", 4.0, 50.0, country="FR", payment_method="invoice"),
        _line("o4", "c1", "pA", "2024-01-21 03:00:00", 1.0, 10.0, channel="app"),  # the same second as o3
        _line("o4", "c1", "pA", "2024-01-25 10:00:00", -1.0, 10.0, status="returned"),
        _line("g1", "", "pA", "2024-01-22 14:00:00", 2.0, 10.0),  # an empty id is a guest
        _line("o3", "c1", "pC", "2024-02-25 10:00:00", -4.0, 50.0, status="returned"),  # after the as-of date
    ]
    return rows


def toy_customers() -> ibis.Table:
    return ibis.memtable(pd.DataFrame({"customer_id": ["c1", "c9"], "signup_date": ["2023-12-01", "2020-01-01"],
                                       "country": ["DE", "AT"]}))


@pytest.fixture(scope="module")
def features() -> pd.DataFrame:
    frame = order_features(toy_orders(toy_rows()), as_of=AS_OF, customers=toy_customers()).execute()
    return frame.set_index("order_id")


NULL = None
EXPECTED = {
    # o3: two orders before (o1, and o2 3.5 hours before), a return and a cancellation line before,
    # 4 dear units to a new country with a new payment method at 3 am.
    "o3": dict(is_guest=0, is_first_order=0, orders_before=2, orders_last_1d=1, orders_last_7d=1, orders_last_30d=2,
               days_since_previous_order=3.5 / 24, account_age_days=51 + 3 / 24,
               order_value=200, order_lines=1, order_units=4, distinct_products=1, max_unit_price=50,
               mean_unit_price=50, high_price_share=1, discounted_line_share=0,
               value_ratio=200 / 15, lines_ratio=1 / 1.5, units_ratio=4 / 2,
               returns_before=1, returned_value_before=5, return_share_before=5 / 30,
               cancelled_orders_before=1, cancel_share_before=0.5, cancellation_lines_before=1,
               hour=3, is_night=1, country_seen_share=0, new_country=1, country_differs_from_account=1,
               payment_seen_share=0, new_payment_method=1, payment_method="invoice", channel="web"),
    # o4: the same second as o3, so o3 is not its history, nor o4 o3's.
    "o4": dict(orders_before=2, orders_last_1d=1, order_value=10, max_unit_price=10, high_price_share=0,
               value_ratio=10 / 15, units_ratio=1 / 2, country_seen_share=1, new_country=0,
               country_differs_from_account=0, payment_seen_share=1, new_payment_method=0, channel="app"),
    # o1: the first order (the shipping line is not part of the basket).
    "o1": dict(is_guest=0, is_first_order=1, orders_before=0, orders_last_1d=0, orders_last_30d=0,
               days_since_previous_order=NULL, account_age_days=40 + 10 / 24, order_value=20, order_lines=2,
               order_units=3, distinct_products=2, max_unit_price=10, mean_unit_price=20 / 3, high_price_share=0,
               discounted_line_share=0.5, value_ratio=NULL, returns_before=0, return_share_before=NULL,
               cancel_share_before=NULL, hour=10, is_night=0, country_seen_share=NULL, new_country=NULL,
               country_differs_from_account=0, new_payment_method=NULL),
    # o2: its own cancelled status is not a feature; the return and cancellation line before are.
    "o2": dict(orders_before=1, orders_last_1d=0, orders_last_7d=0, orders_last_30d=1,
               days_since_previous_order=10 + 13.5 / 24, account_age_days=50 + 23.5 / 24, order_value=10,
               value_ratio=0.5, returns_before=1, returned_value_before=5, return_share_before=0.25,
               cancelled_orders_before=0, cancel_share_before=0, cancellation_lines_before=1, hour=23,
               country_seen_share=1, new_country=0),
    # o0: the log's first month has no previous month to set the high-price threshold; c2 has no signup
    # date, so its account starts with its first order.
    "o0": dict(is_first_order=1, account_age_days=0, order_value=125, order_lines=5, high_price_share=NULL,
               country_differs_from_account=NULL),
    # g1: a guest has no history.
    "g1": dict(is_guest=1, is_first_order=NULL, orders_before=NULL, orders_last_7d=NULL, account_age_days=NULL,
               returns_before=NULL, value_ratio=NULL, country_differs_from_account=NULL, order_value=20,
               high_price_share=0),
}


@pytest.mark.parametrize("order_id", list(EXPECTED))
def test_hand_computed_features(features, order_id):
    row = features.loc[order_id]
    for name, want in EXPECTED[order_id].items():
        got = row[name]
        if isinstance(want, str):
            assert got == want, (order_id, name)
        else:
            assert close(None if want is None else float(want), None if pd.isna(got) else float(got)), \
                (order_id, name, got, want)


def test_columns_and_rows(features):
    assert list(features.columns) == ["customer_id", "ordered_at", *FEATURE_COLUMNS]
    # One row per order placed before the as-of date; the cancellation line "C1" is no order.
    assert sorted(features.index) == ["g1", "o0", "o1", "o2", "o3", "o4"]
    assert features.loc["g1", "customer_id"] is None or pd.isna(features.loc["g1", "customer_id"])
    assert features.loc["o3", "ordered_at"] == pd.Timestamp("2024-01-21 03:00:00")


def test_without_optional_columns():
    # A minimal export: no status, line type, list price, country, payment method or channel.
    minimal = ibis.memtable(pd.DataFrame({
        "order_id": ["a", "b"], "customer_id": ["c", "c"], "product_id": ["p", "q"],
        "ordered_at": pd.to_datetime(["2024-01-01 08:00", "2024-01-02 08:00"]),
        "quantity": [1, 2], "unit_price": [3.0, 4.0]}))
    frame = order_features(minimal, as_of=AS_OF).execute().set_index("order_id")
    assert frame.loc["b", "orders_last_1d"] == 1 and frame.loc["b", "value_ratio"] == 8 / 3
    assert frame.loc["b", ["new_country", "payment_seen_share", "country_differs_from_account"]].isna().all()
    assert frame.loc["b", "discounted_line_share"] == 0  # no list price: no discount known
    assert frame.payment_method.isna().all() and frame.channel.isna().all()


def test_missing_column_is_named():
    table = ibis.memtable(pd.DataFrame({"order_id": ["a"], "customer_id": ["c"], "product_id": ["p"],
                                        "ordered_at": pd.to_datetime(["2024-01-01"]), "quantity": [1.0]}))
    with pytest.raises(ShopmineInputError, match="lacks the column.*unit_price"):
        order_features(table, as_of=AS_OF)


def test_text_order_time_is_refused():
    table = ibis.memtable(pd.DataFrame({"order_id": ["a"], "customer_id": ["c"], "product_id": ["p"],
                                        "ordered_at": ["2024-01-01"], "quantity": [1.0], "unit_price": [1.0]}))
    with pytest.raises(ShopmineInputError, match="'ordered_at' must be a timestamp, got string"):
        order_features(table, as_of=AS_OF)


def test_customers_table_needs_its_id():
    with pytest.raises(ShopmineInputError, match="customers table lacks the column customer_id"):
        order_features(toy_orders(toy_rows()), as_of=AS_OF,
                       customers=ibis.memtable(pd.DataFrame({"id": ["c1"], "country": ["DE"]})))


def test_as_of_with_a_time_is_refused():
    with pytest.raises(ShopmineInputError, match="'as_of' must be a day"):
        order_features(toy_orders(toy_rows()), as_of=dt.datetime(2024, 2, 1, 12))
