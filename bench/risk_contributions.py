"""Benchmark: LightGBM's SHAP values of a batch asked directly (``pred_contrib`` over every tree at once)
against :func:`shopmine.risk.tree_paths.contributions_by_path` (once per way through each tree), by batch
size: where grouping by path starts to pay, which sets ``BY_PATH_FROM_ROWS`` in
:mod:`shopmine.risk.challenger`.

Protocol: 20 standard-normal features, 40,000 rows, a binary outcome from five of them plus noise; LightGBM
trained with 160 trees of 31 leaves, one thread, then saved to text and read back (as a served model is). Per
batch size (the first rows): the direct call, the by-path call on a booster it has never seen (reading its
trees included: what every call cost before they were kept per booster) and again (trees kept), each the
median of ``--repeats`` runs, in CPU seconds of this process (LightGBM uses one thread, so the CPU time is
the work; on a machine shared with other jobs the wall time is mostly their waits) and in wall seconds.
Run: ``PYTHONPATH=src .venv/bin/python bench/risk_contributions.py [--repeats 3] [--sizes 1,100,1000]``; prints a table and writes
``bench/results/risk_contributions.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd

from shopmine.risk.challenger import BY_PATH_FROM_ROWS
from shopmine.risk.tree_paths import contributions_by_path

RESULTS = Path(__file__).resolve().parent / "results"
SIZES = (1, 10, 100, 300, 1_000, 3_000, 10_000, 20_000)


def timed(call, repeats: int) -> tuple[float, float]:
    """Median CPU and wall seconds of ``call()``."""
    cpu, wall = [], []
    for _ in range(repeats):
        c0, w0 = time.process_time(), time.perf_counter()
        call()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return float(np.median(cpu)), float(np.median(wall))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="Batch sizes, comma-separated.")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(40_000, 20)), columns=[f"f{i}" for i in range(20)])
    y = ((X.iloc[:, :5].sum(axis=1) + rng.normal(size=len(X), scale=2.0)) > 0).astype(int)
    trained = lgb.train({"objective": "binary", "num_leaves": 31, "verbosity": -1, "num_threads": 1, "seed": 0},
                        lgb.Dataset(X, y), num_boost_round=160)
    text = trained.model_to_string()
    booster = lgb.Booster(model_str=text)
    rows = []
    load_before = os.getloadavg()[0]
    for size in (int(part) for part in args.sizes.split(",")):
        batch = X.iloc[:size]
        direct = timed(lambda: booster.predict(batch, pred_contrib=True), args.repeats)
        # A booster never seen: its trees are read in the call.
        cold = timed(lambda: contributions_by_path(lgb.Booster(model_str=text), batch),
                     args.repeats)
        contributions_by_path(booster, batch)  # its trees are kept from here on
        warm = timed(lambda: contributions_by_path(booster, batch), args.repeats)
        parse = timed(lambda: lgb.Booster(model_str=text), args.repeats)
        # The cold figure includes making the booster from text: taken out, as a served model is made once.
        rows.append({"rows": size, "direct_cpu_ms": round(direct[0] * 1000, 1),
                     "by_path_cold_cpu_ms": round((cold[0] - parse[0]) * 1000, 1),
                     "by_path_kept_cpu_ms": round(warm[0] * 1000, 1),
                     "direct_wall_ms": round(direct[1] * 1000, 1),
                     "by_path_cold_wall_ms": round((cold[1] - parse[1]) * 1000, 1),
                     "by_path_kept_wall_ms": round(warm[1] * 1000, 1)})
        print(rows[-1], flush=True)
        write(rows, args, load_before)  # after each size: a run stopped midway keeps what it measured
    crossover = next((r["rows"] for r in rows if r["by_path_kept_cpu_ms"] < r["direct_cpu_ms"]), None)
    print(f"\n160 trees of 31 leaves, 20 features, one thread; median of {args.repeats} (CPU ms; wall ms in "
          f"the JSON); BY_PATH_FROM_ROWS = {BY_PATH_FROM_ROWS:,}")
    print(f"{'rows':>8}{'direct':>10}{'by path, trees read':>22}{'by path, trees kept':>22}")
    for r in rows:
        print(f"{r['rows']:>8,}{r['direct_cpu_ms']:>10}{r['by_path_cold_cpu_ms']:>22}{r['by_path_kept_cpu_ms']:>22}")
    print(f"by path (trees kept) cheaper from: {crossover} rows")
    write(rows, args, load_before)


def write(rows: list[dict], args, load_before: float) -> None:
    crossover = next((r["rows"] for r in rows if r["by_path_kept_cpu_ms"] < r["direct_cpu_ms"]), None)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "risk_contributions.json").write_text(json.dumps({
        "command": "bench/risk_contributions.py " + " ".join(sys.argv[1:]), "by_path_from_rows": BY_PATH_FROM_ROWS,
        "crossover_rows_cpu": crossover, "repeats": args.repeats, "results": rows,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "lightgbm": lgb.__version__,
                    "load_average_1m_before": load_before, "load_average_1m_at_end": os.getloadavg()[0]}},
        indent=2) + "\n")


if __name__ == "__main__":
    main()
