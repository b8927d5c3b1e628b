"""Where an ingest spends its time: every DuckDB statement slower than 0.2 s, with its duration and
the process's CPU time over it (steadier than wall time on a shared machine).

Run: ``.venv/bin/python bench/profile_ingest.py ORDERS.csv`` (a fresh workspace in a temporary
folder; e.g. bench/.cache/shop_10000000/orders.csv after ``bench/ingest.py``).
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time

from shopmine.ingest import ingest
from shopmine.workspace import Workspace


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class TimedConnection:
    """Wraps a DuckDB connection and reports slow statements."""

    def __init__(self, con, threshold: float = 0.2):
        self.con, self.threshold = con, threshold

    def execute(self, query, *args, **kwargs):
        start, cpu = time.perf_counter(), cpu_seconds()
        result = self.con.execute(query, *args, **kwargs)
        took = time.perf_counter() - start
        if took > self.threshold:
            print(f"{took:7.2f} s {cpu_seconds() - cpu:7.2f} cpu  {' '.join(str(query).split())[:100]}")
        return result

    def __getattr__(self, name):
        return getattr(self.con, name)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        ws = Workspace(folder)
        warehouse = ws.warehouse()
        warehouse._con = TimedConnection(warehouse.con)  # noqa: SLF001 - a profiling hook, not an API
        start, cpu = time.perf_counter(), cpu_seconds()
        report = ingest(ws, [sys.argv[1]])
        print(f"{time.perf_counter() - start:7.2f} s {cpu_seconds() - cpu:7.2f} cpu  total "
              f"({report.rows_in:,} rows in)")


if __name__ == "__main__":
    main()
