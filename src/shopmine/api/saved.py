"""The saved runs the API answers from, read without the warehouse and cached per run id.

The server never opens the warehouse: DuckDB lets one process write its file or many read it, never both,
so a server holding it open would stop ``shopmine ingest``. Every answer comes from run folders and the
model registry, which are plain files verified against their signed metadata.

A run never changes once saved (it appears whole by a rename, and is deleted by a rename), so what is read
from it is kept per run id. Which run is the latest is decided again whenever the analysis's folder changed
(its modification time moves when a run folder is renamed in or out): a new saved run is served by the next
request, with no restart and no listing per request.
"""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from shopmine.runs import layout
from shopmine.runs.ids import ANALYSIS
from shopmine.runs.integrity import RunIntegrityError, verify_file
from shopmine.runs.load import read_metadata

log = logging.getLogger("shopmine.api")
#: A folder's listing is kept once its last change is this old (nanoseconds).
SETTLED_NS = 1_000_000_000


class SavedRuns:
    """The saved runs of one workspace as the API reads them.

    Parameters
    ----------
    workspace : shopmine.workspace.Workspace
        Only its folder, signing key and registry are used; its warehouse is never opened.
    """

    def __init__(self, workspace):
        self.workspace = workspace
        self.key = workspace.signing_key()
        self._lock = threading.RLock()
        self._listings: dict[str, tuple[int, list[dict[str, Any]]]] = {}
        self._metadata: dict[str, dict[str, Any] | None] = {}
        self._cache: dict[tuple[str, str], Any] = {}
        self._building: dict[tuple[str, str], threading.Lock] = {}
        #: Set by a running :class:`~shopmine.api.warm.Warmer`: wakes it to load a new run now.
        self.wake: Callable[[], None] | None = None

    def _stamp(self, folder: Path) -> int:
        try:
            return folder.stat().st_mtime_ns
        except FileNotFoundError:
            return -1

    def _verified(self, folder: Path) -> dict[str, Any] | None:
        run_id = folder.name
        if run_id not in self._metadata:
            try:
                self._metadata[run_id] = read_metadata(folder, self.key)
            except RunIntegrityError as exc:  # listed by `shopmine runs list`; never served
                log.warning("saved run left out: %s", exc)
                self._metadata[run_id] = None
        return self._metadata[run_id]

    def runs(self, analysis: str) -> list[dict[str, Any]]:
        """The verified metadata of every run of ``analysis``, newest first."""
        folder = layout.analysis_dir(self.workspace, analysis)
        stamp = self._stamp(folder)
        with self._lock:
            cached = self._listings.get(analysis)
            if cached is not None and cached[0] == stamp:
                return cached[1]
            entries = [m for m in (self._verified(f) for f in layout.run_folders(self.workspace, analysis))
                       if m is not None]
            entries.sort(key=lambda m: (m.get("started_at", ""), m["run_id"]), reverse=True)
            # A folder changed within the last second may change again within the same clock tick of the
            # file system, unseen by its modification time: such a listing is not kept.
            if time.time_ns() - stamp > SETTLED_NS:
                self._listings[analysis] = (stamp, entries)
            return entries

    def analyses(self) -> list[str]:
        root = layout.runs_root(self.workspace)
        if not root.is_dir():
            return []
        return sorted(p.name for p in root.iterdir() if p.is_dir() and ANALYSIS.fullmatch(p.name))

    def all_runs(self) -> list[dict[str, Any]]:
        """Every verified run of every analysis, newest first."""
        entries = [m for analysis in self.analyses() for m in self.runs(analysis)]
        return sorted(entries, key=lambda m: (m.get("started_at", ""), m["run_id"]), reverse=True)

    def latest(self, analysis: str, where: Callable[[dict[str, Any]], bool] | None = None) -> dict[str, Any] | None:
        """The newest run of ``analysis`` (whose metadata satisfies ``where``), or None."""
        return next((m for m in self.runs(analysis) if where is None or where(m)), None)

    def table(self, metadata: dict[str, Any], name: str) -> pd.DataFrame | None:
        """Table ``name`` of the run, checked against its checksum once and kept; None when it has none."""
        entry = metadata.get("tables", {}).get(name)
        if entry is None:
            return None

        def read() -> pd.DataFrame:
            return pd.read_parquet(io.BytesIO(self._verified_bytes(metadata, entry["file"])))
        return self.cached(metadata["run_id"], f"table:{name}", read)

    def metrics(self, metadata: dict[str, Any]) -> dict[str, Any]:
        """The run's ``metrics.json``, checked against its checksum once and kept."""
        def read() -> dict[str, Any]:
            return json.loads(self._verified_bytes(metadata, "metrics.json"))
        return self.cached(metadata["run_id"], "metrics", read)

    def figure(self, metadata: dict[str, Any], name: str) -> dict[str, Any] | None:
        """Figure ``name`` of the run as plotly's JSON dict, checked once and kept; None when it has none."""
        relative = metadata.get("figures", {}).get(name)
        if relative is None:
            return None
        return self.cached(metadata["run_id"], f"figure:{name}",
                           lambda: json.loads(self._verified_bytes(metadata, relative)))

    def _verified_bytes(self, metadata: dict[str, Any], relative: str) -> bytes:
        run_id = metadata["run_id"]
        folder = layout.analysis_dir(self.workspace, metadata["analysis"]) / run_id
        return verify_file(folder / relative, metadata.get("files", {}).get(relative), run_id)

    def cached_keys(self) -> frozenset[tuple[str, str]]:
        """The (run id, what) of everything built and kept: it changes when a run is loaded or dropped."""
        with self._lock:
            return frozenset(self._cache)

    def cached(self, run_id: str, what: str, build: Callable[[], Any]) -> Any:
        """``build()`` once per run id and ``what`` (a table, an index of it, a loaded model).

        Built under a lock of its own: loading a new run's model holds up the requests that need it, not
        the others (a request for prices waits for no recommender)."""
        key = (run_id, what)
        try:
            return self._cache[key]
        except KeyError:
            pass
        with self._lock:
            lock = self._building.setdefault(key, threading.Lock())
        with lock:
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]

    def built(self, run_id: str, what: str, default: Any = None) -> Any:
        """What :meth:`cached` built for ``run_id`` and ``what``, or ``default`` when it has not (yet)."""
        return self._cache.get((run_id, what), default)

    def forget(self, what: str, keep: str) -> None:
        """Drop ``what`` of every run but ``keep`` (a model of a run no longer served: memory stays bounded
        however many runs a long-running server sees). A request still holding one keeps its object."""
        with self._lock:
            for key in [k for k in self._cache if k[1] == what and k[0] != keep]:
                del self._cache[key]
                self._building.pop(key, None)

