"""The thin CLI: exit codes, messages, outputs (driven in-process)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from shopmine.cli.app import main

ORDERS = (
    "order_id,customer_id,product_id,ordered_at,quantity,unit_price,category\n"
    "o1,c1,p1,2024-01-01 10:00:00,2,3.0,toys\n"
    "o2,c1,p2,2024-01-03 10:00:00,1,10.0,home\n"
    "o3,c2,p1,2024-01-03 12:00:00,1,3.0,toys\n"
    "o4,c2,p1,2024-01-04 09:00:00,-1,3.0,toys\n"
)


@pytest.fixture
def cli(tmp_path: Path, capsys):
    ws = tmp_path / "ws"

    def run(*args: str):
        code = main(["--workspace", str(ws), *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    (tmp_path / "orders.csv").write_text(ORDERS)
    run.ws = ws
    run.orders = tmp_path / "orders.csv"
    return run


def test_init_creates_the_layout(tmp_path, capsys):
    assert main(["init", str(tmp_path / "shop")]) == 0
    assert (tmp_path / "shop" / "shopmine.toml").exists() and (tmp_path / "shop" / "models").is_dir()
    assert "workspace ready" in capsys.readouterr().out


def test_panel_output_respects_as_of(cli, tmp_path):
    assert cli("ingest", str(cli.orders))[0] == 0
    out = tmp_path / "panel.csv"
    code, stdout, err = cli("--as-of", "2024-01-04", "features", "panel", "--output", str(out))
    assert code == 0, err
    panel = pd.read_csv(out)
    # p1 from its first sale to 2024-01-03 (the as-of day is excluded), p2 from 2024-01-03
    assert panel[["unique_id", "ds", "units"]].values.tolist() == [
        ["p1", "2024-01-01", 2.0], ["p1", "2024-01-02", 0.0], ["p1", "2024-01-03", 1.0], ["p2", "2024-01-03", 1.0]]
    assert "sales panel as of 2024-01-04" in stdout


def test_customers_output_default_as_of(cli, tmp_path):
    cli("ingest", str(cli.orders))
    out = tmp_path / "customers.parquet"
    code, stdout, err = cli("features", "customers", "--output", str(out))
    assert code == 0, err
    df = pd.read_parquet(out).set_index("customer_id")
    # default as-of: the day after the last order, 2024-01-05
    assert df.loc["c1", ["frequency", "recency_days", "monetary"]].tolist() == [2, 2, 16.0]
    assert df.loc["c2", ["frequency", "recency_days", "monetary"]].tolist() == [1, 2, 0.0]  # bought 3, returned 3


def test_report_command_writes_one_html(cli, tmp_path):
    cli("ingest", str(cli.orders))
    code, stdout, err = cli("report", "--output", str(tmp_path / "r.html"))
    assert code == 0, err
    html = (tmp_path / "r.html").read_text()
    assert "Data quality" in html and "Sales panel" in html and "Customer summary" in html


@pytest.mark.parametrize(("args", "message"), [
    (("--as-of", "soon", "quality"), "--as-of"),
    (("--engine", "oracle", "quality"), "--engine"),
    (("features", "panel", "--level", "store"), "--level must be product, category or total"),
    (("features", "panel", "--freq", "Q"), "--freq must be D (days) or W (ISO weeks starting on Monday); got 'Q'."),
    (("features", "panel", "--output", "x.xlsx"), ".csv, .parquet or .json"),
    (("report", "--output", "r.pdf"), "--output must be a .html or .htm file name; got 'r.pdf'."),
    (("quality",), "not a shopmine workspace"),
    (("ingest",), "Missing argument"),
    (("nonsense",), "No such command"),
])
def test_usage_errors_exit_2_and_name_the_option(cli, args, message):
    code, _, err = cli(*args)
    assert code == 2
    assert message in err


def test_quality_on_an_empty_workspace_says_to_ingest(cli):
    assert cli("init", str(cli.ws))[0] == 0
    code, _, err = cli("quality")
    assert code == 2 and "the workspace has no order lines yet; load some with `shopmine ingest FILE`." in err


def test_quality_csv_output_lists_quarantined_rows(cli, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(ORDERS + "o5,c3,p3,2024-01-04,x,2,toys\n")
    cli("ingest", str(bad))
    code, _, err = cli("quality", "--output", str(tmp_path / "q.csv"))
    assert code == 0, err
    q = pd.read_csv(tmp_path / "q.csv")
    assert q[["source_line", "reason", "detail"]].values.tolist() == [[6, "unparseable_number", "quantity 'x'"]]
    saved = json.loads((cli.ws / "outputs" / "quality.json").read_text())
    assert saved["rows_quarantined"] == 1


def test_customers_without_output_prints_the_overview(cli):
    cli("ingest", str(cli.orders))
    code, stdout, err = cli("features", "customers")
    assert code == 0, err
    assert "one_purchase_share" in stdout and "customer summary as of 2024-01-05: 2 customers" in stdout


def test_global_options_are_accepted_after_the_command(tmp_path, capsys):
    ws = tmp_path / "ws"
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS)
    assert main(["ingest", str(orders), "-w", str(ws)]) == 0
    capsys.readouterr()
    out = tmp_path / "panel.csv"
    # -w and --as-of after the command (and a subcommand) mean what they mean before it.
    code = main(["features", "panel", "--output", str(out), "--workspace", str(ws), "--as-of=2024-01-04"])
    assert code == 0, capsys.readouterr().err
    assert pd.read_csv(out)["ds"].max() == "2024-01-03"


def test_version(capsys):
    from shopmine import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"shopmine {__version__}"
