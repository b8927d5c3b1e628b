"""Acceptance on the real UCI Online Retail log (541,909 lines, read from ../shared/data)."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.realdata


def test_online_retail_loads_every_line_or_quarantines_it(run, online_retail_files, tmp_path):
    folder = online_retail_files[0].parent
    code, out, err = run("ingest", str(folder / "*.csv.gz"), "--preset", "online_retail")
    assert code == 0, err
    assert "541,909 in = 539,409 loaded + 2,500 quarantined" in out
    code, out, _ = run("quality", "--output", str(tmp_path / "q.json"))
    assert code == 0
    q = json.loads((tmp_path / "q.json").read_text())
    assert q["rows_in"] == 541_909 == q["rows_loaded"] + q["rows_quarantined"]
    assert sum(q["quarantined_by_reason"].values()) == q["rows_quarantined"]
    assert q["quarantined_by_reason"] == {"non_positive_price": 2_500}
    assert q["duplicate_rows"] == 5_268
    assert q["line_types"]["product"] == 536_496 and q["line_types"]["shipping"] == 2_110
    assert q["date_range"] == {"first": "2010-12-01T08:26:00", "last": "2011-12-09T12:50:00"}

    from shopmine.workspace import Workspace

    con = Workspace(run.workspace).warehouse().con
    assert con.execute("SELECT count(*) FROM quarantine WHERE reason IS NULL OR detail IS NULL").fetchone()[0] == 0
    # 9,288 cancellation lines (InvoiceNo starting with C) per the data set's notes
    assert con.execute("SELECT count(*) FROM orders WHERE status = 'cancelled'").fetchone()[0] + con.execute(
        "SELECT count(*) FROM quarantine WHERE raw LIKE '{\"InvoiceNo\":\"C%'").fetchone()[0] == 9_288
    # Every negative product line (all are C invoices) is a cancellation (matched to its sale), a
    # return (no sale of the customer and product within 30 days before it) or, matched in part,
    # both: the two shares, equal when both counted the C lines, differ.
    negative = con.execute("SELECT count(*) FROM orders WHERE line_type = 'product' AND quantity < 0").fetchone()[0]
    assert negative == con.execute("SELECT count(*) FROM orders WHERE line_type = 'product' AND quantity < 0 "
                                   "AND status = 'cancelled'").fetchone()[0]
    assert q["cancellation_lines"] + q["return_lines"] >= negative > max(q["cancellation_lines"], q["return_lines"])
    assert min(q["cancellation_lines"], q["return_lines"]) > 0
    assert q["cancellations_share"] != q["returns_share"]
    con.close()

    code, out, _ = run("ingest", str(folder / "*.csv.gz"), "--preset", "online_retail")
    assert code == 0 and "order rows: 0 in = 0 loaded + 0 quarantined" in out
    assert out.count("skipped") == 13
    assert Workspace(run.workspace).warehouse().con.execute("SELECT count(*) FROM orders").fetchone()[0] == 539_409
