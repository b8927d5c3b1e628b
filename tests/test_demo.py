"""The demo runs the whole pipeline on a simulated shop and ends in one report."""

from __future__ import annotations

import pandas as pd

from shopmine.cli.app import main
from shopmine.demo import run_demo
from shopmine.shop import Shop
from shopmine.workspace import Workspace


def test_demo_loads_every_simulated_line_and_writes_the_report(tmp_path):
    result = run_demo(tmp_path / "demo", n_customers=300, n_products=40, n_days=120, seed=3)
    simulated = pd.read_csv(result.shop_dir / "orders.csv", dtype=str)
    shop = Shop(Workspace(result.workspace_dir))
    quality = shop.quality().metrics
    assert quality["rows_in"] == len(simulated) == quality["rows_loaded"] and quality["rows_quarantined"] == 0
    assert quality["line_types"]["shipping"] == (simulated["product_id"] == "SHIPPING").sum()
    units = shop.sales_panel("total", "D").to_pandas()["units"].sum()
    sold = simulated[(simulated["product_id"] != "SHIPPING") & (simulated["status"] == "completed")]
    assert units == sold["quantity"].astype(int).clip(lower=0).sum()
    html = result.report_path.read_text()
    for section in ("Data quality", "Sales panel", "Customer summary"):
        assert section in html
    # recommendations evaluated on the simulated log's last 30 days (120 days from 2023-01-01: the last
    # order is on 2023-04-30, the default as-of 2023-05-01)
    assert "Recommendations on the 30 days after 2023-04-01" in html
    # a second run loads nothing new
    again = run_demo(tmp_path / "demo", n_customers=300, n_products=40, n_days=120, seed=3)
    assert "loaded 0, quarantined 0" in again.summary


def test_demo_command(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default workspace (the current folder) must stay untouched
    code = main(["demo", "--output-dir", str(tmp_path / "d"), "--customers", "100", "--products", "20",
                 "--days", "60"])
    assert code == 0
    out = capsys.readouterr().out
    assert "report:" in out and (tmp_path / "d" / "report.html").exists()
    assert (tmp_path / "d" / "workspace" / "warehouse.duckdb").exists() and not (tmp_path / "warehouse.duckdb").exists()


def test_demo_honours_the_global_workspace_engine_and_as_of(tmp_path, capsys):
    ws = tmp_path / "my_ws"
    code = main(["--workspace", str(ws), "--as-of", "2023-02-15", "demo", "--output-dir", str(tmp_path / "d"),
                 "--customers", "100", "--products", "20", "--days", "60", "--engine", "duckdb"])
    out = capsys.readouterr().out
    assert code == 0, out
    # The named workspace holds the loaded shop; no second one under the output folder.
    assert (ws / "warehouse.duckdb").exists() and not (tmp_path / "d" / "workspace").exists()
    assert f"workspace: {ws} (engine duckdb, as of 2023-02-15)" in out
    assert "as of 2023-02-15" in (tmp_path / "d" / "report.html").read_text()
    with Shop(Workspace(ws)) as shop:  # the whole simulated shop is there, analysed up to the as-of date only
        assert shop.quality().metrics["rows_loaded"] == len(pd.read_csv(tmp_path / "d" / "shop" / "orders.csv"))
