"""``shopmine price`` driven in-process: the output contract, every rule on every product, each robustness case
of issue 14 (acceptance 5) with its exit code or status, and the saved run answering again."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shopmine.cli.app import main
from shopmine.pricing.optimise import OUTPUT_COLUMNS, UNBOUNDED_STATUS
from shopmine.runs import list_runs
from shopmine.workspace import Workspace

START = dt.date(2023, 1, 2)
#: The list price's level, one per 8-week block: it moves around the base price and ends at it.
LEVELS = [1.0, 0.9, 1.1, 0.95, 1.05, 1.0, 0.92, 1.08, 1.0]
WEEKS = 8 * len(LEVELS)
#: product -> (base list price, unit cost, true elasticity); "" cost: none known.
PRODUCTS = {
    "elastic": (20.0, 8.0, -3.0),     # p* = 8 * 3 / 2 = 12: below the window [17, 23] -> max change binds
    "inelastic": (10.0, 4.0, -0.7),   # profit rises with the price -> up to the max change
    "thin": (10.0, 8.5, -6.0),        # p* = 10.2 is below the margin floor 8.5 / 0.8 = 10.625 -> the floor binds
    "nocost": (15.0, "", -2.5),       # no unit cost -> revenue objective, a warning
    "zerocost": (6.0, 0.0, -2.0),     # cost 0: every price is all margin
    "flat": (5.0, 2.0, -2.0),         # its price never changes -> too little variation
}


def orders_frame(seed: int = 0) -> pd.DataFrame:
    """Weekly demand with constant elasticity, list price steps and promotions, split into order lines of
    40 customers; plus a product with returns only."""
    rng = np.random.default_rng(seed)
    rows = []
    for pid, (base, cost, e) in PRODUCTS.items():
        for week in range(WEEKS):
            varies = pid != "flat"
            list_price = round(base * (LEVELS[week // 8] if varies else 1.0), 2)
            promo = varies and rng.random() < 0.2
            paid = round(list_price * (0.8 if promo else 1.0), 2)
            units = rng.poisson(100 * (paid / base) ** e)
            day = START + dt.timedelta(weeks=week)
            while units > 0:
                q = int(min(units, rng.integers(1, 6)))
                units -= q
                rows.append({"order_id": f"o{len(rows)}", "customer_id": f"c{rng.integers(40)}", "product_id": pid,
                             "ordered_at": f"{day + dt.timedelta(days=int(rng.integers(7)))} 10:00:00",
                             "quantity": q, "unit_price": paid, "list_price": list_price, "unit_cost": cost,
                             "category": f"shop/{pid}"})
    # A product with returns only: a negative line with no sale before it (not a cancellation).
    rows.append({"order_id": "r1", "customer_id": "c1", "product_id": "returned", "ordered_at": "2023-06-01 10:00:00",
                 "quantity": -1, "unit_price": 9.0, "list_price": 9.0, "unit_cost": 3.0, "category": "shop/returned"})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    root = tmp_path_factory.mktemp("price_cli")
    path = root / "orders.csv"
    orders_frame().to_csv(path, index=False)
    ws = root / "ws"
    assert main(["--workspace", str(ws), "ingest", str(path)]) == 0
    return root, ws


@pytest.fixture
def price(shop, capsys):
    root, ws = shop

    def run(*args) -> tuple[int, str, str]:
        code = main(["--workspace", str(ws), "price", *map(str, args)])
        out = capsys.readouterr()
        return code, out.out, out.err
    run.root = root
    run.ws = ws
    return run


def rules_hold(frame: pd.DataFrame, max_change: float, min_margin: float) -> None:
    for row in frame.itertuples(index=False):
        if "infeasible rules" in row.status:
            continue
        assert abs(row.suggested_price - row.current_price) <= max_change * row.current_price, row
        if row.unit_cost == row.unit_cost:
            assert (row.suggested_price - row.unit_cost) / row.suggested_price >= min_margin, row


def test_output_contract_and_every_robustness_status(price, tmp_path):
    out_file = tmp_path / "prices.csv"
    code, out, err = price("--output", out_file, "--metrics-output", tmp_path / "m.json")
    assert code == 0, err
    frame = pd.read_csv(out_file, dtype={"product_id": str})
    assert list(frame.columns) == OUTPUT_COLUMNS
    assert frame["suggested_price"].notna().all() and frame["product_id"].is_unique
    assert sorted(frame["product_id"]) == sorted([*PRODUCTS, "returned"])
    rules_hold(frame, 0.15, 0.2)
    row = frame.set_index("product_id")
    # The products whose price varies get an elasticity to act on, near the truth (the estimator's own tests
    # judge its accuracy; here it only has to be usable).
    for pid in ("elastic", "inelastic", "thin", "nocost", "zerocost"):
        assert row.loc[pid, "elasticity_lo"] <= row.loc[pid, "elasticity"] <= row.loc[pid, "elasticity_hi"] < 0
        assert abs(row.loc[pid, "elasticity"] - PRODUCTS[pid][2]) < 0.6, pid
    assert row.loc["elastic", "status"] == "constraint bound: max change"
    assert row.loc["elastic", "suggested_price"] < row.loc["elastic", "current_price"]
    assert row.loc["inelastic", "status"] == UNBOUNDED_STATUS["high"]
    assert row.loc["inelastic", "suggested_price"] > row.loc["inelastic", "current_price"]
    # A suggested price that would break the margin floor stops at it.
    thin = row.loc["thin"]
    assert thin["status"] == "constraint bound: margin floor"
    assert (thin["suggested_price"] - 8.5) / thin["suggested_price"] >= 0.2 > (thin["suggested_price"] - 0.01 - 8.5) / (
        thin["suggested_price"] - 0.01)
    assert row.loc["nocost", "status"].startswith("no cost: revenue objective")
    assert pd.isna(row.loc["nocost", "unit_cost"]) and pd.isna(row.loc["nocost", "expected_profit_change_pct"])
    assert row.loc["zerocost", "unit_cost"] == 0 and row.loc["zerocost", "status"] == UNBOUNDED_STATUS["low"]
    # A price that never changed, and a product with returns only: unchanged, saying why.
    assert row.loc["flat", "status"] == "too little variation"
    assert row.loc["flat", "suggested_price"] == row.loc["flat", "current_price"] == 5.0
    assert row.loc["returned", "status"] == "returns only" and row.loc["returned", "suggested_price"] == 9.0
    assert "have no unit cost: their prices maximise revenue" in out
    metrics = json.loads((tmp_path / "m.json").read_text())
    assert metrics["products"] == 7 and metrics["products_without_cost"] == 1


def test_the_saved_run_answers_again_without_recomputing(price, monkeypatch):
    code, out, err = price("--max-change", "0.1")
    assert code == 0, err
    runs = [e.run_id for e in list_runs(Workspace(price.ws), "price")]

    def no_work(*args, **kwargs):
        raise AssertionError("recomputed")
    monkeypatch.setattr("shopmine.pricing.analysis.price_analysis", no_work)
    code, again, err = price("--max-change", "0.1")
    assert code == 0, err
    assert [e.run_id for e in list_runs(Workspace(price.ws), "price")] == runs  # no new run
    assert "answered_from_run" in again and any(run in again for run in runs)


def test_a_bounds_file_answers_again_until_its_content_changes(price, tmp_path):
    bounds = tmp_path / "bounds.csv"
    bounds.write_text("product_id,min_price,max_price\ninelastic,,10.6\n")
    out_file = tmp_path / "prices.csv"
    assert price("--bounds", bounds)[0] == 0
    runs = [e.run_id for e in list_runs(Workspace(price.ws), "price")]
    code, again, err = price("--bounds", bounds)
    assert code == 0 and "answered_from_run" in again, err
    assert [e.run_id for e in list_runs(Workspace(price.ws), "price")] == runs
    # The same file name with another bound: a new request, computed and saved again.
    bounds.write_text("product_id,min_price,max_price\ninelastic,,10.4\n")
    code, out, err = price("--bounds", bounds, "--output", out_file)
    assert code == 0 and "answered_from_run" not in out, err
    assert len(list_runs(Workspace(price.ws), "price")) == len(runs) + 1
    assert pd.read_csv(out_file, dtype={"product_id": str}).set_index("product_id").loc[
        "inelastic", "suggested_price"] <= 10.4


def test_ending_and_bounds_never_leave_the_rules(price, tmp_path):
    bounds = tmp_path / "bounds.csv"
    bounds.write_text("product_id,min_price,max_price\ninelastic,,10.6\n")
    out_file = tmp_path / "prices.csv"
    code, out, err = price("--ending", ".99", "--max-change", "0.2", "--min-margin", "0.3", "--bounds", bounds,
                           "--output", out_file)
    assert code == 0, err
    frame = pd.read_csv(out_file, dtype={"product_id": str})
    rules_hold(frame, 0.2, 0.3)
    changed = frame[frame["suggested_price"] != frame["current_price"]]
    assert len(changed) and ((changed["suggested_price"] * 100).round() % 100 == 99).all()
    inelastic = frame.set_index("product_id").loc["inelastic"]
    assert inelastic["suggested_price"] <= 10.6 and inelastic["status"] == "constraint bound: price bounds"


@pytest.mark.parametrize("args, message", [
    (["--max-change", "0"], "error: --max-change must be a share in (0, 1]"),
    (["--max-change", "1.5"], "error: --max-change must be a share in (0, 1]"),
    (["--max-change", "-0.1"], "error: --max-change must be a share in (0, 1]"),
    (["--min-margin", "1"], "error: --min-margin must be a share in [0, 1)"),
    (["--ending", "1.5"], "error: --ending must be a price ending in [0, 1)"),
    (["--objective", "margin"], "error: --objective must be one of profit, revenue; got 'margin'."),
    (["--output", "prices.txt"], "error: --output must be a .csv, .parquet or .json file name"),
])
def test_usage_errors_exit_2_naming_the_option(price, args, message):
    code, out, err = price(*args)
    assert code == 2 and message in err, err


def test_contradictory_rules_exit_2_naming_both(price, tmp_path):
    bounds = tmp_path / "bounds.csv"
    bounds.write_text("product_id,min_price,max_price\nelastic,40,50\n")
    code, out, err = price("--bounds", bounds)
    assert code == 2
    assert "--bounds and --max-change contradict each other for product 'elastic'" in err, err
    bounds.write_text("product_id,min_price,max_price\nthin,,10.0\n")
    code, out, err = price("--bounds", bounds, "--min-margin", "0.2")
    assert code == 2 and "--bounds and --min-margin contradict each other for product 'thin'" in err, err


def test_a_bad_bounds_file_names_file_row_and_column(price, tmp_path):
    bounds = tmp_path / "bounds.csv"
    bounds.write_text("product_id,min_price,max_price\nelastic,1,30\nthin,lots,12\n")
    code, out, err = price("--bounds", bounds)
    assert code == 2 and f"--bounds {bounds}, row 3, column min_price: 'lots' is not a number" in err, err
    code, out, err = price("--bounds", tmp_path / "missing.csv")
    assert code == 2 and "missing.csv: no such file" in err
