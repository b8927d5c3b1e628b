"""Bad input: each case gives a clear message (exit 2 where the user must act) and loses no row."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys

import pytest

from shopmine.errors import ShopmineInputError
from shopmine.ingest import IngestOptions, ingest

HEADER = "order_id,customer_id,product_id,ordered_at,quantity,unit_price\n"


def write(path, text, encoding="utf-8"):
    path.write_text(text, encoding=encoding)
    return path


def count(ws, table="orders"):
    return ws.warehouse().con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_missing_required_column_exits_2_naming_column_and_map_flag(run, tmp_path):
    path = write(tmp_path / "o.csv", "order_id,customer_id,product_id,ordered_at,price\n1,c,p,2024-01-01,2\n")
    code, _, err = run("ingest", str(path))
    assert code == 2
    assert "quantity" in err and "--map quantity=COLUMN" in err and "o.csv" in err


def test_empty_file_exits_2(run, tmp_path):
    path = write(tmp_path / "empty.csv", "")
    code, _, err = run("ingest", str(path))
    assert code == 2 and "empty.csv" in err and "empty" in err


def test_missing_file_exits_2(run, tmp_path):
    code, _, err = run("ingest", str(tmp_path / "nope.csv"))
    assert code == 2 and "nope.csv" in err and "no such file" in err


def test_glob_matching_nothing_exits_2(run, tmp_path):
    code, _, err = run("ingest", str(tmp_path / "*.csv"))
    assert code == 2 and "no file matches" in err


def test_wrong_delimiter_names_the_problem(run, tmp_path):
    path = write(tmp_path / "semi.csv", HEADER.replace(",", ";") + "1;c;p;2024-01-01;1;2\n")
    code, _, err = run("ingest", str(path), "--delimiter", ",")
    assert code == 2
    assert "delimiter" in err and "--delimiter" in err


def test_semicolon_file_is_sniffed(run, tmp_path):
    path = write(tmp_path / "semi.csv", HEADER.replace(",", ";") + "1;c;p;2024-01-01;1;2\n")
    assert run("ingest", str(path))[0] == 0


def test_latin1_file_is_sniffed_and_loads(ws, tmp_path):
    path = write(tmp_path / "latin.csv", "order_id,customer_id,product_id,name,ordered_at,quantity,unit_price\n"
                                         "1,c,p,Café crème,2024-01-01,1,2\n", encoding="latin-1")
    ingest(ws, [path])
    assert ws.warehouse().con.execute("SELECT name FROM orders").fetchone()[0] == "Café crème"


def test_bad_bytes_for_the_given_encoding_are_quarantined(ws, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes((HEADER + "1,c,p,2024-01-01,1,2\n").encode() + b"2,caf\xe9,p,2024-01-01,1,2\n"
                     + b"3,c,p,2024-01-02,1,2\n")
    report = ingest(ws, [path], options=IngestOptions(encoding="utf-8"))
    assert (report.rows_in, report.rows_loaded, report.rows_quarantined) == (3, 2, 1)
    line, reason, detail = ws.warehouse().con.execute(
        "SELECT source_line, reason, detail FROM quarantine").fetchone()
    assert (line, reason) == (3, "invalid_encoding") and "set the file's encoding (e.g. latin-1)" in detail
    assert ws.warehouse().con.execute("SELECT list(source_line ORDER BY source_line) FROM orders").fetchone()[0] == [2, 4]


def test_garbage_numbers_and_dates_are_quarantined_and_the_run_continues(ws, tmp_path):
    path = write(tmp_path / "o.csv", HEADER +
                 "1,c,p,2024-01-01,1,2\n"
                 "2,c,p,2024-13-45,1,2\n"
                 "3,c,p,2024-01-02,lots,2\n"
                 "4,c,p,2024-01-02,1,cheap\n"
                 "5,c,,2024-01-02,1,2\n"
                 "6,c,p,,1,2\n"
                 "7,c,p,2024-01-03,1,0\n"
                 "8,c,p,2024-01-03,0,2\n"
                 "9,c,p,2024-01-03,2,1.5\n"
                 "10,c,p,2024-01-03,1,2,surplus\n")
    report = ingest(ws, [path])
    assert report.rows_in == 10 and report.rows_loaded == 2 and report.rows_quarantined == 8
    rows = ws.warehouse().con.execute(
        "SELECT source_line, reason, detail FROM quarantine ORDER BY source_line").fetchall()
    assert rows == [
        (3, "unparseable_date", "order date '2024-13-45'"),
        (4, "unparseable_number", "quantity 'lots'"),
        (5, "unparseable_number", "unit_price 'cheap'"),
        (6, "missing_product_id", "product id is empty"),
        (7, "missing_date", "order date is empty"),
        (8, "non_positive_price", "unit_price 0.0 on a product line"),
        (9, "zero_quantity", "quantity is 0"),
        (11, "malformed_line", rows[-1][2]),
    ]
    assert "too many columns" in rows[-1][2]
    assert ws.warehouse().con.execute("SELECT list(source_line ORDER BY source_line) FROM orders").fetchone()[0] == [2, 10]
    raw = ws.warehouse().con.execute("SELECT raw FROM quarantine WHERE source_line = 4").fetchone()[0]
    assert '"quantity":"lots"' in raw


def test_undecidable_date_column_asks_for_date_format(run, tmp_path):
    path = write(tmp_path / "o.csv", HEADER + "1,c,p,01/02/2024,1,2\n2,c,p,03/04/2024,1,2\n")
    code, _, err = run("ingest", str(path))
    assert code == 2 and "--date-format" in err and "'%m/%d/%Y'" in err
    assert run("ingest", str(path), "--date-format", "%d/%m/%Y")[0] == 0


def test_truncated_gzip_fails_cleanly_and_loads_nothing(run, tmp_path):
    good = write(tmp_path / "good.csv", HEADER + "1,c,p,2024-01-01,1,2\n")
    data = gzip.compress((HEADER + "".join(f"{i},c{i},p{i % 7},2024-01-01,1,2\n" for i in range(100_000))).encode())
    broken = tmp_path / "broken.csv.gz"
    broken.write_bytes(data[: len(data) // 2])
    code, _, err = run("ingest", str(good), str(broken))
    assert code == 2 and "broken.csv.gz" in err
    from shopmine.workspace import Workspace

    ws = Workspace(run.workspace)
    # The good file was in the same run: nothing of the run is kept.
    assert count(ws) == 0 and count(ws, "batches") == 0 and count(ws, "quarantine") == 0


def test_unknown_preset_and_bad_map_exit_2(run, tmp_path):
    path = write(tmp_path / "o.csv", HEADER + "1,c,p,2024-01-01,1,2\n")
    code, _, err = run("ingest", str(path), "--preset", "amazon")
    assert code == 2 and "online_retail" in err
    code, _, err = run("ingest", str(path), "--map", "price")
    assert code == 2 and "CANONICAL=SOURCE" in err
    code, _, err = run("ingest", str(path), "--map", "unit_price=Cost")
    assert code == 2 and "--map unit_price=Cost names a column the file does not have" in err
    code, _, err = run("ingest", str(path), "--timezone", "Mars/Olympus")
    assert code == 2 and "--timezone" in err


@pytest.mark.parametrize("point", ["after_part_written", "before_commit"])
def test_killed_process_leaves_workspace_as_before(ws, tmp_path, point):
    first = write(tmp_path / "first.csv", HEADER + "1,c,p,2024-01-01,1,2\n")
    ingest(ws, [first])
    ws.warehouse().close()
    second = write(tmp_path / "second.csv", HEADER + "".join(f"{i},c,p,2024-01-02,1,2\n" for i in range(2, 500)))
    env = dict(os.environ, SHOPMINE_FAULT=point)
    proc = subprocess.run([sys.executable, "-m", "shopmine.cli", "--workspace", str(ws.root), "ingest",
                           str(second)], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr  # SIGKILL
    con = ws.warehouse().con
    assert con.execute("SELECT count(*) FROM orders").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM batches").fetchone()[0] == 1
    # and the file can be loaded afterwards
    assert ingest(ws, [second]).rows_loaded == 498


def test_map_to_unknown_canonical_name_is_refused(ws, tmp_path):
    from shopmine.io.mapping import parse_map_options

    with pytest.raises(ShopmineInputError, match="'price' is not a canonical column"):
        parse_map_options(["price=Price"])
    assert parse_map_options(["unit_price=Price,quantity=Qty"]) == {"unit_price": "Price", "quantity": "Qty"}
