"""Hostile or odd input (issue 10, items 5, 7, 8 and 11): each case is quarantined or refused clearly.

Every test keeps rows in = rows loaded + rows quarantined.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shopmine.ingest import IngestOptions, ingest
from shopmine.workspace import Workspace

HEADER = "order_id,customer_id,product_id,ordered_at,quantity,unit_price\n"


def write(path, text):
    path.write_text(text, encoding="utf-8", newline="")
    return path


def quarantined(ws):
    return ws.warehouse().con.execute(
        "SELECT source_line, reason, detail FROM quarantine ORDER BY source_line").fetchall()


def loaded_lines(ws):
    return ws.warehouse().con.execute("SELECT list(source_line ORDER BY source_line) FROM orders").fetchone()[0]


def test_nan_and_inf_prices_are_quarantined(ws, tmp_path):
    path = write(tmp_path / "o.csv", HEADER +
                 "1,c,p,2024-01-01,1,2\n"
                 "2,c,p,2024-01-01,1,NaN\n"
                 "3,c,p,2024-01-01,1,inf\n"
                 "4,c,p,2024-01-01,1,1e309\n"
                 "5,c,p,2024-01-01,1,-inf\n"
                 "6,c,p,2024-01-01,Infinity,2\n"
                 "7,c,p,2024-01-01,-INFINITY,2\n"
                 "8,c,p,2024-01-01,nan,2\n"
                 "9,c,p,2024-01-02,3,1.5\n")
    report = ingest(ws, [path])
    assert (report.rows_in, report.rows_loaded, report.rows_quarantined) == (9, 2, 7)
    assert report.files[0].quarantined_by_reason == {"non_finite_number": 7}
    rows = quarantined(ws)
    assert [r[0] for r in rows] == [3, 4, 5, 6, 7, 8, 9]
    assert rows[0][2] == "unit_price 'NaN' is not a finite number"
    assert rows[4][2] == "quantity 'Infinity' is not a finite number"
    assert loaded_lines(ws) == [2, 10]
    # revenue stays finite: 1*2 + 3*1.5
    assert ws.warehouse().con.execute("SELECT sum(quantity * unit_price) FROM orders").fetchone()[0] == 6.5


def test_nan_and_inf_in_line_total_and_cost_are_quarantined(ws, tmp_path):
    path = write(tmp_path / "t.csv", "order_id,customer_id,product_id,ordered_at,quantity,line_total,unit_cost,"
                                     "list_price,discount\n"
                 "1,c,p,2024-01-01,2,4,1,3,0\n"
                 "2,c,p,2024-01-01,2,inf,1,3,0\n"
                 "3,c,p,2024-01-01,2,4,NaN,3,0\n"
                 "4,c,p,2024-01-01,2,4,1,1e309,0\n"
                 "5,c,p,2024-01-01,2,4,1,3,-Infinity\n")
    report = ingest(ws, [path])
    assert (report.rows_in, report.rows_loaded, report.rows_quarantined) == (5, 1, 4)
    assert [(line, reason) for line, reason, _ in quarantined(ws)] == [
        (3, "non_finite_number"), (4, "non_finite_number"), (5, "non_finite_number"), (6, "non_finite_number")]
    assert [d.split(" ")[0] for _, _, d in quarantined(ws)] == ["line_total", "unit_cost", "list_price", "discount"]


def test_existing_file_name_with_brackets_is_ingested_literally(ws, tmp_path):
    path = write(tmp_path / "orders[1].csv", HEADER + "1,c,p,2024-01-01,1,2\n")
    write(tmp_path / "orders1.csv", HEADER + "9,c,p,2024-01-01,1,2\n2,c,p,2024-01-01,1,2\n")  # what the glob matches
    report = ingest(ws, [str(path)])
    assert [f.path for f in report.files] == [str(path)]
    assert (report.rows_in, report.rows_loaded, report.rows_quarantined) == (1, 1, 0)


def test_date_out_of_range_2099_is_quarantined(run, tmp_path):
    path = write(tmp_path / "o.csv", HEADER +
                 "1,c,p,2024-01-01,1,2\n"
                 "2,c,p,2099-01-01,1,2\n"
                 "3,c,p,1900-01-01,1,2\n"
                 "4,c,p,2024-01-05,1,2\n")
    code, out, _ = run("ingest", str(path))
    assert code == 0 and "4 in = 2 loaded + 2 quarantined" in out
    ws = Workspace(run.workspace, create=False)
    rows = quarantined(ws)
    assert [(line, reason) for line, reason, _ in rows] == [(3, "date_out_of_range"), (4, "date_out_of_range")]
    assert rows[0][2].startswith("order date 2099-01-01 00:00:00 is outside 1990-01-01 00:00:00 .. ")
    ws.warehouse().close()
    panel = tmp_path / "panel.csv"
    code, _, _ = run("features", "panel", "--output", str(panel))
    assert code == 0
    days = [line.split(",")[1] for line in panel.read_text().splitlines()[1:]]
    assert days == ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]


def test_date_out_of_range_window_comes_from_the_settings(run, tmp_path, monkeypatch):
    path = write(tmp_path / "o.csv", HEADER + "1,c,p,2019-12-31,1,2\n2,c,p,2020-01-01,1,2\n")
    tomorrow = dt.date.today() + dt.timedelta(days=3)
    future = write(tmp_path / "f.csv", HEADER + f"3,c,p,{tomorrow.isoformat()},1,2\n")
    monkeypatch.setenv("SHOPMINE_FUTURE_ORDER_DAYS", "5")
    code, out, _ = run("ingest", str(path), str(future), "--earliest-order-date", "2020-01-01")
    assert code == 0 and "3 in = 2 loaded + 1 quarantined" in out
    ws = Workspace(run.workspace, create=False)
    assert [(line, reason) for line, reason, _ in quarantined(ws)] == [(2, "date_out_of_range")]
    # the default window (1 day ahead) quarantines the same future date
    assert ingest(ws, [write(tmp_path / "g.csv", HEADER + f"4,c,p,{tomorrow.isoformat()},1,2\n")]).rows_quarantined == 1


def test_wrong_date_format_refuses_the_batch_and_the_corrected_reingest_loads(run, tmp_path):
    other = write(tmp_path / "other.csv", HEADER + "7,c,p,01/02/2024,1,2\n")  # parses either way
    path = write(tmp_path / "dmy.csv", HEADER +
                 "1,c,p,31/01/2024,1,2\n"
                 "2,c,p,29/02/2024,1,2\n"
                 "3,c,p,01/03/2024,1,2\n")
    code, _, err = run("ingest", str(other), str(path), "--date-format", "%m/%d/%Y")
    assert code == 2
    # 31/01 and 29/02 fail as month/day; 01/03 parses (as 3 January)
    assert f"{path}, column 'ordered_at': 2 of 3 dates do not parse with format %m/%d/%Y " \
           "(e.g. '29/02/2024'); nothing was loaded: give the date format the file uses" in err
    ws = Workspace(run.workspace, create=False)
    con = ws.warehouse().con
    assert [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("orders", "quarantine", "batches")] \
        == [0, 0, 0]
    ws.warehouse().close()
    code, out, _ = run("ingest", str(other), str(path), "--date-format", "%d/%m/%Y")
    assert code == 0 and "4 in = 4 loaded + 0 quarantined" in out


def test_half_the_dates_failing_is_not_refused(ws, tmp_path):
    path = write(tmp_path / "o.csv", HEADER + "1,c,p,2024-01-01,1,2\n2,c,p,someday,1,2\n")
    report = ingest(ws, [path])
    assert (report.rows_in, report.rows_loaded, report.rows_quarantined) == (2, 1, 1)
    assert quarantined(ws) == [(3, "unparseable_date", "order date 'someday'")]


def test_unbalanced_quote_quarantines_only_that_line(ws, tmp_path):
    lines = [f'{i},c,p,"Mug, red",2024-01-0{1 + i % 5},1,2\n' for i in range(1, 11)]
    lines[4] = '5,c,p,"Mug, red,2024-01-02,1,2\n'  # the quote never closes: it runs into line 7
    path = write(tmp_path / "q.csv", "order_id,customer_id,product_id,name,ordered_at,quantity,unit_price\n"
                 + "".join(lines))
    report = ingest(ws, [path])
    # the broken record spans file lines 6-7 and is one quarantined row; the 8 others load
    assert (report.rows_in, report.rows_loaded, report.rows_quarantined) == (9, 8, 1)
    [(line, reason, detail)] = quarantined(ws)
    assert (line, reason) == (6, "malformed_line") and "unterminated quote" in detail
    con = ws.warehouse().con
    assert con.execute("SELECT list(order_id ORDER BY order_id::INT) FROM orders").fetchone()[0] == \
        ["1", "2", "3", "4", "7", "8", "9", "10"]
    assert con.execute("SELECT count(*) FROM orders WHERE name = 'Mug, red'").fetchone()[0] == 8
    raw = con.execute("SELECT raw FROM quarantine").fetchone()[0]
    assert raw.startswith('5,c,p,"Mug, red,2024-01-02,1,2\n6,c,p,')


def test_mixed_crlf_and_lf_lines_are_read(ws, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(HEADER.replace("\n", "\r\n").encode() + b"1,c,p,2024-01-01,1,2\r\n2,c,p,2024-01-01,1,2\n"
                     b"3,c,p,2024-01-02,2,2.5\r\n4,c,p,2024-01-02,1,2,surplus\n")
    report = ingest(ws, [path])
    assert (report.rows_in, report.rows_loaded, report.rows_quarantined) == (4, 3, 1)
    # values carry no stray carriage return, and a surplus field is still caught
    assert ws.warehouse().con.execute("SELECT sum(quantity * unit_price) FROM orders").fetchone()[0] == 9.0
    assert [(line, reason) for line, reason, _ in quarantined(ws)] == [(5, "malformed_line")]
    assert loaded_lines(ws) == [2, 3, 4]


def test_3mb_field_in_first_line_is_read(ws, tmp_path):
    big = "x" * 3_000_000
    path = write(tmp_path / "big.csv", "order_id,customer_id,product_id,name,ordered_at,quantity,unit_price\n"
                 f"1,c,p,{big},2024-01-01,1,2\n2,c,q,mug,2024-01-02,1,3\n")
    report = ingest(ws, [path])
    assert (report.rows_in, report.rows_loaded, report.rows_quarantined) == (2, 2, 0)
    assert ws.warehouse().con.execute("SELECT list(length(name) ORDER BY source_line) FROM orders").fetchone()[0] \
        == [3_000_000, 3]


def test_nul_in_header_exits_2_naming_the_file(run, tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(b"order_id,customer_id,prod\x00uct_id,ordered_at,quantity,unit_price\n1,c,p,2024-01-01,1,2\n")
    code, _, err = run("ingest", str(path))
    assert code == 2
    assert f"error: {path}: the header line holds a NUL byte" in err


def test_utf16le_without_bom_exits_2_naming_the_file(run, tmp_path):
    path = tmp_path / "u16.csv"
    path.write_bytes((HEADER + "1,c,p,2024-01-01,1,2\n").encode("utf-16-le"))
    code, _, err = run("ingest", str(path))
    assert code == 2
    assert f"error: {path}: looks like UTF-16 text without a byte-order mark" in err
    # with the byte-order mark the same text loads
    path.write_bytes((HEADER + "1,c,p,2024-01-01,1,2\n").encode("utf-16"))
    code, out, _ = run("ingest", str(path))
    assert code == 0 and "1 in = 1 loaded + 0 quarantined" in out


def test_header_only_file_loads_zero_rows_and_the_batch_goes_on(run, tmp_path):
    empty = write(tmp_path / "empty.csv", HEADER)
    full = write(tmp_path / "full.csv", HEADER + "1,c,p,2024-01-01,1,2\n2,c,p,2024-01-02,1,2\n")
    code, out, _ = run("ingest", str(empty), str(full))
    assert code == 0
    assert "empty.csv: no rows (header only), nothing loaded from it" in out
    assert "2 in = 2 loaded + 0 quarantined" in out
    ws = Workspace(run.workspace, create=False)
    con = ws.warehouse().con
    assert con.execute("SELECT list(source_file || ':' || rows_in ORDER BY source_file) FROM batches").fetchone()[0] \
        == [f"{empty}:0", f"{full}:2"]


def _has_open(pid: int, path: Path) -> bool:
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}") == str(path) for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:  # the process is gone, or a descriptor closed while we looked
        return False


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs /proc to see when the file is being read")
def test_sigint_during_ingest_exits_130_and_loads_nothing(ws, tmp_path):
    ingest(ws, [write(tmp_path / "first.csv", HEADER + "1,c,p,2024-01-01,1,2\n")])
    big = tmp_path / "big.csv"
    ws.warehouse().con.execute(
        f"COPY (SELECT i AS order_id, 'c' || (i % 5000) AS customer_id, 'p' || (i % 300) AS product_id, "
        f"DATE '2024-01-01' + (i % 300)::INT AS ordered_at, 1 + i % 5 AS quantity, 1 + (i % 50) / 4 AS unit_price "
        f"FROM range(2, 1000002) t(i)) TO '{big}' (HEADER)")
    ws.warehouse().close()
    before = sorted(str(p.relative_to(ws.root)) for p in ws.root.rglob("*"))
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"))
    proc = subprocess.Popen([sys.executable, "-m", "shopmine.cli", "--workspace", str(ws.root), "ingest", str(big)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 120
    while not _has_open(proc.pid, big) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)  # well into reading the million lines
    assert proc.poll() is None, "the ingest ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted, nothing loaded" in err and "Query interrupted" not in err
    con = ws.warehouse().con
    assert [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("orders", "batches", "quarantine")] \
        == [1, 1, 0]
    ws.warehouse().close()
    assert sorted(str(p.relative_to(ws.root)) for p in ws.root.rglob("*")) == before  # no part file left


def test_nan_and_inf_costs_in_a_products_file_are_quarantined(ws, tmp_path):
    orders = write(tmp_path / "o.csv", HEADER + "1,c,p1,2024-01-01,1,2\n")
    products = write(tmp_path / "products.csv", "product_id,name,unit_cost,list_price\n"
                     "p1,Mug,1.5,3\np2,Cup,NaN,3\np3,Pot,1,inf\np4,Pan,cheap,3\n")
    report = ingest(ws, [orders], products=[products])
    [prod] = [f for f in report.files if f.kind == "products"]
    assert (prod.rows_in, prod.rows_loaded, prod.rows_quarantined) == (4, 1, 3)
    rows = ws.warehouse().con.execute(
        "SELECT source_line, reason, detail FROM quarantine WHERE source_file LIKE '%products.csv' "
        "ORDER BY source_line").fetchall()
    assert rows == [(3, "non_finite_number", "unit_cost NaN is not a finite number"),
                    (4, "non_finite_number", "list_price inf is not a finite number"),
                    (5, "unparseable_number", "unit_cost cheap")]
