"""Issue 10, item 9: each order part file's size, row count and sha256 are recorded; opening checks
size and footer row count, ``quality --verify`` the full hash, and a mismatch names the part, its
batch and how to recover."""

from __future__ import annotations

import hashlib

import duckdb
import pytest

from shopmine.errors import ShopmineRunError
from shopmine.ingest import ingest, remove_batch
from shopmine.quality import quality_report

HEADER = "order_id,customer_id,product_id,ordered_at,quantity,unit_price\n"


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def lines(first: int, n: int) -> str:
    return HEADER + "".join(f"{i},c{i % 7},p{i % 5},2024-01-{1 + i % 28:02d},{1 + i % 3},{2 + i % 4}.5\n"
                            for i in range(first, first + n))


def part_of(ws, batch_id):
    (name,) = ws.warehouse().con.execute("SELECT file FROM order_parts WHERE batch_id = ?", [batch_id]).fetchone()
    return ws.warehouse().parts.folder / name


def test_each_part_records_its_size_rows_and_sha256(ws, tmp_path):
    report = ingest(ws, [write(tmp_path / "a.csv", lines(1, 30))])
    part = part_of(ws, report.batch_id)
    recorded = ws.warehouse().con.execute("SELECT rows, bytes, sha256 FROM order_parts").fetchall()
    assert recorded == [(30, part.stat().st_size, hashlib.sha256(part.read_bytes()).hexdigest())]


def test_a_flipped_bit_in_a_part_is_caught_by_quality_verify(ws, tmp_path, run):
    first = ingest(ws, [write(tmp_path / "a.csv", lines(1, 200))])
    ingest(ws, [write(tmp_path / "b.csv", lines(1000, 50))])
    part = part_of(ws, first.batch_id)
    ws.warehouse().close()
    data = bytearray(part.read_bytes())
    data[len(data) // 3] ^= 0x10  # same size, same footer
    part.write_bytes(bytes(data))
    assert ws.warehouse().con.execute("SELECT count(*) FROM order_parts").fetchone()[0] == 2  # opens
    with pytest.raises(ShopmineRunError, match=rf"order part file {part} of batch {first.batch_id} has the recorded "
                                               r"size and row count but not its sha256: .*from a backup, or take the "
                                               rf"batch out with `shopmine batches remove {first.batch_id}`"):
        quality_report(ws.warehouse(), verify=True)
    ws.warehouse().close()
    code, out, err = run("quality", "--verify")
    assert code == 1 and f"{part.name} of batch {first.batch_id} has the recorded size" in err


def test_quality_verify_passes_on_untouched_parts(run, tmp_path):
    assert run("ingest", str(write(tmp_path / "a.csv", lines(1, 20))))[0] == 0
    assert run("ingest", str(write(tmp_path / "b.csv", lines(100, 20))))[0] == 0
    code, out, _ = run("quality", "--verify")
    assert code == 0 and "All 2 order part file(s) match their checksums" in out


def test_a_truncated_part_is_caught_at_open(ws, tmp_path):
    report = ingest(ws, [write(tmp_path / "a.csv", lines(1, 100))])
    part = part_of(ws, report.batch_id)
    size = part.stat().st_size
    ws.warehouse().close()
    with open(part, "r+b") as fh:
        fh.truncate(size - 100)
    with pytest.raises(ShopmineRunError, match=rf"{part} of batch {report.batch_id} has {size - 100:,} bytes "
                                               rf"instead of {size:,}: it was changed or removed outside shopmine"):
        ws.warehouse().con


def test_two_part_files_swapped_are_caught_at_open(ws, tmp_path):
    small = ingest(ws, [write(tmp_path / "a.csv", lines(1, 10))])
    large = ingest(ws, [write(tmp_path / "b.csv", lines(100, 300))])
    a, b = part_of(ws, small.batch_id), part_of(ws, large.batch_id)
    ws.warehouse().close()
    tmp = a.with_name("swap")
    a.rename(tmp), b.rename(a), tmp.rename(b)
    with pytest.raises(ShopmineRunError, match=rf"{a} of batch {small.batch_id} has [\d,]+ bytes instead of"):
        ws.warehouse().con


def test_a_part_with_other_rows_but_the_same_size_is_caught_by_its_footer(ws, tmp_path):
    report = ingest(ws, [write(tmp_path / "a.csv", lines(1, 10))])
    part = part_of(ws, report.batch_id)
    # The bookkeeping says 11 rows for the part's 10 (the size check alone would pass).
    ws.warehouse().con.execute("UPDATE order_parts SET rows = 11")
    ws.warehouse().close()
    with pytest.raises(ShopmineRunError, match=rf"{part} of batch {report.batch_id} holds 10 rows instead of 11"):
        ws.warehouse().con


def test_a_workspace_without_checksums_gets_them_on_first_open(ws, tmp_path):
    report = ingest(ws, [write(tmp_path / "a.csv", lines(1, 40))])
    part = part_of(ws, report.batch_id)
    ws.warehouse().close()
    con = duckdb.connect(str(ws.warehouse_path))  # as an older shopmine left it
    con.execute("ALTER TABLE order_parts DROP COLUMN sha256")
    con.execute("ALTER TABLE order_parts DROP COLUMN bytes")
    con.close()
    recorded = ws.warehouse().con.execute("SELECT rows, bytes, sha256 FROM order_parts").fetchall()
    assert recorded == [(40, part.stat().st_size, hashlib.sha256(part.read_bytes()).hexdigest())]
    assert quality_report(ws.warehouse(), verify=True).metrics["parts_verified"] == 1


def test_a_damaged_batch_is_removed_and_its_file_ingested_again(ws, tmp_path):
    ingest(ws, [write(tmp_path / "a.csv", lines(1, 10))])
    damaged = ingest(ws, [write(tmp_path / "b.csv", lines(100, 30))])
    part = part_of(ws, damaged.batch_id)
    ws.warehouse().close()
    with open(part, "r+b") as fh:
        fh.truncate(50)
    with pytest.raises(ShopmineRunError, match="batches remove"):
        ws.warehouse().con
    ws.warehouse().close()
    remove_batch(ws.warehouse(), damaged.batch_id)
    assert ws.warehouse().con.execute("SELECT count(*) FROM orders").fetchone()[0] == 10
    again = ingest(ws, [tmp_path / "b.csv"])
    assert (again.rows_loaded, again.rows_quarantined) == (30, 0)
    assert quality_report(ws.warehouse(), verify=True).metrics["parts_verified"] == 2
