"""What a standalone Spark cluster on this machine costs: start, first job, stop (issue 17).

Protocol: ``StandaloneCluster(workers=W, cores_per_worker=1, worker_memory="1g")`` in a temporary folder,
``--repeats`` times in one process, the first time with a Spark session. Measured per repeat:

- ``start``: the daemons launched until the master's JSON reports every worker ALIVE;
- ``session`` (first repeat only: one Spark session per process): ``spark_session(master_url)``, the
  driver JVM and the application registered;
- ``first job``: a 4-partition job whose Python tasks report their pids (executors and their Python
  workers started);
- ``stop``: every process group killed and reaped, and the count of processes still alive afterwards
  (daemons, executors, Python workers; must be 0).

The machine's load average is recorded beside the times: on a shared machine it dominates them.

Run: ``PYTHONPATH=src .venv/bin/python bench/spark_cluster.py [--workers 2] [--repeats 2]``; prints a table
and writes bench/results/spark_cluster.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

from shopmine.engine import spark_session, stop_spark_session
from shopmine.spark_cluster import StandaloneCluster


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _task_pids(session) -> set[int]:
    def probe(_):
        import os as os_

        with open(f"/proc/{os_.getppid()}/stat") as fh:  # the pyspark daemon; its parent is the executor
            executor = int(fh.read().rsplit(")", 1)[1].split()[1])
        yield (os_.getpid(), os_.getppid(), executor)

    return {pid for row in session.sparkContext.parallelize(range(4), 4).mapPartitions(probe).collect()
            for pid in row}


def _fmt(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_spark_cluster_") as tmp:
        for repeat in range(args.repeats):
            load = os.getloadavg()[0]
            cluster = StandaloneCluster(workers=args.workers, cores_per_worker=1, worker_memory="1g",
                                        folder=Path(tmp) / f"cluster-{repeat}")
            t0 = time.perf_counter()
            cluster.start()
            row = {"repeat": repeat + 1, "workers": args.workers, "load_avg_1min": round(load, 1),
                   "start_s": time.perf_counter() - t0, "session_s": None, "first_job_s": None}
            pids = set(cluster.launched.values())
            if repeat == 0:
                t0 = time.perf_counter()
                session = spark_session(cluster.master_url, "1g", executor_memory="512m")
                row["session_s"] = time.perf_counter() - t0
                t0 = time.perf_counter()
                pids |= _task_pids(session)
                row["first_job_s"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            cluster.stop()
            row["stop_s"] = time.perf_counter() - t0
            row["processes_left"] = sum(_alive(pid) for pid in pids)
            rows.append(row)
            if repeat == 0:
                stop_spark_session()
    print(f"{'repeat':>6} {'workers':>7} {'load':>5} {'start s':>8} {'session s':>9} {'1st job s':>9} "
          f"{'stop s':>7} {'left':>5}")
    for r in rows:
        print(f"{r['repeat']:>6} {r['workers']:>7} {r['load_avg_1min']:>5} {_fmt(r['start_s']):>8} "
              f"{_fmt(r['session_s']):>9} {_fmt(r['first_job_s']):>9} {_fmt(r['stop_s']):>7} {r['processes_left']:>5}")
    out = Path(__file__).parent / "results" / "spark_cluster.json"
    out.write_text(json.dumps({"machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                               "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
