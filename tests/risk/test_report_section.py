"""The report's risk sections: read from the latest training and monitoring runs, hostile text escaped."""

from __future__ import annotations

from pathlib import Path

import pytest

from risk.synthetic import loans
from shopmine.cli.app import main

ORDERS = ("order_id,customer_id,product_id,ordered_at,quantity,unit_price\n"
          "o1,c1,p1,2024-01-02 10:00:00,2,3.0\n"
          "o2,c2,p2,2024-01-03 10:00:00,1,5.0\n")
SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def cli(tmp_path: Path, capsys):
    ws = tmp_path / "ws"
    (tmp_path / "orders.csv").write_text(ORDERS)

    def run(*args):
        code = main(["--workspace", str(ws), *map(str, args)])
        out = capsys.readouterr()
        return code, out.out, out.err

    assert run("ingest", tmp_path / "orders.csv")[0] == 0
    return run


def test_the_report_shows_the_latest_training_and_drift(cli, tmp_path):
    code, out, err = cli("report", "--output", tmp_path / "empty.html")
    assert code == 0, err
    page = (tmp_path / "empty.html").read_text()
    # the command lines that run them, as typed
    assert "Not run yet: run `shopmine risk train --data FILE --target COL (or --orders)`" in page
    assert "Not run yet: run `shopmine risk monitor --data NEW`" in page

    table = loans(800, seed=2)
    table["region"] = table["region"].replace({"east": SCRIPT})
    table = table.rename(columns={"noise": SCRIPT})  # a column name shows in the IV table and figure
    table.to_csv(tmp_path / "loans.csv", index=False)
    assert cli("risk", "train", "--data", tmp_path / "loans.csv", "--target", "default", "--folds", "3")[0] == 0
    assert cli("risk", "monitor", "--data", tmp_path / "loans.csv")[0] == 0
    for refresh in ((), ("--refresh",)):
        code, out, err = cli("report", *refresh, "--output", tmp_path / "r.html")
        assert code == 0, err
        page = (tmp_path / "r.html").read_text()
        assert "Risk model for default = yes" in page and "Risk model drift (PSI)" in page
        for anchor in ("risk-figure-roc", "risk-figure-ks", "risk-figure-calibration", "risk-table-scorecard",
                       "risk-table-reason_codes", "risk_monitor-table-psi", "risk_monitor-figure-psi"):
            assert f'id="{anchor}"' in page, anchor
        assert SCRIPT not in page  # escaped wherever the category shows
        assert "&lt;script&gt;" in page or "\\u003cscript\\u003e" in page
