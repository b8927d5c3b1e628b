"""Bad input for ``customer_lifetime_value`` (issue 5, acceptance 5): one-time buyers, identical customers,
missing prices, an as-of date before the first order, an unknown model."""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd
import pytest

from shopmine.customers.clv import OUTPUT_COLUMNS, customer_lifetime_value
from shopmine.errors import ShopmineInputError

AS_OF = dt.date(2024, 12, 1)


def orders(rows: list[tuple]) -> ibis.Table:
    frame = pd.DataFrame(rows, columns=["order_id", "customer_id", "product_id", "ordered_at", "quantity",
                                        "unit_price"])
    frame["ordered_at"] = pd.to_datetime(frame["ordered_at"])
    return ibis.memtable(frame)


def varied_rows(customers: int = 40) -> list[tuple]:
    """Customer c buys on 1 + c % 5 days spread over 2024, for 10 + c per unit."""
    rng = np.random.default_rng(0)
    rows = []
    for c in range(customers):
        for j, day in enumerate(sorted(rng.choice(300, 1 + c % 5, replace=False))):
            rows.append((f"o{c}_{j}", f"C{c:03d}", "P1", f"{dt.date(2024, 1, 1) + dt.timedelta(days=int(day))} 10:00",
                         1, 10.0 + c))
    return rows


@pytest.mark.parametrize("model", ["pareto_nbd", "bgnbd"])
def test_mostly_one_time_buyers(model):
    # 30 one-time buyers and 3 repeat buyers: enough to fit; the one-time buyers' rows are valid.
    rows = [(f"o{c}", f"C{c:03d}", "P1", f"{dt.date(2024, 1, 1) + dt.timedelta(days=9 * c)} 10:00", 1, 10.0)
            for c in range(30)]
    rows += [(f"r{c}_{j}", f"R{c}", "P1", f"2024-0{2 + j}-1{c} 10:00", 1, 20.0) for c in range(3) for j in range(3)]
    out = customer_lifetime_value(orders(rows), as_of=AS_OF, horizon_days=90, model=model).tables["customers"]
    assert len(out) == 33 and out[OUTPUT_COLUMNS].notna().all().all()
    once = out["customer_id"].str.startswith("C")
    # BG/NBD cannot lose a customer before a repeat purchase; Pareto/NBD can.
    if model == "bgnbd":
        assert (out.loc[once, "p_alive"] == 1).all()
    else:
        assert (out.loc[once, "p_alive"] < 1).all()
    for col in ("p_alive", "churn_probability", "purchase_probability_30d"):
        assert out[col].between(0, 1).all(), col


def test_identical_customers_get_identical_answers():
    # Ten customers with the same three purchase days and spend: the fit is flat in most directions,
    # but every customer must get the same finite answer, and spend per purchase is their spend.
    rows = [(f"o{c}_{j}", f"C{c}", "P1", f"{day} 10:00", 1, 10.0)
            for c in range(10) for j, day in enumerate(("2024-01-02", "2024-02-05", "2024-03-07"))]
    out = customer_lifetime_value(orders(rows), as_of=dt.date(2024, 3, 8), horizon_days=90).tables["customers"]
    assert len(out) == 10
    for col in [c for c in OUTPUT_COLUMNS[1:] if c != "model"] + ["expected_spend_per_purchase"]:
        assert np.isfinite(out[col]).all() and out[col].nunique() == 1, col
    assert out["expected_spend_per_purchase"].iloc[0] == pytest.approx(10.0, rel=1e-3)


def test_missing_prices_are_refused_and_named():
    rows = [r if r[1] not in ("C003", "C008") else r[:5] + (None,) for r in varied_rows(12)]
    with pytest.raises(ShopmineInputError,
                       match=r"sale or return line\(s\) have no unit_price \(customers C003, C008\)"):
        customer_lifetime_value(orders(rows), as_of=AS_OF)


def test_as_of_before_the_first_order():
    with pytest.raises(ShopmineInputError, match=r"found 0: the as-of date 2023-06-01 is on or before the first "
                                                 r"order \(2024-01-\d\d\); choose an as-of date after"):
        customer_lifetime_value(orders(varied_rows()), as_of=dt.date(2023, 6, 1))


def test_unknown_model_and_bad_horizon():
    with pytest.raises(ShopmineInputError, match=r"^model must be one of auto, pareto_nbd, bgnbd, mbgcnbd; "
                                                 r"got 'lifetimes'\.$"):
        customer_lifetime_value(orders(varied_rows()), as_of=AS_OF, model="lifetimes")
    with pytest.raises(ShopmineInputError, match=r"^horizon_days must be an integer of at least 1; got 0\.$"):
        customer_lifetime_value(orders(varied_rows()), as_of=AS_OF, horizon_days=0)
