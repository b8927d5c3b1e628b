"""Benchmark: the product path on simulated shops of 1M to 100M order lines, and how each step grows.

Protocol
--------
For each size (``--sizes``, order lines), a simulated shop of 730 days with ``lines / 72``
customers and ``lines / 4000`` products (seed 0) is written as CSV by ``shopmine simulate
--shards K`` (one shard of at most ``--shard-lines`` lines in memory at a time) under ``--root``
(default /tmp/scale, not the repository). Then, each step in a fresh subprocess, as a merchant
would run it:

- ``ingest``: ``shopmine ingest shard-*/orders.csv --products shard-000/products.csv``;
- ``quality``: ``shopmine quality --output quality.json``;
- ``features_duckdb`` / ``features_spark``: the sales panel (product x day) and the customer
  summary through the Shop API (``bench/scale_features.py``), with ``SHOPMINE_ENGINE=duckdb``, and
  with ``SHOPMINE_ENGINE=spark`` on a local standalone cluster (a master and ``--workers`` worker
  JVMs of one core and ``--worker-memory`` each, ``shopmine.spark_cluster``);
- ``forecast``: ``shopmine forecast`` (every product, daily, the default models and backtest);
- ``clv``: ``shopmine clv --output clv.parquet`` (every customer).

Measured per step: wall time, CPU time and the peak RSS summed over the step's process tree and
the cluster's JVMs (``bench/scale_measure.py``: psutil, sampled every 0.25 s). The growth exponent
of a step is the least-squares slope of log(wall time) on log(loaded lines) over the sizes
(1: linear; n log n between 1e6 and 1e8 lines shows as about 1.1). The machine has 2 cores that
other work may share: times are upper bounds (CPU time is steadier).

Run: ``.venv/bin/python bench/scale.py --sizes 1M,10M`` then ``--sizes 50M,100M`` (results of
other sizes already in the JSON are kept). Prints a table and writes ``bench/results/scale.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scale_measure import run_measured  # noqa: E402
from shopmine.spark_cluster import StandaloneCluster  # noqa: E402

RESULTS = HERE / "results" / "scale.json"
SRC = HERE.parent / "src"
LINES_PER_CUSTOMER = 72   # measured on the default segments over 730 days (about 14.5M lines per 200k)
LINES_PER_PRODUCT = 4000
DAYS = 730
# The Spark step last: on a shared 2-core machine it is the slowest, and --spark-timeout then
# stops it without costing the other steps their turn.
STEPS = ("simulate", "ingest", "quality", "features_duckdb", "forecast", "clv", "features_spark")
PRODUCT_STEPS = STEPS[1:]  # simulate makes the data; it is timed but is not the product's work


def parse_size(text: str) -> int:
    text = text.strip().upper()
    factor = {"K": 10**3, "M": 10**6, "B": 10**9}.get(text[-1:], 1)
    return int(float(text.rstrip("KMB")) * factor)


def label(lines: int) -> str:
    if lines % 10**6 == 0:
        return f"{lines // 10**6}M"
    return f"{lines // 10**3}K" if lines % 10**3 == 0 else str(lines)


def shopmine(*args: str) -> list[str]:
    return [sys.executable, "-m", "shopmine.cli", *args]


def base_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SRC) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYSPARK_PYTHON"] = sys.executable
    env.pop("SHOPMINE_ENGINE", None)
    return env


def run_size(lines: int, args: argparse.Namespace) -> dict:
    folder = args.root / label(lines)
    shop, ws, logs = folder / "shop", folder / "ws", folder / "logs"
    if folder.exists():
        shutil.rmtree(folder)
    logs.mkdir(parents=True)
    customers, products = lines // LINES_PER_CUSTOMER, max(50, lines // LINES_PER_PRODUCT)
    shards = max(1, math.ceil(lines / args.shard_lines))
    env = base_env()
    result: dict = {"target_lines": lines, "customers": customers, "products": products, "days": DAYS,
                    "shards": shards, "steps": {}}
    commands = {
        "simulate": shopmine("simulate", "--customers", str(customers), "--products", str(products),
                             "--days", str(DAYS), "--seed", str(args.seed), "--shards", str(shards),
                             "--output-dir", str(shop)),
        "ingest": None,  # the shard files exist only after simulate
        "quality": shopmine("-w", str(ws), "quality", "--output", str(folder / "quality.json")),
        "features_duckdb": [sys.executable, str(HERE / "scale_features.py"), str(ws), str(folder / "features_duckdb.json")],
        "features_spark": [sys.executable, str(HERE / "scale_features.py"), str(ws), str(folder / "features_spark.json")],
        "forecast": shopmine("-w", str(ws), "forecast"),
        "clv": shopmine("-w", str(ws), "clv", "--output", str(folder / "clv.parquet")),
    }
    cluster = None
    try:
        for step in STEPS:
            if step not in args.steps:
                continue
            if step == "ingest":
                run_measured(shopmine("init", str(ws)), env, logs / "init.log")
                files = _order_files(shop)
                commands["ingest"] = shopmine("-w", str(ws), "ingest", *map(str, files),
                                              "--products", str(files[0].parent / "products.csv"))
            step_env, roots = dict(env), None
            if step == "features_spark":
                started = time.perf_counter()
                cluster = StandaloneCluster(workers=args.workers, cores_per_worker=1,
                                            worker_memory=args.worker_memory, folder=folder / "cluster").start()
                result["cluster_start_s"] = time.perf_counter() - started
                step_env.update(SHOPMINE_ENGINE="spark", SHOPMINE_SPARK_MASTER=cluster.master_url,
                                SHOPMINE_SPARK_DRIVER_MEMORY=args.driver_memory)
                roots = lambda c=cluster: c.process_groups  # noqa: E731 (read at each sample)
            print(f"{label(lines):>5} {step:<16} ...", end="", flush=True)
            measured = run_measured(commands[step], step_env, logs / f"{step}.log", roots,
                                    timeout_s=args.spark_timeout if step == "features_spark" else args.step_timeout)
            if cluster is not None:
                cluster.stop()
                cluster = None
            result["steps"][step] = measured
            print(f" {measured['wall_s']:8.1f} s  cpu {measured['cpu_s']:8.1f} s  peak {measured['peak_gb']:6.2f} GB"
                  + ("" if measured["returncode"] == 0 else f"  FAILED ({_status(measured)}, see {logs / (step + '.log')})"),
                  flush=True)
            if step == "simulate":
                result["csv_gb"] = sum(p.stat().st_size for p in _order_files(shop)) / 1024**3
            if step == "quality" and measured["returncode"] == 0:
                quality = json.loads((folder / "quality.json").read_text())
                result["lines"] = _loaded_lines(quality)
            if step.startswith("features") and measured["returncode"] == 0:
                result["steps"][step]["tables"] = json.loads((folder / f"{step}.json").read_text())
            if measured["returncode"] != 0 and step in ("simulate", "ingest"):
                break
            _write_partial(lines, result)
    finally:
        if cluster is not None:
            cluster.stop()
    result["disk_gb"] = _du(folder) / 1024**3
    if not args.keep_data:
        shutil.rmtree(folder)
    return result


def _status(measured: dict) -> str:
    if measured.get("timed_out"):
        return f"stopped after {measured['wall_s']:.0f} s"
    return f"FAILED, exit {measured['returncode']}"


def _order_files(shop: Path) -> list[Path]:
    # One shard is written as a plain shop folder; more go to shard-000, shard-001 ...
    return sorted(shop.glob("orders.csv")) + sorted(shop.glob("shard-*/orders.csv"))


def _loaded_lines(quality: dict) -> int:
    for key in ("rows_loaded", "lines_loaded", "loaded"):
        if key in quality:
            return int(quality[key])
    return int(quality["rows"]["loaded"])


def _du(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _load() -> dict:
    if RESULTS.exists():
        return json.loads(RESULTS.read_text())
    return {"runs": {}}


def merge(path: Path) -> None:
    """Add the runs of another results file (a size run in parallel, with its own --results)."""
    data = _load()
    data["runs"].update(json.loads(path.read_text())["runs"])
    _finish(data)


def _write_partial(lines: int, result: dict) -> None:
    data = _load()
    data["runs"][label(lines)] = result
    _finish(data)


def exponents(runs: dict) -> dict:
    """Per step: the least-squares slope of log(wall) and log(peak GB) on log(lines) over the sizes."""
    out = {}
    for step in PRODUCT_STEPS:
        points = [(r["lines"], r["steps"][step]) for r in runs.values()
                  if "lines" in r and step in r["steps"] and r["steps"][step]["returncode"] == 0]
        if len(points) < 2:
            continue
        n = np.log([p[0] for p in points])
        # Also a straight line wall = fixed + per_line * lines: its slope is the cost of one more line
        # (what a larger shop adds), its intercept the start-up (imports, JVMs, model fits).
        per_line, fixed = np.polyfit([p[0] for p in points], [p[1]["wall_s"] for p in points], 1)
        out[step] = {"time": float(np.polyfit(n, np.log([p[1]["wall_s"] for p in points]), 1)[0]),
                     "wall_us_per_line": float(per_line * 1e6), "wall_fixed_s": float(fixed),
                     "cpu": float(np.polyfit(n, np.log([p[1]["cpu_s"] for p in points]), 1)[0]),
                     "memory": float(np.polyfit(n, np.log([p[1]["peak_gb"] for p in points]), 1)[0]),
                     "sizes": len(points)}
    return out


def table(data: dict) -> list[str]:
    rows = ["| size | lines | step | wall s | cpu s | µs/line (wall) | peak GB (tree) | of it cluster GB |",
            "|---|---|---|---|---|---|---|---|"]
    for name, r in sorted(data["runs"].items(), key=lambda kv: kv[1]["target_lines"]):
        n = r.get("lines", r.get("lines_simulated", r["target_lines"]))
        for step in STEPS:
            m = r["steps"].get(step)
            if m is None:
                continue
            status = "" if m["returncode"] == 0 else f" ({_status(m)})"
            rows.append(f"| {name} | {n:,} | {step}{status} | {m['wall_s']:.1f} | {m['cpu_s']:.1f} | "
                        f"{1e6 * m['wall_s'] / n:.2f} | {m['peak_gb']:.2f} | {m['peak_cluster_gb']:.2f} |")
    rows += ["", "| step | growth exponent (wall) | (cpu) | (peak memory) | marginal µs/line (wall) | fixed s | sizes |",
             "|---|---|---|---|---|---|---|"]
    for step, e in data.get("exponents", {}).items():
        rows.append(f"| {step} | {e['time']:.2f} | {e['cpu']:.2f} | {e['memory']:.2f} | "
                    f"{e['wall_us_per_line']:.2f} | {e['wall_fixed_s']:.1f} | {e['sizes']} |")
    return rows


def _finish(data: dict) -> None:
    data["exponents"] = exponents(data["runs"])
    data["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                       "memory_gb": round(__import__("psutil").virtual_memory().total / 1024**3, 1)}
    data["table"] = table(data)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(data, indent=1) + "\n")


def main() -> None:
    global RESULTS
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1M,10M,50M,100M", help="order lines per shop, e.g. 1M,10M")
    parser.add_argument("--steps", default=",".join(STEPS), help="steps to run (comma-separated)")
    parser.add_argument("--root", type=Path, default=Path("/tmp/scale"), help="where the shops and workspaces go")
    parser.add_argument("--shard-lines", type=int, default=5_000_000, help="order lines per simulated shard")
    parser.add_argument("--workers", type=int, default=2, help="standalone cluster workers (1 core each)")
    parser.add_argument("--worker-memory", default="2g", help="memory of each standalone worker")
    parser.add_argument("--driver-memory", default="4g", help="Spark driver memory (SHOPMINE_SPARK_DRIVER_MEMORY)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--results", type=Path, default=RESULTS, help="results file (runs of other sizes in it are kept)")
    parser.add_argument("--merge", type=Path, default=None, help="only add the runs of this results file to --results")
    parser.add_argument("--step-timeout", type=float, default=None,
                        help="seconds after which any other step is stopped (recorded as such); default: none")
    parser.add_argument("--spark-timeout", type=float, default=None,
                        help="seconds after which the Spark step is stopped (recorded as such); default: none")
    parser.add_argument("--keep-data", action="store_true", help="keep each size's shop and workspace")
    args = parser.parse_args()
    RESULTS = args.results
    if args.merge:
        merge(args.merge)
        print("\n".join(_load()["table"]))
        return
    args.steps = set(args.steps.split(","))
    unknown = args.steps - set(STEPS)
    if unknown:
        parser.error(f"--steps: unknown step {sorted(unknown)[0]!r}; the steps are {', '.join(STEPS)}")
    for lines in map(parse_size, args.sizes.split(",")):
        result = run_size(lines, args)
        data = _load()
        data["runs"][label(lines)] = result
        _finish(data)
    data = _load()
    print("\n".join(data["table"]))


if __name__ == "__main__":
    main()
