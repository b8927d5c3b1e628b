"""A shop written in customer shards: one catalogue, disjoint customers and orders, one shard in memory."""

from __future__ import annotations

import gc
import weakref

import pyarrow.csv as pacsv
import pytest

import shopmine.simulate.shards as shards
from shopmine.cli.app import main
from shopmine.errors import ShopmineInputError
from shopmine.simulate import simulate_shop, write_shop, write_shop_in_shards
from shopmine.simulate.parameters import make_parameters

SMALL = {"n_customers": 301, "n_products": 30, "n_days": 60, "seed": 5}


def _orders(path):
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(strings_can_be_null=True))


def test_shard_sizes_split_the_customers():
    assert shards.shard_sizes(301, 3) == [101, 100, 100]
    assert shards.shard_sizes(4, 4) == [1, 1, 1, 1]


def test_shards_share_the_catalogue_and_nothing_else(tmp_path):
    written = write_shop_in_shards(make_parameters("test", **SMALL), 3, tmp_path)
    assert [p["orders"].parent.name for p in written] == ["shard-000", "shard-001", "shard-002"]
    products = [p["products"].read_bytes() for p in written]
    assert products[0] == products[1] == products[2]
    orders = [_orders(p["orders"]) for p in written]
    customers = [_orders(p["customers"]) for p in written]
    # Shard 0 is the plain shop of its customers; the others carry their shard in their ids.
    assert customers[0]["customer_id"][0].as_py() == "C000001"
    assert customers[2]["customer_id"][0].as_py() == "C02-000001"
    assert orders[1]["order_id"][0].as_py() == "O01-0000001"
    for key, tables in (("order_id", orders), ("customer_id", customers)):
        seen = [set(t[key].drop_null().to_pylist()) for t in tables]
        assert not (seen[0] & seen[1]) and not (seen[0] & seen[2]) and not (seen[1] & seen[2]), key
    registered = [len(t) for t in customers]
    # 101/100/100 legitimate customers per shard, plus each shard's own fraudster accounts.
    assert registered[0] >= 101 and registered[1] >= 100 and registered[2] >= 100
    # Customers of a shard draw other orders than the same number in another shard.
    assert orders[1]["product_id"].to_pylist() != orders[2]["product_id"].to_pylist()


def test_shard_zero_is_the_plain_shop(tmp_path):
    written = write_shop_in_shards(make_parameters("test", **SMALL), 2, tmp_path / "sharded")
    plain = write_shop(simulate_shop(**{**SMALL, "n_customers": 151}), tmp_path / "plain")
    assert written[0]["orders"].read_bytes() == plain["orders"].read_bytes()
    assert written[0]["products"].read_bytes() == plain["products"].read_bytes()


def test_one_shard_in_memory_at_a_time(tmp_path, monkeypatch):
    alive: list[weakref.ref] = []
    real = shards.simulate_from

    def simulate_after_the_last_is_gone(parameters):
        gc.collect()
        assert all(ref() is None for ref in alive), "an earlier shard is still held"
        shop = real(parameters)
        alive.append(weakref.ref(shop))
        return shop

    monkeypatch.setattr(shards, "simulate_from", simulate_after_the_last_is_gone)
    write_shop_in_shards(make_parameters("test", **SMALL), 3, tmp_path)
    assert len(alive) == 3


@pytest.mark.parametrize("n_shards", [0, 302, 2.0])
def test_bad_shard_count_is_named(tmp_path, n_shards):
    with pytest.raises(ShopmineInputError, match=r"n_shards must be an int in \[1, 301\]"):
        write_shop_in_shards(make_parameters("test", **SMALL), n_shards, tmp_path)


def test_cli_writes_shards_and_counts_their_lines(tmp_path, capsys):
    args = ["simulate", "--customers", "40", "--products", "10", "--days", "30", "--seed", "2",
            "--shards", "2", "--output-dir", str(tmp_path)]
    assert main(args) == 0
    out = " ".join(capsys.readouterr().out.split())
    lines = sum(_orders(tmp_path / f"shard-00{s}" / "orders.csv").num_rows for s in range(2))
    assert f"in 2 shards: {lines:,} order lines" in out


def test_cli_bad_shard_count_names_the_option(tmp_path, capsys):
    args = ["simulate", "--customers", "10", "--shards", "11", "--output-dir", str(tmp_path)]
    assert main(args) == 2
    assert "--shards must be an int in [1, 10]" in " ".join(capsys.readouterr().err.split())
