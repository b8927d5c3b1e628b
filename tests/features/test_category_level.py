"""A shop without categories: ``--level category`` exits 2 with one message, from the panel and the forecast."""

from __future__ import annotations

import pandas as pd
import pytest

from shopmine.errors import ShopmineInputError
from shopmine.ingest import ingest
from shopmine.shop import Shop
from shopmine.workspace import Workspace

MESSAGE = ("--level category: no sold product has a category; map a category column at ingest or load a "
           "products file with categories, or use --level total.")


def _workspace(root, category: bool):
    days = pd.date_range("2024-01-01", periods=40, freq="D")
    orders = pd.DataFrame({"order_id": [f"o{i}" for i in range(40)], "customer_id": [f"c{i % 5}" for i in range(40)],
                           "product_id": ["p1", "p2"] * 20, "ordered_at": days + pd.Timedelta(hours=9),
                           "quantity": 2, "unit_price": 4.0})
    if category:
        orders["category"] = ["toys", None] * 20  # p2 has none: it goes to "unknown"
    path = root / "orders.csv"
    orders.to_csv(path, index=False)
    ingest(Workspace(root / "ws"), [path])
    return root / "ws"


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    return _workspace(tmp_path_factory.mktemp("plain"), category=False)


@pytest.mark.parametrize("args", [("features", "panel", "--level", "category"),
                                  ("forecast", "--level", "category", "--model", "naive", "--horizon", "7")],
                         ids=lambda a: a[0])
def test_both_commands_exit_2_with_the_same_message(plain, run, args):
    code, out, err = run("--workspace", plain, *args)
    assert code == 2
    assert MESSAGE in " ".join(err.split())
    assert "unknown" not in out


def test_the_library_refuses_it_too(plain):
    with pytest.raises(ShopmineInputError, match="no sold product has a category"):
        Shop(plain).sales_panel("category", "W")


def test_other_levels_and_an_as_of_before_any_sale_are_not_concerned(plain):
    shop = Shop(plain)
    assert sorted(shop.sales_panel("total", "D").to_pandas()["unique_id"].unique()) == ["total"]
    # Nothing sold yet: an empty panel (the forecast then names --as-of), not the category message.
    assert len(Shop(Workspace(plain, {"as_of": "2023-06-01"})).sales_panel("category", "D").to_pandas()) == 0


def test_some_categories_keep_the_unknown_series(tmp_path, run):
    ws = _workspace(tmp_path, category=True)
    panel = Shop(ws).sales_panel("category", "D").to_pandas()
    assert panel.groupby("unique_id")["units"].sum().to_dict() == {"toys": 40.0, "unknown": 40.0}
    code, out, err = run("--workspace", ws, "features", "panel", "--level", "category")
    assert code == 0, err
    assert "2 series" in out
