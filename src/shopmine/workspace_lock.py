"""Readers and writers of a workspace: one lock, shared by readers, exclusive for a writer.

DuckDB lets one process write a database file, or any number of processes read it, never both:
a second process opening the file meets DuckDB's own file lock and gets an ``IOException``
("Could not set lock on file"). So every opening of the warehouse first takes this lock on
``<workspace>/.lock`` (``fcntl.flock``: shared for a command that only reads, exclusive for one that
writes), waiting up to the ``busy_timeout_seconds`` setting; after that the command fails with
:class:`WorkspaceBusyError`, which names the holder: "the workspace is busy (ingest of FILE since
TIME, process PID)".

Who holds the lock is written to ``<workspace>/.lock.holders/<pid>.json`` (a reader shares the lock
with other readers, so each process writes its own record). The records only inform: the kernel
releases a ``flock`` when its process dies, so a killed ingest never blocks the next one, and its
record is ignored (its process is gone) and deleted by the next writer.

Within one process the lock is taken once per workspace and counted: DuckDB shares one database
instance between the connections of a process, and refuses a read-only connection beside a
read-write one ("different configuration"). So a process that already writes opens its readers
read-write too; a process that already reads cannot start writing until its readers are closed.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import gc
import json
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from shopmine.errors import ShopmineRunError
from shopmine.faults import fault_point

LOCK_NAME = ".lock"
HOLDERS_NAME = ".lock.holders"
_POLL_SECONDS = 0.1


@dataclass(frozen=True)
class Holder:
    """A process holding the lock: what it does, since when (UTC), its id and mode."""

    pid: int
    task: str
    since: str
    exclusive: bool

    def describe(self) -> str:
        return f"{self.task} since {self.since}, process {self.pid}"


class WorkspaceBusyError(ShopmineRunError):
    """Another process writes the workspace (or reads it while this one wants to write).

    Attributes
    ----------
    holders : list of Holder
        The processes that held the lock when the wait ended (empty when they could not be told).
    """

    def __init__(self, root: Path, holders: list[Holder], waited: float, hint: str = ""):
        self.root = root
        self.holders = holders
        self.waited = waited
        who = "; ".join(h.describe() for h in holders) or "another process"
        super().__init__(f"the workspace {root} is busy ({who}); "
                         + (hint or f"waited {waited:g} s; try again when it finishes "
                                    "(or raise the busy_timeout_seconds setting)."))


@dataclass
class _Held:
    fd: int
    exclusive: bool
    count: int
    record: Path


_HELD: dict[Path, _Held] = {}
_GUARD = threading.Lock()


class Lease:
    """One taking of the lock; :meth:`release` once (later calls do nothing)."""

    def __init__(self, root: Path, exclusive: bool):
        self.root = root
        self.exclusive = exclusive  # what this process holds: a writer's readers read-write too
        self._released = False

    def release(self) -> None:
        with _GUARD:
            if self._released:
                return
            self._released = True
            held = _HELD.get(self.root)
            if held is None:
                return
            held.count -= 1
            if held.count == 0:
                del _HELD[self.root]
                held.record.unlink(missing_ok=True)
                fcntl.flock(held.fd, fcntl.LOCK_UN)
                os.close(held.fd)


def default_task() -> str:
    """What a process that did not say what it does is doing: the script it runs."""
    script = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    return f"Python session ({script or 'python'})"


def acquire(root: str | Path, *, exclusive: bool, task: str | None = None, timeout: float = 30.0) -> Lease:
    """Take the workspace lock, waiting up to ``timeout`` seconds.

    Parameters
    ----------
    root : path
        The workspace folder.
    exclusive : bool
        True to write (no other holder), False to read (other readers allowed).
    task : str, optional
        What this process does, for the busy message of others ("ingest of orders.csv").
    timeout : float, default=30.0
        Seconds to wait for the holders to finish; 0 tries once.

    Returns
    -------
    Lease
        ``lease.exclusive`` tells the mode this process holds (True when it already writes).

    Raises
    ------
    WorkspaceBusyError
        The lock was not free within ``timeout``, or this process reads the workspace and asks to write.
    """
    root = Path(root).resolve()
    if exclusive and root in _HELD and not _HELD[root].exclusive:
        gc.collect()  # readers this process dropped but did not close yet release their lock when collected
    with _GUARD:
        held = _HELD.get(root)
        if held is not None:
            if exclusive and not held.exclusive:
                raise WorkspaceBusyError(
                    root, [h for h in read_holders(root) if h.pid == os.getpid()], 0.0,
                    "this process still reads it: close its readers (Shop.close() or Workspace.close()) "
                    "before writing.")
            held.count += 1
            return Lease(root, held.exclusive)
    fd = os.open(root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    started = time.monotonic()
    try:
        while True:
            try:
                fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - started
                if waited >= timeout:
                    raise WorkspaceBusyError(root, read_holders(root), round(waited, 1)) from None
                time.sleep(min(_POLL_SECONDS, max(timeout - waited, 0.0)))
    except BaseException:
        os.close(fd)
        raise
    record = _write_record(root, task or default_task(), exclusive)
    with _GUARD:
        _HELD[root] = _Held(fd, exclusive, 1, record)
    # A test holds the lock here a while (SHOPMINE_PAUSE=workspace_locked:SECONDS) to make two
    # processes overlap for certain.
    fault_point("workspace_locked")
    return Lease(root, exclusive)


def read_holders(root: str | Path) -> list[Holder]:
    """The recorded holders whose process is alive, writers first."""
    folder = Path(root) / HOLDERS_NAME
    holders = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            holder = Holder(int(data["pid"]), str(data["task"]), str(data["since"]), bool(data["exclusive"]))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # being written or removed right now, or not ours
        if process_alive(holder.pid):
            holders.append(holder)
    return sorted(holders, key=lambda h: (not h.exclusive, h.since, h.pid))


def _write_record(root: Path, task: str, exclusive: bool) -> Path:
    folder = root / HOLDERS_NAME
    folder.mkdir(exist_ok=True)
    if exclusive:
        # No one else holds the lock: any record left is a killed process's.
        for stale in folder.glob("*.json"):
            stale.unlink(missing_ok=True)
    since = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    record = folder / f"{os.getpid()}.json"
    tmp = folder / f".{os.getpid()}.json.tmp"
    tmp.write_text(json.dumps({"pid": os.getpid(), "task": task, "since": since, "exclusive": exclusive}),
                   encoding="utf-8")
    os.replace(tmp, record)  # readers of the record never see half of it
    return record


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (another user's process counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True
