"""The orders table as Parquet part files: only parts listed by a committed batch are read, anything
else in the parts folder is an orphan deleted at the next open, and a killed run leaves no trace."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import duckdb
import pytest

from shopmine.ingest import ingest
from shopmine.shop import Shop
from shopmine.workspace import Workspace

HEADER = "order_id,customer_id,product_id,ordered_at,quantity,unit_price\n"


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def part_files(ws) -> list[str]:
    folder = ws.warehouse().parts.folder
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_each_loaded_file_is_one_part_and_the_view_lists_exactly_them(ws, tmp_path):
    first = ingest(ws, [write(tmp_path / "a.csv", HEADER + "1,c,p,2024-01-01,1,2\n2,c,p,2024-01-02,1,2\n")])
    second = ingest(ws, [write(tmp_path / "b.csv", HEADER + "3,c,q,2024-01-03,2,5\n")])
    con = ws.warehouse().con
    listed = con.execute("SELECT file, batch_id, rows FROM order_parts ORDER BY rowid").fetchall()
    assert [(b, r) for _, b, r in listed] == [(first.batch_id, 2), (second.batch_id, 1)]
    assert part_files(ws) == sorted(f for f, _, _ in listed)
    read = con.execute("SELECT DISTINCT parse_filename(filename) FROM read_parquet("
                       f"'{ws.warehouse().parts.folder}/*.parquet', filename = true)").fetchall()
    assert sorted(r[0] for r in read) == sorted(f for f, _, _ in listed)
    assert con.execute("SELECT list(order_id ORDER BY order_id) FROM orders").fetchone()[0] == ["1", "2", "3"]
    assert Shop(ws).orders().count().execute() == 3  # the view is an Ibis table like any other


def test_orphan_parts_are_deleted_at_open_and_never_read(ws, tmp_path):
    ingest(ws, [write(tmp_path / "a.csv", HEADER + "1,c,p,2024-01-01,1,2\n")])
    folder = ws.warehouse().parts.folder
    kept = part_files(ws)
    ws.warehouse().con.execute(f"COPY (SELECT * FROM orders) TO '{folder / 'orders-orphan.parquet'}'")
    (folder / ".orders-half-written.parquet.tmp").write_bytes(b"PAR1")
    (folder / "notes.txt").write_text("not ours")
    ws.warehouse().close()
    assert ws.warehouse().con.execute("SELECT count(*) FROM orders").fetchone()[0] == 1
    assert part_files(ws) == sorted(kept + ["notes.txt"])


@pytest.mark.parametrize("point", ["after_part_written", "before_commit"])
def test_kill_between_part_rename_and_commit_leaves_workspace_as_before(ws, tmp_path, point):
    ingest(ws, [write(tmp_path / "first.csv", HEADER + "1,c,p,2024-01-01,1,2\n")])
    before = part_files(ws)
    ws.warehouse().close()
    second = write(tmp_path / "second.csv", HEADER + "".join(f"{i},c,p,2024-01-02,1,2\n" for i in range(2, 50))
                   + "50,c,,2024-01-02,1,2\n")
    env = dict(os.environ, SHOPMINE_FAULT=point)
    proc = subprocess.run([sys.executable, "-m", "shopmine.cli", "--workspace", str(ws.root), "ingest",
                           str(second)], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr
    folder = ws.warehouse().parts.folder
    assert len([p for p in folder.iterdir() if p.name.startswith("orders-")]) == len(before) + 1  # the orphan
    con = ws.warehouse().con  # opening sweeps it
    assert part_files(ws) == before
    assert con.execute("SELECT count(*) FROM orders").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM order_parts").fetchone()[0] == 1
    report = ingest(ws, [second])
    assert (report.rows_loaded, report.rows_quarantined) == (48, 1)


def test_a_failed_run_leaves_no_part(ws, tmp_path):
    good = write(tmp_path / "good.csv", HEADER + "1,c,p,2024-01-01,1,2\n")
    bad = write(tmp_path / "bad.csv", "order_id,customer_id,product_id,ordered_at,price\n1,c,p,2024-01-01,2\n")
    with pytest.raises(ValueError, match="quantity"):
        ingest(ws, [good, bad])
    assert part_files(ws) == []
    assert ws.warehouse().con.execute("SELECT count(*) FROM orders").fetchone()[0] == 0


def test_files_with_different_extra_columns_share_one_view(ws, tmp_path):
    ingest(ws, [write(tmp_path / "a.csv", HEADER.strip() + ",Gift Wrap\n1,c,p,2024-01-01,1,2,yes\n")])
    ingest(ws, [write(tmp_path / "b.csv", HEADER.strip() + ",Coupon\n2,c,p,2024-01-02,1,2,SUMMER\n")])
    rows = ws.warehouse().con.execute("SELECT order_id, gift_wrap, coupon FROM orders ORDER BY 1").fetchall()
    assert rows == [("1", "yes", None), ("2", None, "SUMMER")]


def test_a_moved_workspace_reads_its_own_parts(tmp_path):
    old = Workspace(tmp_path / "old")
    ingest(old, [write(tmp_path / "a.csv", HEADER + "1,c,p,2024-01-01,1,2\n")])
    old.warehouse().close()
    shutil.move(tmp_path / "old", tmp_path / "new")
    con = Workspace(tmp_path / "new").warehouse().con
    assert con.execute("SELECT order_id FROM orders").fetchall() == [("1",)]


def test_a_warehouse_with_an_orders_table_is_migrated_to_a_part(tmp_path):
    ws = Workspace(tmp_path / "ws")
    con = duckdb.connect(str(ws.warehouse_path))
    con.execute("CREATE TABLE orders (order_id VARCHAR, product_id VARCHAR, quantity DOUBLE, source_line BIGINT)")
    con.execute("INSERT INTO orders VALUES ('1', 'p', 2, 2), ('2', 'q', 1, 3)")
    con.close()
    con = ws.warehouse().con
    assert con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = 'orders'").fetchone() \
        == ("VIEW",)
    assert con.execute("SELECT order_id, quantity FROM orders ORDER BY source_line").fetchall() == [("1", 2.0),
                                                                                                    ("2", 1.0)]
    assert part_files(ws) == ["orders-migrated.parquet"]


def test_a_missing_committed_part_is_named_at_open(ws, tmp_path):
    from shopmine.errors import ShopmineRunError

    ingest(ws, [write(tmp_path / "a.csv", HEADER + "1,c,p,2024-01-01,1,2\n")])
    part = ws.warehouse().parts.committed(ws.warehouse().con)[0]
    ws.warehouse().close()
    part.unlink()
    batch = part.name.removeprefix("orders-").rsplit("-", 1)[0]
    with pytest.raises(ShopmineRunError, match=f"{part} of batch {batch} is missing: .* Restore .* from a backup"):
        ws.warehouse().has_orders()
