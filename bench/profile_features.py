"""Where the quality report and the two feature tables spend their time, on an ingested workspace.

The stages of ``bench/ingest.py`` after ingest, each timed in wall and CPU seconds (CPU is steadier on a
shared machine), with a checksum of each output so that two versions of the code can be compared on
the same workspace. ``--explain`` prints DuckDB's EXPLAIN ANALYZE of the panel and the customer summary.

Run: ``PYTHONPATH=src .venv/bin/python bench/profile_features.py WORKSPACE [--ingest ORDERS.csv] [--explain]``
(``--ingest`` first loads the orders into a new workspace at WORKSPACE).
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import ibis


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace")
    parser.add_argument("--ingest", metavar="ORDERS")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--stages", default="quality,panel,customers")
    args = parser.parse_args()

    from shopmine.features import customer_summary, sales_panel
    from shopmine.quality import quality_report
    from shopmine.shop import Shop
    from shopmine.workspace import Workspace

    ws = Workspace(args.workspace)
    if args.ingest:
        from shopmine.ingest import ingest

        start, cpu = time.perf_counter(), cpu_seconds()
        ingest(ws, [args.ingest])
        print(f"ingest     {time.perf_counter() - start:7.2f} s {cpu_seconds() - cpu:7.2f} cpu", flush=True)
    shop = Shop(ws)
    con = shop.engine.con
    raw = ws.warehouse().con
    as_of = shop.as_of
    out = {}
    stages = args.stages.split(",")
    if "quality" in stages:
        start, cpu = time.perf_counter(), cpu_seconds()
        metrics = quality_report(ws.warehouse()).metrics
        out["quality"] = (time.perf_counter() - start, cpu_seconds() - cpu,
                          {k: metrics.get(k) for k in ("rows_loaded", "bulk_lines", "collapsed_days")})
    exprs = {
        "panel": lambda: sales_panel(shop.orders(), level="product", freq="D", as_of=as_of, sort=False),
        "customers": lambda: customer_summary(shop.orders(), as_of=as_of),
    }
    for name in ("panel", "customers"):
        if name not in stages:
            continue
        build = exprs[name]
        if args.explain:
            sql = str(ibis.to_sql(build(), dialect="duckdb"))
            plan = raw.execute("EXPLAIN ANALYZE " + sql).fetchall()
            print(plan[0][1])
        start, cpu = time.perf_counter(), cpu_seconds()
        con.create_table(f"bench_{name}", build(), temp=True)
        wall, used = time.perf_counter() - start, cpu_seconds() - cpu
        # A checksum of the table: its rows and the sum of every numeric column.
        table = con.table(f"bench_{name}")
        sums = [f"sum({c})" for c, t in table.schema().items() if t.is_numeric() or t.is_boolean()]
        row = raw.execute(f"SELECT count(*), {', '.join(sums)} FROM bench_{name}").fetchone()
        out[name] = (wall, used, dict(zip(["rows"] + sums, row)))
    for name, (wall, cpu, value) in out.items():
        print(f"{name:<10} {wall:7.2f} s {cpu:7.2f} cpu  {json.dumps(value, default=str)}", flush=True)


if __name__ == "__main__":
    main()
