"""Benchmark: ``shopmine report`` from saved runs against ``shopmine report --refresh`` (issue 12, acceptance 1).

On the raw UCI Online Retail workspace (preset online_retail), each analysis command runs once and saves its
run (``forecast --top 200``: the default, every one of about 4,000 products, takes minutes on this shared
2-core machine, see bench/results/forecast_speed.json; ``segment``, ``classify``, ``clv`` with their
defaults). Then the report is timed twice, each as a fresh ``shopmine`` process:

- ``report``: quality and the sales/customer overviews computed, the four analyses read from their runs;
- ``report --refresh``: the same, with the four analyses computed again through Shop's methods (Shop's
  own defaults, e.g. the forecast of the 10 best sellers) and saved as new runs.

Run: ``PYTHONPATH=src .venv/bin/python bench/report_runs.py --workspace /tmp/X`` (the workspace is built when
it has no orders: ``shopmine init`` and ``ingest`` of the Online Retail files); writes
bench/results/report_runs.json. Skips, saying so, when the data folder is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from shared_data import add_data_dir_option, data_dir

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "report_runs.json"
ANALYSES = [["forecast", "--top", "200"], ["segment"], ["classify"], ["clv"]]


def shopmine(workspace: Path, *args: str) -> tuple[float, str]:
    """Run ``shopmine -w WORKSPACE ARGS`` as its own process; return (wall seconds, stdout)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "shopmine.cli", "-w", str(workspace), *args], env=env,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"shopmine {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return elapsed, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, required=True, help="Online Retail workspace (built when empty).")
    add_data_dir_option(parser)
    args = parser.parse_args()
    folder = data_dir() / "uci_online_retail"
    files = sorted(folder.glob("online_retail_*.csv.gz"))
    if not files:
        print(f"SKIPPED: no Online Retail files in {folder} (give --data-dir or SHOPMINE_DATA); nothing measured.")
        return
    workspace = args.workspace
    timings: dict[str, float] = {}
    if not (workspace / "warehouse.duckdb").exists():
        subprocess.run([sys.executable, "-m", "shopmine.cli", "init", str(workspace)], check=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT / "src")}, capture_output=True)
        timings["ingest"], _ = shopmine(workspace, "ingest", *map(str, files), "--preset", "online_retail")
    run_ids = {}
    for command in ANALYSES:
        timings[" ".join(command)], out = shopmine(workspace, *command)
        run_ids[command[0]] = next(line.split()[2] for line in out.splitlines() if line.startswith("saved run: "))
    timings["report (saved runs)"], _ = shopmine(workspace, "report", "--output", str(workspace / "bench_report.html"))
    timings["report --refresh"], _ = shopmine(workspace, "report", "--refresh", "--output",
                                              str(workspace / "bench_report_refresh.html"))
    rows = [f"| {step} | {seconds:,.1f} |" for step, seconds in timings.items()]
    table = ["| step | wall s |", "|---|---|", *rows]
    print("\n".join(table))
    speedup = timings["report --refresh"] / timings["report (saved runs)"]
    print(f"report from saved runs: {speedup:.1f}x faster than --refresh")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_at_end": list(os.getloadavg())},
        "protocol": {"data": "UCI Online Retail, raw, preset online_retail",
                     "analyses": [" ".join(c) for c in ANALYSES],
                     "forecast_top": 200, "each step": "one fresh `shopmine` process, wall time"},
        "wall_s": {k: round(v, 2) for k, v in timings.items()},
        "refresh_over_saved": round(speedup, 2), "runs": run_ids, "table": table,
    }, indent=2) + "\n")
    print(f"written: {RESULTS}")


if __name__ == "__main__":
    main()
