"""``shopmine clv`` driven in-process on a small simulated shop: output contract and bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shopmine.cli.app import main
from shopmine.currency import format_amount
from shopmine.customers.clv import OUTPUT_COLUMNS, customer_lifetime_value
from shopmine.demo import run_demo
from shopmine.shop import Shop
from shopmine.workspace import Workspace


@pytest.fixture(scope="module")
def small_shop(tmp_path_factory: pytest.TempPathFactory):
    return run_demo(tmp_path_factory.mktemp("clv_demo"), n_customers=300, n_products=30, n_days=200, seed=1)


def run_clv(args: list[str]) -> int:
    return main(args)


def test_clv_command_writes_the_contract(small_shop, tmp_path, capsys):
    out_file = tmp_path / "clv.csv"
    code = run_clv(["--workspace", str(small_shop.workspace_dir), "clv", "--horizon-days", "90",
                    "--output", str(out_file)])
    assert code == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert "Fitted parameters" in printed and "alpha" in printed
    frame = pd.read_csv(out_file, dtype={"customer_id": str})
    assert list(frame.columns) == OUTPUT_COLUMNS
    shop = Shop(Workspace(small_shop.workspace_dir))
    buyers = shop.customer_summary().to_pandas()["customer_id"]
    assert sorted(frame["customer_id"]) == sorted(buyers) and frame["customer_id"].is_unique
    for col in ("p_alive", "churn_probability", "purchase_probability_30d"):
        assert frame[col].between(0, 1).all(), col
    assert (frame["expected_purchases"] >= 0).all() and (frame["expected_revenue"] >= 0).all()
    # No purchase in 90 days implies none in 30: churn <= P(no purchase in 30 days).
    assert (frame["churn_probability"] <= 1 - frame["purchase_probability_30d"] + 1e-12).all()
    # The simulated shop sells in euros (its orders' currency column): amounts are printed in them.
    assert format_amount(frame["expected_revenue"].iloc[0], "EUR") in printed
    assert format_amount(frame["expected_revenue"].sum(), "EUR") in printed  # expected_revenue_total


def test_longer_horizon_expects_more(small_shop):
    shop = Shop(Workspace(small_shop.workspace_dir))
    # Tables are sorted by expected revenue, which depends on the horizon: align on the customer. The
    # model chosen does not depend on the horizon, so P(alive) is the same.
    short, long = (customer_lifetime_value(shop.orders(), as_of=shop.as_of, horizon_days=h).tables["customers"]
                   .sort_values("customer_id", ignore_index=True) for h in (30, 365))
    assert (long["expected_purchases"] > short["expected_purchases"]).all()
    assert long["p_alive"].equals(short["p_alive"])


def test_clv_command_bad_horizon(small_shop, capsys):
    code = run_clv(["--workspace", str(small_shop.workspace_dir), "clv", "--horizon-days", "0"])
    assert code == 2
    assert "--horizon-days" in capsys.readouterr().err


def test_clv_command_models(small_shop, tmp_path, capsys):
    frames = {}
    for model in ("pareto_nbd", "bgnbd"):
        out_file = tmp_path / f"{model}.csv"
        code = run_clv(["--workspace", str(small_shop.workspace_dir), "clv", "--model", model, "--horizon-days",
                        "90", "--output", str(out_file)])
        assert code == 0, capsys.readouterr().err
        printed = capsys.readouterr().out
        assert {"pareto_nbd": "Pareto/NBD", "bgnbd": "BG/NBD"}[model] in printed
        frames[model] = pd.read_csv(out_file, dtype={"customer_id": str})
        # Sorted by value, so each model's file has its own order: align on the customer.
        assert frames[model]["expected_revenue"].is_monotonic_decreasing
        assert (frames[model]["model"] == {"pareto_nbd": "Pareto/NBD", "bgnbd": "BG/NBD"}[model]).all()
        frames[model] = frames[model].sort_values("customer_id", ignore_index=True)
    assert list(frames["pareto_nbd"]["customer_id"]) == list(frames["bgnbd"]["customer_id"])
    # The same shop, two models: totals agree within a third, per-customer values differ.
    totals = {m: f["expected_purchases"].sum() for m, f in frames.items()}
    assert totals["pareto_nbd"] == pytest.approx(totals["bgnbd"], rel=0.33)
    assert not np.allclose(frames["pareto_nbd"]["p_alive"], frames["bgnbd"]["p_alive"])
    assert run_clv(["--workspace", str(small_shop.workspace_dir), "clv", "--model", "lifetimes"]) == 2
    assert "--model must be one of auto, pareto_nbd, bgnbd, mbgcnbd; got 'lifetimes'" in capsys.readouterr().err


def test_clv_command_bad_output(small_shop, tmp_path, capsys):
    code = run_clv(["--workspace", str(small_shop.workspace_dir), "clv", "--output", str(tmp_path / "x.txt")])
    assert code == 2
    assert "--output" in capsys.readouterr().err


def ingest_orders(tmp_path: Path, rows: list[str]) -> str:
    orders = tmp_path / "orders.csv"
    orders.write_text("order_id,customer_id,product_id,ordered_at,quantity,unit_price\n" + "\n".join(rows) + "\n")
    ws = str(tmp_path / "ws")
    assert main(["--workspace", ws, "ingest", str(orders)]) == 0
    return ws


def test_clv_command_one_customer(tmp_path, capsys):
    ws = ingest_orders(tmp_path, ["1,c1,p1,2024-01-02,1,10", "2,c1,p1,2024-02-02,1,12"])
    capsys.readouterr()
    assert run_clv(["--workspace", ws, "clv"]) == 2
    assert "at least 2 customers with a purchase before" in capsys.readouterr().err


def test_clv_command_only_one_time_buyers(tmp_path, capsys):
    ws = ingest_orders(tmp_path, [f"{i},c{i},p1,2024-01-{i + 1:02d},1,10" for i in range(1, 9)])
    capsys.readouterr()
    assert run_clv(["--workspace", ws, "clv"]) == 2
    err = capsys.readouterr().err
    assert "who bought on more than one day" in err and "found 0 of 8 customers" in err
