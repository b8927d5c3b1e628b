"""The workspace lock inside one process, and the warehouse a reader opens.

Two processes are tested in ``tests/ingest/test_busy_workspace.py``.
"""

from __future__ import annotations

import json
import os

import duckdb
import pytest

from shopmine import workspace_lock
from shopmine.ingest import ingest
from shopmine.order_parts import sha256_file
from shopmine.workspace import Workspace
from shopmine.workspace_lock import HOLDERS_NAME, WorkspaceBusyError, acquire, read_holders

HEADER = "order_id,customer_id,product_id,ordered_at,quantity,unit_price\n"


def _record(root):
    return json.loads((root / HOLDERS_NAME / f"{os.getpid()}.json").read_text())


def test_a_writer_of_this_process_serves_its_readers_and_the_lock_goes_with_the_last(tmp_path):
    writer = acquire(tmp_path, exclusive=True, task="ingest of a.csv", timeout=0)
    reader = acquire(tmp_path, exclusive=False, timeout=0)
    assert reader.exclusive  # DuckDB allows one configuration per file and process: read-write
    assert _record(tmp_path)["task"] == "ingest of a.csv" and _record(tmp_path)["exclusive"] is True
    writer.release()
    writer.release()  # a second release does nothing
    assert [h.task for h in read_holders(tmp_path)] == ["ingest of a.csv"]
    reader.release()
    assert read_holders(tmp_path) == [] and tmp_path not in workspace_lock._HELD


def test_a_process_that_reads_cannot_start_writing(tmp_path):
    reader = acquire(tmp_path, exclusive=False, task="report", timeout=0)
    with pytest.raises(WorkspaceBusyError, match=r"is busy \(report since .*, process \d+\); this process still "
                                                 r"reads it: close its readers \(Shop.close\(\)"):
        acquire(tmp_path, exclusive=True, timeout=5)
    reader.release()
    acquire(tmp_path, exclusive=True, timeout=0).release()


def test_records_of_dead_processes_are_ignored(tmp_path):
    folder = tmp_path / HOLDERS_NAME
    folder.mkdir()
    # A pid above the kernel's maximum (4194304) never belongs to a live process.
    (folder / "9999999.json").write_text(json.dumps({"pid": 9999999, "task": "ingest of x.csv",
                                                     "since": "2026-01-01 00:00:00 UTC", "exclusive": True}))
    (folder / "bad.json").write_text("{half")
    assert read_holders(tmp_path) == []
    acquire(tmp_path, exclusive=True, timeout=0).release()  # and the writer deletes them
    assert list(folder.iterdir()) == []


def test_busy_message_names_every_holder_writers_first():
    holders = [workspace_lock.Holder(12, "ingest of a.csv", "2026-12-06 10:00:00 UTC", True),
               workspace_lock.Holder(13, "quality", "2026-12-06 10:00:05 UTC", False)]
    error = WorkspaceBusyError(workspace_lock.Path("/shops/ws"), holders, 30.0)
    assert str(error) == ("the workspace /shops/ws is busy (ingest of a.csv since 2026-12-06 10:00:00 UTC, "
                          "process 12; quality since 2026-12-06 10:00:05 UTC, process 13); waited 30 s; try again "
                          "when it finishes (or raise the busy_timeout_seconds setting).")


def test_a_reader_writes_nothing_to_the_warehouse(tmp_path):
    orders = tmp_path / "o.csv"
    orders.write_text(HEADER + "1,c,p,2024-01-01,1,2\n")
    ws = Workspace(tmp_path / "ws")
    reader = ws.warehouse(read_only=True)
    assert reader.has_orders() is False and not ws.warehouse_path.exists()  # a reader creates no file
    ws.close()
    ingest(ws, [orders])
    assert not ws.warehouse().is_open  # ingest let go of the writer's lock it took
    before = sha256_file(ws.warehouse_path)
    con = ws.warehouse(read_only=True).con
    assert con.execute("SELECT count(*) FROM orders").fetchone()[0] == 1
    with pytest.raises(duckdb.InvalidInputException, match="read-only mode"):
        con.execute("CREATE TABLE scratch AS SELECT 1")
    ws.close()
    assert sha256_file(ws.warehouse_path) == before
    ws.warehouse(read_only=True).con.execute("SELECT 1")
    ws.warehouse()  # a writer of the same workspace object closes the reader and reopens read-write
    assert ws.warehouse().con.execute("SELECT count(*) FROM orders").fetchone()[0] == 1
    ws.close()


def test_a_reader_upgrades_a_file_from_an_older_shopmine_once(tmp_path):
    orders = tmp_path / "o.csv"
    orders.write_text(HEADER + "1,c,p,2024-01-01,1,2\n2,c,p,2024-01-02,1,2\n")
    ws = Workspace(tmp_path / "ws")
    ingest(ws, [orders])
    con = ws.warehouse().con
    con.execute("DROP TABLE line_keys")  # as before line keys existed
    con.execute("DROP TABLE key_batches")
    ws.close()
    con = ws.warehouse(read_only=True).con
    assert con.execute("SELECT count(*) FROM line_keys").fetchone()[0] == 2
    assert con.execute("SELECT count(*) FROM orders").fetchone()[0] == 2
    ws.close()


def test_a_writer_in_this_process_closes_its_readers_and_they_reopen_after_it(tmp_path):
    from shopmine.shop import Shop

    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(HEADER + "1,c,p,2024-01-01,1,2\n")
    second.write_text(HEADER + "2,c,p,2024-01-02,3,2\n")
    ingest(Workspace(tmp_path / "ws"), [first])
    reader = Shop(tmp_path / "ws")
    assert reader.orders().count().execute() == 1
    assert reader.workspace.warehouse(read_only=True).is_open
    ingest(Workspace(tmp_path / "ws"), [second])  # another workspace object of this process writes
    assert not reader.workspace.warehouse(read_only=True).is_open  # closed for the writer
    assert reader.orders().count().execute() == 2  # reopened, sees the new batch
    reader.close()
