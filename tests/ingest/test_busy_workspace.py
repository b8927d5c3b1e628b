"""Two real processes on one workspace: a second writer, or a writer beside a reader, waits for the
lock or fails with the busy message (exit 1), never with DuckDB's lock error, and nothing is lost.

The first process holds the lock at the ``workspace_locked`` point until the test creates a "go"
file (``SHOPMINE_PAUSE`` / ``SHOPMINE_PAUSE_UNTIL``), so the overlap does not depend on timing; a
second process is known to wait once it has ``<workspace>/.lock`` open.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shopmine.errors import ShopmineRunError
from shopmine.ingest import ingest
from shopmine.shop import Shop
from shopmine.workspace import Workspace
from shopmine.workspace_lock import HOLDERS_NAME, LOCK_NAME, WorkspaceBusyError

pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(),
                                reason="telling that a process waits reads /proc/PID/fd (Linux)")

SRC = Path(__file__).resolve().parents[2] / "src"
HEADER = "order_id,customer_id,product_id,ordered_at,quantity,unit_price\n"
A_LINES = "1,c1,p1,2024-01-01,1,2\n2,c2,p2,2024-01-02,2,3\n"  # 2 in, 2 loaded
B_LINES = "3,c1,p1,2024-01-03,1,2\n4,c2,p2,2024-01-04,x,3\n5,c3,p1,2024-01-05,1,2\n"  # 3 in, 2 + 1 quarantined


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(HEADER + A_LINES)
    b.write_text(HEADER + B_LINES)
    return a, b


def start(root: Path, *args, go: Path | None = None, timeout: int = 120) -> subprocess.Popen:
    """``shopmine --workspace ROOT ARGS`` in its own process; with ``go`` it holds the lock until ``go`` exists."""
    env = dict(os.environ, PYTHONPATH=str(SRC), SHOPMINE_BUSY_TIMEOUT_SECONDS=str(timeout))
    env.pop("SHOPMINE_PAUSE", None)
    if go is not None:
        env.update(SHOPMINE_PAUSE="workspace_locked:120", SHOPMINE_PAUSE_UNTIL=str(go))
    return subprocess.Popen([sys.executable, "-m", "shopmine.cli", "--workspace", str(root), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_for(condition, proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 120
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"the process ended before {what}: {proc.communicate()}")
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.02)


def holds(root: Path, proc: subprocess.Popen) -> bool:
    return (root / HOLDERS_NAME / f"{proc.pid}.json").exists()


def waits(root: Path, proc: subprocess.Popen) -> bool:
    """The process has the lock file open (while another holds the lock: it is waiting)."""
    fds = Path(f"/proc/{proc.pid}/fd")
    try:
        return any(os.readlink(fd) == str(root / LOCK_NAME) for fd in fds.iterdir())
    except OSError:  # a descriptor closed while listing
        return False


def finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=180)
    return proc.returncode, out, err


def batches(ws: Workspace) -> list[tuple]:
    warehouse = ws.warehouse(read_only=True)
    try:
        rows = warehouse.con.execute("SELECT source_file, rows_in, rows_loaded, rows_quarantined FROM batches "
                                     "ORDER BY ingested_at").fetchall()
        stored = [warehouse.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("orders", "quarantine")]
    finally:
        ws.close()
    return [(Path(f).name, *counts) for f, *counts in rows] + [tuple(stored)]


def assert_busy(err: str, root: Path, task: str, pid: int) -> None:
    assert f"error: the workspace {root} is busy ({task} since " in err, err
    assert f", process {pid}); waited " in err and "try again when it finishes" in err, err
    assert "IOException" not in err and "Could not set lock" not in err and "Traceback" not in err, err


def test_second_ingest_waits_for_the_first_and_both_files_load(ws, files, tmp_path):
    go = tmp_path / "go"
    first = start(ws.root, "ingest", files[0], go=go)
    wait_for(lambda: holds(ws.root, first), first, "the first ingest holds the lock")
    second = start(ws.root, "ingest", files[1])
    wait_for(lambda: waits(ws.root, second), second, "the second ingest waits")
    go.touch()
    assert finish(first)[0] == 0
    code, out, err = finish(second)
    assert code == 0, err
    assert "3 in = 2 loaded + 1 quarantined" in out
    # rows in = loaded + quarantined, file by file and in the tables
    assert batches(ws) == [("a.csv", 2, 2, 0), ("b.csv", 3, 2, 1), (4, 1)]


def test_second_ingest_is_refused_with_the_busy_message_and_loads_later(ws, files, tmp_path):
    go = tmp_path / "go"
    first = start(ws.root, "ingest", files[0], go=go)
    wait_for(lambda: holds(ws.root, first), first, "the first ingest holds the lock")
    code, out, err = finish(start(ws.root, "ingest", files[1], timeout=1))
    assert code == 1
    assert_busy(err, ws.root, "ingest of a.csv", first.pid)
    go.touch()
    assert finish(first)[0] == 0
    assert batches(ws) == [("a.csv", 2, 2, 0), (2, 0)]  # the refused file left nothing behind
    assert ingest(ws, [files[1]]).rows_loaded == 2
    assert batches(ws) == [("a.csv", 2, 2, 0), ("b.csv", 3, 2, 1), (4, 1)]


def test_ingest_while_quality_reads_is_refused_and_readers_share(ws, files, tmp_path):
    ingest(ws, [files[0]])
    go = tmp_path / "go"
    reader = start(ws.root, "quality", go=go)
    wait_for(lambda: holds(ws.root, reader), reader, "quality holds the lock")
    # A second reader does not wait (timeout 0) while the first still reads.
    code, out, err = finish(start(ws.root, "batches", "list", timeout=0))
    assert code == 0 and "orders" in out, err
    assert reader.poll() is None
    code, _, err = finish(start(ws.root, "ingest", files[1], timeout=1))
    assert code == 1
    assert_busy(err, ws.root, "quality", reader.pid)
    go.touch()
    assert finish(reader)[0] == 0
    assert batches(ws) == [("a.csv", 2, 2, 0), (2, 0)]


def test_ingest_while_report_reads_is_refused_and_loads_once_the_report_is_gone(ws, files, tmp_path):
    ingest(ws, [files[0]])
    reader = start(ws.root, "report", go=tmp_path / "never")
    wait_for(lambda: holds(ws.root, reader), reader, "report holds the lock")
    code, _, err = finish(start(ws.root, "ingest", files[1], timeout=1))
    assert code == 1
    assert_busy(err, ws.root, "report", reader.pid)
    # The report is not needed further (it is slow): killed, its shared lock goes with it.
    reader.kill()
    reader.communicate(timeout=60)
    assert ingest(Workspace(ws.root, {"busy_timeout_seconds": 0}), [files[1]]).rows_loaded == 2
    assert batches(ws) == [("a.csv", 2, 2, 0), ("b.csv", 3, 2, 1), (4, 1)]


def test_quality_waits_for_an_ingest_and_sees_its_lines(ws, files, tmp_path):
    go, metrics = tmp_path / "go", tmp_path / "quality.json"
    writer = start(ws.root, "ingest", files[1], go=go)
    wait_for(lambda: holds(ws.root, writer), writer, "the ingest holds the lock")
    reader = start(ws.root, "quality", "--output", metrics)
    wait_for(lambda: waits(ws.root, reader), reader, "quality waits")
    go.touch()
    assert finish(writer)[0] == 0
    code, _, err = finish(reader)
    assert code == 0, err
    seen = json.loads(metrics.read_text())
    assert (seen["rows_in"], seen["rows_loaded"], seen["rows_quarantined"]) == (3, 2, 1)


def test_library_ingest_raises_workspace_busy_naming_the_reader(ws, files, tmp_path):
    go = tmp_path / "go"
    reader = start(ws.root, "quality", go=go)
    wait_for(lambda: holds(ws.root, reader), reader, "quality holds the lock")
    shop = Shop(Workspace(ws.root, {"busy_timeout_seconds": 0}))
    with pytest.raises(WorkspaceBusyError, match=r"is busy \(quality since .*, process \d+\)") as caught:
        shop.ingest([files[0]])
    assert isinstance(caught.value, ShopmineRunError)
    assert [(h.pid, h.task, h.exclusive) for h in caught.value.holders] == [(reader.pid, "quality", False)]
    go.touch()
    finish(reader)
    assert shop.ingest([files[0]]).rows_loaded == 2


def test_a_killed_holder_does_not_block(ws, files, tmp_path):
    holder = start(ws.root, "ingest", files[0], go=tmp_path / "never")
    wait_for(lambda: holds(ws.root, holder), holder, "the ingest holds the lock")
    holder.kill()  # SIGKILL: no cleanup, its holder record stays behind
    holder.communicate(timeout=60)
    assert (ws.root / HOLDERS_NAME / f"{holder.pid}.json").exists()
    quick = Workspace(ws.root, {"busy_timeout_seconds": 0})
    assert ingest(quick, [files[1]]).rows_loaded == 2
    assert not (ws.root / HOLDERS_NAME / f"{holder.pid}.json").exists()  # the next writer cleared it
    assert batches(quick) == [("b.csv", 3, 2, 1), (2, 1)]
