"""``shopmine simulate`` driven in-process: exit codes, files and messages."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from shopmine.cli.app import main

SMALL = ["--customers", "50", "--products", "20", "--days", "60", "--seed", "1"]


def test_simulate_writes_the_shop_and_prints_a_summary(tmp_path, capsys):
    assert main(["simulate", *SMALL, "--output-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "order lines" in out and "fraud orders" in out and str(tmp_path) in out
    assert (tmp_path / "orders.csv").read_text(encoding="utf-8").startswith('"order_id","customer_id"')
    for name in ("products.csv", "customers.csv", "truth_customers.parquet", "truth_products.parquet",
                 "truth_orders.parquet", "ground_truth.json"):
        assert (tmp_path / name).is_file(), name


def test_simulate_parquet_with_start_date(tmp_path):
    code = main(["simulate", *SMALL, "--start", "2024-03-01", "--format", "parquet",
                 "--output-dir", str(tmp_path)])
    assert code == 0
    first = pq.read_table(tmp_path / "orders.parquet")["ordered_at"][0].as_py()
    assert first.startswith("2024-03-0")


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--customers", "0", "error: --customers must be an int in [1, inf); got 0."),
    ("--days", "-5", "error: --days must be an int in [1, inf); got -5."),
    ("--start", "2023-02-30", "error: --start must be a date like '2023-01-01'; got '2023-02-30'."),
    ("--format", "xlsx", "error: --format must be one of csv, parquet; got 'xlsx'."),
])
def test_bad_values_exit_2_naming_the_option(tmp_path, capsys, option, value, message):
    args = ["simulate", "--output-dir", str(tmp_path / "out"), option, value]
    assert main(args) == 2
    err = " ".join(capsys.readouterr().err.split())  # the console may wrap long lines
    assert message in err
    assert not (tmp_path / "out").exists()


def test_missing_output_dir_is_a_usage_error(capsys):
    assert main(["simulate", *SMALL]) == 2
    assert "--output-dir" in capsys.readouterr().err


@pytest.mark.parametrize("shards", ["1", "2"])
def test_a_file_given_as_output_dir_exits_2_before_simulating(tmp_path, capsys, shards):
    blocker = tmp_path / "shop.csv"
    blocker.write_text("mine\n")
    assert main(["simulate", *SMALL, "--shards", shards, "--output-dir", str(blocker)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"error: --output-dir must be a folder, not a file; got '{blocker}'" in err
    assert blocker.read_text() == "mine\n" and sorted(tmp_path.iterdir()) == [blocker]
