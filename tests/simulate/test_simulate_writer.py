"""Files: determinism, both formats, and no half-written file after a failure."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

import shopmine.simulate.writer as writer
from shopmine.errors import ShopmineInputError
from shopmine.simulate import simulate_shop, write_shop

SMALL = {"n_customers": 200, "n_products": 40, "n_days": 90}
NAMES = {"orders", "products", "customers", "truth_customers", "truth_products", "truth_orders",
         "truth_promotions", "truth_preferences", "truth_complements", "truth_segments",
         "ground_truth"}


def test_same_seed_gives_byte_identical_files(tmp_path):
    first = write_shop(simulate_shop(**SMALL, seed=7), tmp_path / "a")
    second = write_shop(simulate_shop(**SMALL, seed=7), tmp_path / "b")
    assert set(first) == NAMES
    for name in NAMES:
        assert first[name].read_bytes() == second[name].read_bytes(), name


def test_other_seed_gives_other_data(tmp_path):
    first = write_shop(simulate_shop(**SMALL, seed=7), tmp_path / "a")
    other = write_shop(simulate_shop(**SMALL, seed=8), tmp_path / "b")
    for name in ("orders", "customers", "truth_products"):
        assert first[name].read_bytes() != other[name].read_bytes(), name


def test_csv_files_read_back_as_written(tmp_path, small_shop):
    paths = write_shop(small_shop, tmp_path)
    assert {p.name for p in tmp_path.iterdir()} == {p.name for p in paths.values()}
    # Guests' empty customer_id must read back as missing, as a shop's export would.
    orders = pd.read_csv(paths["orders"], dtype={"customer_id": "string"})
    expected = small_shop.orders.to_pandas()
    assert list(orders.columns) == list(expected.columns)
    assert len(orders) == len(expected)
    assert (orders["quantity"] == expected["quantity"]).all()
    assert (orders["unit_price"] == expected["unit_price"]).all()
    assert orders["customer_id"].isna().sum() == expected["customer_id"].isna().sum()
    truth = json.loads(paths["ground_truth"].read_text(encoding="utf-8"))
    assert truth["summary"]["lines"] == len(expected)
    assert pq.read_table(paths["truth_orders"]).equals(small_shop.truth_orders)


def test_parquet_format(tmp_path, small_shop):
    paths = write_shop(small_shop, tmp_path, format="parquet")
    assert paths["orders"].name == "orders.parquet"
    assert pq.read_table(paths["orders"]).equals(small_shop.orders)
    assert pq.read_table(paths["customers"]).equals(small_shop.customers)


def test_unknown_format_is_refused(tmp_path, small_shop):
    with pytest.raises(ShopmineInputError, match=r"^format must be one of csv, parquet; got 'xlsx'\.$"):
        write_shop(small_shop, tmp_path, format="xlsx")


def test_failed_write_leaves_no_half_written_file(tmp_path, small_shop, monkeypatch):
    def broken(table, path):
        path.write_bytes(b"PAR1 half")
        raise OSError("disk full")

    monkeypatch.setattr(writer, "_write_parquet", broken)
    with pytest.raises(OSError, match="disk full"):
        write_shop(small_shop, tmp_path)
    # The CSV tables before the failure are complete; the failed file and its temporary are gone.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["customers.csv", "orders.csv",
                                                          "products.csv"]
