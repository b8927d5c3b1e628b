"""Benchmark: ``shopmine report`` from saved runs against ``shopmine report --refresh`` (issue 12, acceptance 1).

On the raw UCI Online Retail workspace (preset online_retail), each analysis command runs once with its
defaults and saves its run: ``quality``, ``forecast`` (every product series, as `shopmine forecast` does),
``segment``, ``classify``, ``clv`` and ``recommend --evaluate`` (the log's last 30 days). Then the report is timed three times, each as a fresh ``shopmine`` process:

- ``report (first)``: every section read from its saved run, except the sales and customer overviews,
  which no run covers yet: computed once and saved for the batches loaded now;
- ``report (saved runs)``: every section read from a saved run, nothing computed;
- ``report --refresh``: quality, forecast, segments, classify, CLV and the recommendation evaluation computed again (and saved as new runs),
  with the same defaults as the commands, and the overviews too.

Each step's wall time and CPU time (user + system of the process) are recorded, with the load average
around it (the machine is shared), and the report's size.

Run: ``PYTHONPATH=src .venv/bin/python bench/report_runs.py --workspace /tmp/X`` (the workspace is built when
it has no orders: ``shopmine init`` and ``ingest`` of the Online Retail files; an existing workspace should
have no saved runs, or the first report reads its overviews); writes bench/results/report_runs.json.
Skips, saying so, when the data folder is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

from shared_data import add_data_dir_option, data_dir

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "report_runs.json"
ANALYSES = [["quality"], ["forecast"], ["segment"], ["classify"], ["clv"], ["recommend", "--evaluate"]]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def shopmine(workspace: Path, *args: str) -> tuple[dict, str]:
    """Run ``shopmine -w WORKSPACE ARGS`` as its own process; return ({wall_s, cpu_s, load_1min}, stdout)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    load_before = os.getloadavg()[0]
    cpu, started = _children_cpu(), time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "shopmine.cli", "-w", str(workspace), *args], env=env,
                          capture_output=True, text=True)
    wall, cpu = time.perf_counter() - started, _children_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"shopmine {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    load = (load_before + os.getloadavg()[0]) / 2
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "load_1min": round(load, 2)}, done.stdout


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
    steps: dict[str, dict] = {}
    if not (workspace / "warehouse.duckdb").exists():
        subprocess.run([sys.executable, "-m", "shopmine.cli", "init", str(workspace)], check=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT / "src")}, capture_output=True)
        steps["ingest"], _ = shopmine(workspace, "ingest", *map(str, files), "--preset", "online_retail")
    run_ids = {}
    for command in ANALYSES:
        steps[" ".join(command)], out = shopmine(workspace, *command)
        run_ids[command[0]] = next(line.split()[2] for line in out.splitlines() if line.startswith("saved run: "))
    sizes = {}
    for step, name, extra in (("report (first)", "bench_report_first.html", ()),
                              ("report (saved runs)", "bench_report.html", ()),
                              ("report --refresh", "bench_report_refresh.html", ("--refresh",))):
        path = workspace / name
        steps[step], _ = shopmine(workspace, "report", *extra, "--output", str(path))
        sizes[step] = path.stat().st_size
    table = ["| step | wall s | CPU s | load (1 min) |", "|---|---|---|---|",
             *[f"| {step} | {m['wall_s']:,.1f} | {m['cpu_s']:,.1f} | {m['load_1min']:.1f} |"
               for step, m in steps.items()]]
    print("\n".join(table))
    saved, refresh = steps["report (saved runs)"], steps["report --refresh"]
    speedup = {"wall": round(refresh["wall_s"] / saved["wall_s"], 2), "cpu": round(refresh["cpu_s"] / saved["cpu_s"], 2)}
    print(f"report from saved runs: {speedup['wall']:.1f}x faster than --refresh (wall), {speedup['cpu']:.1f}x (CPU)")
    print("report sizes: " + ", ".join(f"{step} {size / 1e6:.2f} MB" for step, size in sizes.items()))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_at_end": list(os.getloadavg())},
        "protocol": {"data": "UCI Online Retail, raw, preset online_retail",
                     "analyses": [" ".join(c) for c in ANALYSES], "forecast": "defaults (every product series)",
                     "each step": "one fresh `shopmine` process: wall time, CPU time (user + system), load average"},
        "steps": steps, "refresh_over_saved": speedup, "report_bytes": sizes, "runs": run_ids, "table": table,
    }, indent=2) + "\n")
    print(f"written: {RESULTS}")


if __name__ == "__main__":
    main()
