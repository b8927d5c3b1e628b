"""Bad input for ``segment`` and ``classify`` (issue 5, acceptance 5), in the library and through the CLI.

Each case ends in a clear result or a clear error: the library raises ``ShopmineInputError`` naming the
problem and the fix, the CLI exits 2 with that message (0 when the result is still meaningful).
"""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd
import pytest

from shopmine.cli.app import main
from shopmine.customers import BehaviourClusters, segment_customers
from shopmine.customers.classify import category_classifier, classify
from shopmine.errors import ShopmineInputError

AS_OF = dt.date(2024, 12, 1)
COLUMNS = ["order_id", "customer_id", "product_id", "ordered_at", "quantity", "unit_price", "list_price",
           "category"]


def _frame(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["ordered_at"] = pd.to_datetime(frame["ordered_at"])
    return frame


def _varied_rows(customers: int = 40) -> list[tuple]:
    """Customers with 1-5 purchases on spread-out days in 2024, different prices and categories."""
    rng = np.random.default_rng(0)
    rows = []
    for c in range(customers):
        for j in range(1 + c % 5):
            day = dt.date(2024, 1, 1) + dt.timedelta(days=int(rng.integers(0, 300)))
            rows.append((f"o{c}_{j}", f"C{c:03d}", f"P{j % 4}", f"{day} 10:00", 1 + j % 2, 10.0 + c, 12.0,
                         "home/kitchen" if c % 2 else "toys"))
    return rows


def _once_rows(customers: int = 30) -> list[tuple]:
    """Every customer bought exactly once, on different days and for different amounts."""
    return [(f"o{c}", f"C{c:03d}", "P1", f"{dt.date(2024, 1, 1) + dt.timedelta(days=9 * c)} 10:00", 1 + c % 3,
             10.0 + c, 12.0, "home") for c in range(customers)]


def _identical_rows(customers: int = 24) -> list[tuple]:
    return [(f"o{c}", f"C{c:03d}", "P1", "2024-06-10 10:00", 1, 10.0, 10.0, "home") for c in range(customers)]


def _workspace(tmp_path, rows: list[tuple], customers: pd.DataFrame | None = None) -> str:
    orders_file = tmp_path / "orders.csv"
    _frame(rows).to_csv(orders_file, index=False)
    ws = str(tmp_path / "ws")
    args = ["--workspace", ws, "ingest", str(orders_file)]
    if customers is not None:
        customers_file = tmp_path / "customers.csv"
        customers.to_csv(customers_file, index=False)
        args += ["--customers", str(customers_file)]
    assert main(args) == 0
    return ws


@pytest.fixture(scope="module")
def varied_ws(tmp_path_factory):
    """40 customers with 1-5 purchases and a customers table with a constant and a two-valued column."""
    ids = [f"C{c:03d}" for c in range(40)]
    customers = pd.DataFrame({"customer_id": ids, "region": "north", "tier": ["gold", "basic"] * 20})
    return _workspace(tmp_path_factory.mktemp("varied"), _varied_rows(), customers)


# -- customers with one purchase ------------------------------------------------------------------


def test_everyone_bought_once_still_segments(tmp_path, capsys):
    ws = _workspace(tmp_path, _once_rows())
    out_file = tmp_path / "seg.csv"
    assert main(["--workspace", ws, "segment", "--seed", "0", "--output", str(out_file)]) == 0
    printed = capsys.readouterr().out
    # With one purchase each, recency is the tenure: recency in units of the usual gap and lines per
    # purchase carry no information and are left out, said so.
    assert "Left out (the same for every customer)" in printed and "lines_per_order" in printed
    frame = pd.read_csv(out_file)
    assert len(frame) == 30 and (frame["frequency"] == 1).all() and frame["cluster"].nunique() >= 2


def test_everyone_bought_once_buy_again_has_one_class(tmp_path, capsys):
    ws = _workspace(tmp_path, _once_rows())
    assert main(["--workspace", ws, "classify"]) == 2
    err = capsys.readouterr().err
    assert "target 'buys_again_90d' has only one class ('no' for all" in err


# -- all customers identical ----------------------------------------------------------------------


def test_identical_customers_one_cluster_through_the_cli(tmp_path, capsys):
    ws = _workspace(tmp_path, _identical_rows())
    assert main(["--workspace", ws, "segment"]) == 0
    printed = capsys.readouterr().out
    assert "No clusters formed (k = 1): 24 customer(s) with 1 distinct behaviour profile(s)" in printed
    assert main(["--workspace", ws, "segment", "--k", "3"]) == 2
    assert "--k 3 is larger than the number of customers with distinct behaviour (1)" in capsys.readouterr().err


def test_identical_customers_classify_to_a_single_leaf():
    orders = ibis.memtable(_frame(_identical_rows()))
    labels = pd.Series(["a", "b"] * 12, index=[f"C{c:03d}" for c in range(24)], name="label")
    result = category_classifier(orders, labels, as_of=AS_OF, seed=0)
    # Nothing tells the customers apart: one leaf, a coin-flip AUC, said in the numbers.
    assert result.metrics["n_leaves"] == 1 and result.metrics["max_depth"] == 0
    assert result.metrics["tree_auc"] == pytest.approx(0.5)


def test_identical_features_table_given_directly():
    features = pd.DataFrame({"purchases_per_30d": 1.0, "recency_vs_gap": 1.0, "lines_per_order": 1.0,
                             "avg_basket_units": 1.0, "monetary": 10.0, "discount_share": 0.0, "frequency": 1,
                             "avg_order_value": 10.0, "recency_days": 5}, index=range(5))
    model = BehaviourClusters(seed=0).fit(features)
    assert model.k_ == 1 and (model.labels_ == 0).all() and model.silhouette_ is None
    assert "No clusters formed (k = 1)" in model.note_


# -- a target with one class, a target that does not exist ------------------------------------------


def test_one_class_target_column_exits_2(varied_ws, capsys):
    assert main(["--workspace", varied_ws, "classify", "--target", "region"]) == 2
    err = capsys.readouterr().err
    assert "target 'region' has only one class ('north' for all 40 customers)" in err


def test_one_class_target_in_the_library(varied_ws):
    labels = pd.Series("same", index=[f"C{c:03d}" for c in range(40)], name="label")
    orders = ibis.memtable(_frame(_varied_rows()))
    with pytest.raises(ShopmineInputError, match="target 'label' has only one class"):
        category_classifier(orders, labels, as_of=AS_OF)


def test_missing_target_column_exits_2_and_lists_the_columns(varied_ws, capsys):
    assert main(["--workspace", varied_ws, "classify", "--target", "no_such_column"]) == 2
    err = capsys.readouterr().err
    assert "--target 'no_such_column' is not a column of the customers table" in err
    assert "available columns:" in err and "region" in err and "tier" in err


def test_two_valued_target_column_works(varied_ws, capsys):
    assert main(["--workspace", varied_ws, "classify", "--target", "tier", "--seed", "0"]) == 0
    assert "Classifying tier" in capsys.readouterr().out


def test_missing_target_column_in_a_data_frame():
    orders = ibis.memtable(_frame(_varied_rows()))
    customers = pd.DataFrame({"customer_id": ["C000"], "tier": ["gold"]})
    with pytest.raises(ShopmineInputError, match="^target 'nope' is not a column .* available columns: tier"):
        classify(orders, as_of=AS_OF, target="nope", customers=customers)


# -- missing monetary values ----------------------------------------------------------------------


def _unpriced_rows() -> list[tuple]:
    # C000 and C004 have no price on any line, C008 on one of its lines.
    rows = []
    for row in _varied_rows(12):
        customer = row[1]
        unpriced = customer in ("C000", "C004") or (customer == "C008" and row[0].endswith("_0"))
        rows.append(row[:5] + (None if unpriced else row[5],) + row[6:])
    return rows


def test_missing_prices_are_refused_by_the_library():
    orders = ibis.memtable(_frame(_unpriced_rows()))
    message = r"sale or return line\(s\) have no unit_price \(customers C000, C004, C008\)"
    with pytest.raises(ShopmineInputError, match=message):
        segment_customers(orders, as_of=AS_OF)
    # The buy-again classifier first builds features at as-of minus 2 x 90 days: fewer lines by then.
    with pytest.raises(ShopmineInputError, match=r"line\(s\) have no unit_price \(customers C004\)"):
        classify(orders, as_of=AS_OF)


def test_missing_prices_are_quarantined_by_ingest(tmp_path, capsys):
    ws = _workspace(tmp_path, _unpriced_rows())
    capsys.readouterr()
    out_file = tmp_path / "seg.csv"
    assert main(["--workspace", ws, "segment", "--seed", "0", "--output", str(out_file)]) == 0
    frame = pd.read_csv(out_file)
    # Customers whose every line lacked a price are not customers of the loaded log; C008 keeps the
    # purchases that had one.
    assert set(frame["customer_id"]) == {f"C{c:03d}" for c in range(12)} - {"C000", "C004"}
    assert frame.set_index("customer_id").loc["C008", "frequency"] == 3  # 4 purchases, 1 without a price
    assert frame["monetary"].notna().all()


def test_missing_monetary_in_a_features_table_names_the_customers():
    features = pd.DataFrame({"customer_id": ["a", "b", "c"], "purchases_per_30d": [1.0, 2.0, 3.0],
                             "recency_vs_gap": [1.0, 0.5, 2.0], "lines_per_order": [1.0, 2.0, 1.0],
                             "avg_basket_units": [1.0, 2.0, 3.0], "monetary": [10.0, np.nan, 30.0],
                             "discount_share": [0.0, 0.5, 0.0], "frequency": [1, 2, 3]})
    with pytest.raises(ShopmineInputError, match=r"monetary have missing values \(customers b\)"):
        BehaviourClusters(seed=0).fit(features)


# -- an as-of date before the first order -----------------------------------------------------------


def test_as_of_before_the_first_order_in_the_library():
    orders = ibis.memtable(_frame(_varied_rows()))
    with pytest.raises(ShopmineInputError, match=r"the as-of date 2023-06-01 is on or before the first order "
                                                 r"\(2024-01-0\d\)"):
        segment_customers(orders, as_of=dt.date(2023, 6, 1))
    with pytest.raises(ShopmineInputError, match=r"the first order is on 2024-01-0\d; the as-of date must be after"):
        classify(orders, as_of=dt.date(2023, 6, 1))


@pytest.mark.parametrize(("command", "message"), [
    ("segment", "is on or before the first order"),
    ("classify", "the as-of date must be after"),
    ("clv", "found 0"),
])
def test_as_of_before_the_first_order_exits_2(varied_ws, capsys, command, message):
    assert main(["--workspace", varied_ws, "--as-of", "2023-06-01", command]) == 2
    err = capsys.readouterr().err
    assert "2023-06-01" in err and message in err
