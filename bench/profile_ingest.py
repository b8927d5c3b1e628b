"""Where an ingest spends its time: every DuckDB statement slower than 0.2 s, with its duration.

Run: ``.venv/bin/python bench/profile_ingest.py ORDERS.csv`` (a fresh workspace in a temporary
folder; e.g. bench/.cache/shop_10000000/orders.csv after ``bench/ingest.py``).
"""

from __future__ import annotations

import sys
import tempfile
import time

from shopmine.ingest import ingest
from shopmine.workspace import Workspace


class TimedConnection:
    """Wraps a DuckDB connection and reports slow statements."""

    def __init__(self, con, threshold: float = 0.2):
        self.con, self.threshold = con, threshold

    def execute(self, query, *args, **kwargs):
        start = time.perf_counter()
        result = self.con.execute(query, *args, **kwargs)
        took = time.perf_counter() - start
        if took > self.threshold:
            print(f"{took:7.2f} s  {' '.join(str(query).split())[:110]}")
        return result

    def __getattr__(self, name):
        return getattr(self.con, name)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        ws = Workspace(folder)
        warehouse = ws.warehouse()
        warehouse._con = TimedConnection(warehouse.con)  # noqa: SLF001 - a profiling hook, not an API
        start = time.perf_counter()
        report = ingest(ws, [sys.argv[1]])
        print(f"{time.perf_counter() - start:7.2f} s  total ({report.rows_in:,} rows in)")


if __name__ == "__main__":
    main()
