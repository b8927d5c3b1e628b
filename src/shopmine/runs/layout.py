"""Where runs live: ``<workspace>/runs/<analysis>/<run_id>/``, and the hidden folders beside them.

A run is written into ``.tmp-<run_id>-<pid>`` and renamed to ``<run_id>`` when complete; a run being
deleted is first renamed to ``.del-<run_id>-<pid>``. Readers look only at folders named like a run id,
so they never see a half-written or half-deleted run. Hidden folders left by a process that died
(SIGKILL, power cut) are removed by the next save once their process is gone or they are an hour old.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from shopmine.runs.ids import RUN_ID, check_analysis, check_run_id
from shopmine.workspace_lock import process_alive

RUNS_DIR = "runs"
METADATA_FILE = "metadata.json"
TABLES_DIR = "tables"
FIGURES_DIR = "figures"
#: A hidden folder older than this is removed even if its PID is alive again (PIDs are reused).
STALE_TEMP_SECONDS = 3600
_HIDDEN = re.compile(r"\.(?:tmp|del)-(?P<run>[^/]+)-(?P<pid>[0-9]+)")


def runs_root(workspace) -> Path:
    """``<workspace>/runs``."""
    return Path(workspace.root) / RUNS_DIR


def analysis_dir(workspace, analysis: str) -> Path:
    return runs_root(workspace) / check_analysis(analysis)


def temp_dir(workspace, analysis: str, run_id: str) -> Path:
    """The hidden folder a run is written into before it is renamed to its id."""
    return analysis_dir(workspace, analysis) / f".tmp-{run_id}-{os.getpid()}"


def doomed_dir(folder: Path) -> Path:
    """The hidden name a run folder takes while it is deleted."""
    return folder.with_name(f".del-{folder.name}-{os.getpid()}")


def run_folders(workspace, analysis: str | None = None) -> Iterator[Path]:
    """Every complete run folder (named like a run id), of one analysis or all."""
    root = runs_root(workspace)
    if not root.is_dir():
        return
    folders = [analysis_dir(workspace, analysis)] if analysis else sorted(p for p in root.iterdir() if p.is_dir())
    for folder in folders:
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir()):
            if RUN_ID.fullmatch(entry.name) and entry.is_dir():
                yield entry


def find_run(workspace, run_id: str) -> Path | None:
    """The folder of ``run_id`` whatever its analysis, or None."""
    check_run_id(run_id)
    root = runs_root(workspace)
    if not root.is_dir():
        return None
    for folder in root.iterdir():
        candidate = folder / run_id
        if candidate.is_dir():
            return candidate
    return None


def clean_leftovers(workspace, now: float | None = None) -> list[Path]:
    """Remove hidden folders of saves or deletes that died midway; return what was removed.

    A folder is a leftover when its process is gone, or when it is older than
    :data:`STALE_TEMP_SECONDS` (its PID may belong to another process by now).
    """
    root = runs_root(workspace)
    if not root.is_dir():
        return []
    now = time.time() if now is None else now
    removed = []
    for folder in root.iterdir():
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            match = _HIDDEN.fullmatch(entry.name)
            if not match or int(match["pid"]) == os.getpid():
                continue
            try:
                old = now - entry.stat().st_mtime > STALE_TEMP_SECONDS
            except FileNotFoundError:
                continue  # another process cleaned it first
            if old or not process_alive(int(match["pid"])):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    return removed
