"""Issue 10, item 8 (second half): `shopmine batches list|remove BATCH` takes a batch out again,
atomically, so that a corrected re-ingest of the same file loads."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from shopmine.errors import ShopmineInputError
from shopmine.ingest import IngestOptions, ingest, list_batches, remove_batch
from shopmine.workspace import Workspace

HEADER = "order_id,customer_id,product_id,ordered_at,quantity,unit_price\n"
# Day and month both <= 12: read as D/M/Y with the wrong --date-format the dates are wrong, not rejected.
SLASHED = HEADER + "1,c1,p1,03/02/2024,1,2\n2,c2,p2,04/02/2024,2,5\n3,c3,p3,05/02/2024,1,2\n4,c3,,05/02/2024,1,2\n"

MONTH_FIRST = IngestOptions(date_format="%m/%d/%Y")


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def counts(ws) -> dict[str, int]:
    con = ws.warehouse().con
    tables = ("orders", "quarantine", "batches", "line_keys", "key_batches", "order_parts", "products", "customers")
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def part_files(ws) -> list[str]:
    folder = ws.warehouse().parts.folder
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_batches_list_shows_each_batch(ws, tmp_path):
    files = [write(tmp_path / "a.csv", SLASHED), write(tmp_path / "b.csv", HEADER + "9,c9,p9,03/01/2024,1,1\n")]
    first = ingest(ws, files, options=MONTH_FIRST)
    second = ingest(ws, [write(tmp_path / "c.csv", HEADER + "8,c8,p8,2024-03-02,1,1\n")])
    frame = list_batches(ws.warehouse())
    assert frame["batch_id"].tolist() == [first.batch_id, second.batch_id]
    assert frame["files"].tolist() == [2, 1]
    assert frame["rows_in"].tolist() == [5, 1]
    assert frame["rows_loaded"].tolist() == [4, 1]
    assert frame["rows_quarantined"].tolist() == [1, 0]
    assert frame["pseudonymized"].tolist() == [False, False]
    assert frame["ingested_at"].notna().all()
    # A workspace is pseudonymised from its first file on (mixing is refused): its batches say so.
    private = Workspace(tmp_path / "private")
    ingest(private, [write(tmp_path / "d.csv", HEADER + "7,c7,p7,2024-03-03,1,1\n")],
           options=IngestOptions(pseudonymize=True))
    assert list_batches(private.warehouse())["pseudonymized"].tolist() == [True]


def test_batches_remove_takes_out_parts_quarantine_keys_and_rows(ws, tmp_path):
    keep = ingest(ws, [write(tmp_path / "keep.csv", HEADER + "9,c9,p9,2024-03-01,1,1\n")])
    before = counts(ws)
    kept_parts = part_files(ws)
    gone = ingest(ws, [write(tmp_path / "a.csv", SLASHED)], options=MONTH_FIRST)
    assert counts(ws)["orders"] == 4
    removed = remove_batch(ws.warehouse(), gone.batch_id)
    assert removed == {"order_parts": 1, "quarantine": 1, "batches": 1, "products_file": 0, "customers_file": 0,
                       "line_keys": 3, "part_files": 1}
    assert counts(ws) == before
    assert part_files(ws) == kept_parts
    assert list_batches(ws.warehouse())["batch_id"].tolist() == [keep.batch_id]
    ws.warehouse().close()
    assert counts(ws) == before  # and so it stays when opened again


def test_a_corrected_reingest_after_remove_loads_again(ws, tmp_path):
    path = write(tmp_path / "feb.csv", SLASHED)
    wrong = ingest(ws, [path], options=MONTH_FIRST)
    assert ws.warehouse().con.execute("SELECT min(ordered_at)::DATE::VARCHAR FROM orders").fetchone()[0] == "2024-03-02"
    skipped = ingest(ws, [path], options=IngestOptions(date_format="%d/%m/%Y"))
    assert skipped.files[0].status == "skipped"  # the same bytes: without remove, nothing changes
    remove_batch(ws.warehouse(), wrong.batch_id)
    fixed = ingest(ws, [path], options=IngestOptions(date_format="%d/%m/%Y"))
    assert (fixed.files[0].status, fixed.rows_loaded, fixed.rows_quarantined) == ("loaded", 3, 1)
    assert ws.warehouse().con.execute(
        "SELECT list(ordered_at::DATE::VARCHAR ORDER BY order_id) FROM orders").fetchone()[0] == \
        ["2024-02-03", "2024-02-04", "2024-02-05"]


def test_batches_remove_of_an_unknown_batch_is_refused(ws, tmp_path):
    first = ingest(ws, [write(tmp_path / "a.csv", HEADER + "9,c9,p9,2024-03-01,1,1\n")])
    with pytest.raises(ShopmineInputError, match=f"'nope' is not a batch of this workspace; the batches are: "
                                                 f"{first.batch_id}"):
        remove_batch(ws.warehouse(), "nope")
    assert counts(ws)["orders"] == 1


def test_batches_remove_takes_out_attribute_files_too(ws, tmp_path):
    orders = write(tmp_path / "o.csv", HEADER + "9,c9,p9,2024-03-01,1,1\n")
    products = write(tmp_path / "p.csv", "product_id,name,category\np9,Mug,kitchen\n")
    report = ingest(ws, [orders], products=[products])
    con = ws.warehouse().con
    assert con.execute("SELECT category FROM products").fetchall() == [("kitchen",)]
    removed = remove_batch(ws.warehouse(), report.batch_id)
    assert (removed["products_file"], removed["batches"]) == (1, 2)
    assert counts(ws)["products"] == 0 and counts(ws)["orders"] == 0


def test_batches_cli_list_and_remove(run, tmp_path):
    path = write(tmp_path / "feb.csv", SLASHED)
    assert run("ingest", "--date-format", "%m/%d/%Y", str(path))[0] == 0
    code, out, _ = run("batches", "list")
    assert code == 0
    (batch,) = re.findall(r"\d{8}T\d{6}-[0-9a-f]{6}", out)
    row = rf"{batch} │ \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d │ +1 │ orders +│ +4 │ +3 │ +1 │ +no │"
    assert re.search(row, out), out
    code, out, _ = run("batches", "remove", batch)
    assert code == 0 and f"removed batch {batch}: 1 file(s), 1 part file(s), 3 order line(s), " \
                         "1 quarantined row(s)." in out
    code, out, _ = run("batches", "list")
    assert code == 0 and "no batches yet" in out
    code, _, err = run("batches", "remove", batch)
    assert code == 2 and f"batch_id {batch!r} is not a batch of this workspace" in err


@pytest.mark.parametrize("point", ["remove_before_commit", "remove_after_commit"])
def test_a_remove_killed_midway_leaves_the_workspace_as_before_or_as_after(ws, tmp_path, point):
    keep = ingest(ws, [write(tmp_path / "keep.csv", HEADER + "9,c9,p9,2024-03-01,1,1\n")])
    kept_parts = part_files(ws)
    kept = counts(ws)
    gone = ingest(ws, [write(tmp_path / "a.csv", SLASHED)], options=MONTH_FIRST)
    before, parts_before = counts(ws), part_files(ws)
    ws.warehouse().close()
    env = dict(os.environ, SHOPMINE_FAULT=point)
    proc = subprocess.run([sys.executable, "-m", "shopmine.cli", "--workspace", str(ws.root), "batches", "remove",
                           gone.batch_id], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == -9, proc.stderr
    if point == "remove_before_commit":  # nothing happened
        assert counts(ws) == before and part_files(ws) == parts_before
    else:  # committed: the part left behind is an orphan, swept at this open
        assert counts(ws) == kept and part_files(ws) == kept_parts
    assert keep.batch_id in list_batches(ws.warehouse())["batch_id"].tolist()
