"""Benchmark: ingest + quality + both feature tables, shopmine against a plain pandas implementation.

Protocol
--------
Simulated shops (``shopmine.simulate``) of about 1 million and 10 million order lines, 200,000
customers, 20,000 products, 2 years (730 days); ``rate_scale`` sets the number of lines. Each
implementation runs in its own fresh process, so its peak memory (``ru_maxrss``) is its own:

- shopmine: ``ingest`` (parse, check, quarantine, store the lines as a Parquet part file that the
  DuckDB warehouse lists), the quality report, and the two feature tables materialised in memory
  (temporary DuckDB tables): the zero-filled product x day sales panel and the customer summary.
- pandas (``bench/pandas_reference.py``): ``read_csv``, the same quality rules, the same
  zero-filled product x day panel and customer summary, held as DataFrames.

The two implementations' outputs are compared (panel rows and units, customers and net revenue).
shopmine's stages are also timed in CPU seconds of its process (user + system; DuckDB's threads
included), steadier than wall time when other work shares the machine.
Run: ``.venv/bin/python bench/ingest.py [--sizes 1000000,10000000]``. Prints a table and writes
``bench/results/ingest.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
RESULTS = HERE / "results"
CUSTOMERS, PRODUCTS, DAYS = 200_000, 20_000, 730
# rate_scale giving about that many lines for this shop (seed 0), found by trying: the line count
# is not proportional to the scale (every customer's first order does not scale).
RATE_SCALE = {1_000_000: 0.036, 10_000_000: 0.743}


def make_shop(lines: int) -> Path:
    folder = CACHE / f"shop_{lines}"
    orders = folder / "orders.csv"
    if not orders.exists():
        from shopmine.simulate import simulate_shop, write_shop

        shop = simulate_shop(n_customers=CUSTOMERS, n_products=PRODUCTS, n_days=DAYS, seed=0,
                             rate_scale=RATE_SCALE[lines])
        write_shop(shop, folder, format="csv")
    return orders


def cpu_seconds() -> float:
    """The process's CPU time (user + system): steadier than wall time on a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_shopmine(orders: str, workdir: str) -> dict:
    from shopmine.features import customer_summary, sales_panel
    from shopmine.ingest import ingest
    from shopmine.quality import quality_report
    from shopmine.shop import Shop
    from shopmine.workspace import Workspace

    t0, c0 = time.perf_counter(), cpu_seconds()
    ws = Workspace(workdir)
    report = ingest(ws, [orders])
    t1, c1 = time.perf_counter(), cpu_seconds()
    quality = quality_report(ws.warehouse()).metrics
    t2, c2 = time.perf_counter(), cpu_seconds()
    shop = Shop(ws)
    con = shop.engine.con
    # Both tables are materialised in memory (temporary tables), as pandas holds its DataFrames; the
    # panel needs no order as a table (sort=False), pandas sorts as a side effect of groupby. The
    # connection is new, so the tables cannot exist yet: with overwrite=True ibis would build each
    # under another name and then copy it (1.7 GB for the 10-million-line panel, over a second).
    con.create_table("bench_panel", sales_panel(shop.orders(), level="product", freq="D", as_of=shop.as_of,
                                                sort=False), temp=True)
    con.create_table("bench_customers", customer_summary(shop.orders(), as_of=shop.as_of), temp=True)
    t3, c3 = time.perf_counter(), cpu_seconds()
    raw = ws.warehouse().con
    panel_rows, panel_units = raw.execute("SELECT count(*), sum(units) FROM bench_panel").fetchone()
    customers, monetary = raw.execute("SELECT count(*), sum(monetary) FROM bench_customers").fetchone()
    return {"ingest_s": t1 - t0, "quality_s": t2 - t1, "features_s": t3 - t2, "total_s": t3 - t0,
            "ingest_cpu_s": c1 - c0, "quality_cpu_s": c2 - c1, "features_cpu_s": c3 - c2, "total_cpu_s": c3 - c0,
            "rows_in": report.rows_in, "rows_loaded": report.rows_loaded,
            "rows_quarantined": report.rows_quarantined, "duplicates": quality["duplicate_rows"],
            "panel_rows": panel_rows, "panel_units": panel_units, "customers": customers, "monetary": monetary}


def run_pandas(orders: str, workdir: str) -> dict:
    sys.path.insert(0, str(HERE))
    import pandas_reference as ref

    t0 = time.perf_counter()
    frame, quarantine, quality = ref.load(orders)
    t1 = time.perf_counter()
    as_of = (frame["ordered_at"].max().normalize() + __import__("pandas").Timedelta(days=1)).date()
    panel = ref.product_day_panel(frame, as_of)
    customers = ref.customer_summary(frame, as_of)
    t3 = time.perf_counter()
    return {"ingest_s": t1 - t0, "quality_s": 0.0, "features_s": t3 - t1, "total_s": t3 - t0,
            "rows_in": quality["rows_in"], "rows_loaded": quality["rows_loaded"],
            "rows_quarantined": quality["rows_quarantined"], "duplicates": quality["duplicate_rows"],
            "panel_rows": len(panel), "panel_units": float(panel["units"].sum()),
            "customers": len(customers), "monetary": float(customers["monetary"].sum())}


def child(impl: str, orders: str, workdir: str) -> None:
    result = {"shopmine": run_shopmine, "pandas": run_pandas}[impl](orders, workdir)
    result["peak_rss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print("RESULT " + json.dumps(result))


def measure(impl: str, orders: Path) -> dict:
    workdir = CACHE / f"ws_{impl}"
    shutil.rmtree(workdir, ignore_errors=True)
    proc = subprocess.run([sys.executable, __file__, "--child", impl, str(orders), str(workdir)],
                          capture_output=True, text=True)
    shutil.rmtree(workdir, ignore_errors=True)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"{impl} failed:\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT "):])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--impls", default="shopmine,pandas")
    parser.add_argument("--child", nargs=3, metavar=("IMPL", "ORDERS", "WORKDIR"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    CACHE.mkdir(exist_ok=True)
    RESULTS.mkdir(exist_ok=True)
    rows = []
    for lines in (int(s) for s in args.sizes.split(",")):
        orders = make_shop(lines)
        for impl in args.impls.split(","):
            result = measure(impl, orders)
            rows.append({"target_lines": lines, "impl": impl, **result})
            cpu = f" ({result['total_cpu_s']:.1f}s CPU)" if "total_cpu_s" in result else ""
            print(f"{lines:>11,} {impl:<9} total {result['total_s']:7.1f}s{cpu}  peak {result['peak_rss_gb']:5.2f} GB",
                  flush=True)
    header = ("lines", "impl", "ingest s", "quality s", "features s", "total s", "peak GB", "loaded",
              "quarantined", "panel rows", "customers")
    print("\n| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    for r in rows:
        print(f"| {r['rows_in']:,} | {r['impl']} | {r['ingest_s']:.1f} | {r['quality_s']:.1f} | "
              f"{r['features_s']:.1f} | {r['total_s']:.1f} | {r['peak_rss_gb']:.2f} | {r['rows_loaded']:,} | "
              f"{r['rows_quarantined']:,} | {r['panel_rows']:,} | {r['customers']:,} |")
    for r in rows:
        if "total_cpu_s" in r:
            print(f"{r['rows_in']:,} lines, {r['impl']}: CPU s (user + system) ingest {r['ingest_cpu_s']:.1f}, "
                  f"quality {r['quality_cpu_s']:.1f}, features {r['features_cpu_s']:.1f}, total {r['total_cpu_s']:.1f}")
    for lines in sorted({r["target_lines"] for r in rows} if len({r["impl"] for r in rows}) == 2 else []):
        s, p = (next(r for r in rows if r["target_lines"] == lines and r["impl"] == i) for i in ("shopmine", "pandas"))
        print(f"{lines:,} lines: shopmine {p['total_s'] / s['total_s']:.1f}x faster than pandas; outputs agree: "
              f"panel rows {s['panel_rows'] == p['panel_rows']}, units {abs(s['panel_units'] - p['panel_units']) < 1e-6 * p['panel_units']}, "
              f"customers {s['customers'] == p['customers']}, monetary {abs(s['monetary'] - p['monetary']) < 1e-6 * abs(p['monetary'])}")
    out = {"machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()},
           "protocol": {"customers": CUSTOMERS, "products": PRODUCTS, "days": DAYS}, "runs": rows}
    (RESULTS / "ingest.json").write_text(json.dumps(out, indent=2) + "\n")
    print(f"written: {RESULTS / 'ingest.json'}")


if __name__ == "__main__":
    main()
