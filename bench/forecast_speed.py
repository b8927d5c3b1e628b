"""Benchmark: how fast ``shopmine.forecast`` is on thousands of daily series (issue 4, acceptance 4).

Protocol
--------
3,000 simulated daily series of 2 years (730 days from 2023-01-02), seed 0, horizon 28, season 7.
Generator (:func:`simulate_series`), intermittent retail-like demand: each series has a mean level
drawn log-normally (median 1 unit a day, so about half of the series sell on fewer than half of
the days), a weekly profile (weekend peak), a yearly sine with its own amplitude and phase, a slow
trend, and gamma-Poisson (negative binomial, shape 2) noise around that mean.

Three stages, each in its own fresh process so that its peak memory (``ru_maxrss``) is its own:

- ``auto``: :func:`shopmine.forecast.run_forecast` with ``model="auto"``, one backtest window and
  AutoETS on every series (every model fitted on the backtest window and again on the full
  history, except that AutoETS only runs its backtest models forward and LightGBM reuses its
  backtest rounds; the choice, the conformal intervals);
- ``default``: what ``shopmine forecast`` runs with no option (issue 11, acceptance 4): ``auto``
  with the default horizon (14 days), backtest windows (2) and AutoETS on the 200 best sellers only;
  targets: 4,000 series in under 2 minutes, 25,000 in under 10;
- ``lgbm``: :class:`~shopmine.forecast.LGBMForecaster` fit + predict on the full history;
- ``ets``: statsforecast AutoETS (through :class:`~shopmine.forecast.StatisticalModels`) fit +
  predict on the full history.

Each process first runs its stage once on 20 series of 120 days (warm-up: numba compilation and
imports are excluded from the timing), then times the full run.

Wall time and CPU time are both reported: on a shared machine the wall time mostly measures the other
processes. CPU time counts the stage's own process and the worker processes it waited for
(statsforecast runs one per core from 100 series); peak memory is the largest single process.

Run: ``.venv/bin/python bench/forecast_speed.py [--series 3000] [--stages ets,lgbm,auto,default] [--profile]
[--concurrent]``; ``--series 4000,25000 --stages default`` times the default at both sizes
(``--concurrent`` runs the three processes at once: quicker on a busy machine, CPU times still
comparable, wall times not). Prints a table and writes ``bench/results/forecast_speed.json`` (the
runs, the targets and the table) after every run, so that a size killed for time leaves the ones
before it (``complete`` says whether every run finished); ``--profile`` also prints where ``auto``
spends its time.
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

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
DAYS, HORIZON, SEASON, SEED = 730, 28, 7, 0
STAGES = ("ets", "lgbm", "auto", "default")
WEEKDAY = np.array([0.9, 0.95, 1.0, 1.0, 1.1, 1.3, 0.75])  # Monday .. Sunday


def simulate_series(n_series: int, n_days: int = DAYS, seed: int = SEED) -> pd.DataFrame:
    """``unique_id, ds, y``: intermittent daily unit sales (see the module docstring)."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2023-01-02", periods=n_days, freq="D")
    t = np.arange(n_days)
    level = np.exp(rng.normal(0.0, 1.2, n_series))[:, None]
    amplitude = rng.uniform(0.0, 0.4, n_series)[:, None]
    phase = rng.uniform(0.0, 365.25, n_series)[:, None]
    trend = rng.normal(0.0, 0.2, n_series)[:, None]
    mean = (level * WEEKDAY[ds.weekday.to_numpy()][None, :]
            * (1 + amplitude * np.sin(2 * np.pi * (t[None, :] - phase) / 365.25))
            * np.exp(trend * t[None, :] / 365.25))
    shape = 2.0
    y = rng.poisson(mean * rng.gamma(shape, 1 / shape, mean.shape))
    ids = np.array([f"s{i:05d}" for i in range(n_series)])
    return pd.DataFrame({"unique_id": np.repeat(ids, n_days), "ds": np.tile(ds.to_numpy(), n_series),
                         "y": y.ravel().astype(float)})


def run_stage(stage: str, series: pd.DataFrame) -> None:
    if stage == "auto":
        from shopmine.forecast import run_forecast

        run_forecast(series, horizon=HORIZON, freq="D", model="auto", season_length=SEASON, windows=1,
                     ets_series=None)
    elif stage == "default":
        # What `shopmine forecast` runs when given no option: its horizon, backtest windows, and
        # AutoETS on the best sellers only.
        from shopmine.forecast import run_forecast
        from shopmine.forecast.run import DEFAULT_HORIZON

        run_forecast(series, horizon=DEFAULT_HORIZON, freq="D", season_length=SEASON)
    elif stage == "lgbm":
        from shopmine.forecast import LGBMForecaster

        LGBMForecaster("D", SEASON).fit(series, HORIZON).predict()
    else:
        from shopmine.forecast import StatisticalModels

        StatisticalModels(["ets"], "D", SEASON, 28).forecast(series, HORIZON)


def _cpu() -> float:
    """CPU seconds of this process and of its finished worker processes."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def child(stage: str, n_series: int, profile: bool) -> None:
    warm = simulate_series(20, 120, seed=SEED + 1)
    run_stage(stage, warm)
    series = simulate_series(n_series)
    if profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        t0, c0 = time.perf_counter(), _cpu()
        prof.runcall(run_stage, stage, series)
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
        pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
    else:
        t0, c0 = time.perf_counter(), _cpu()
        run_stage(stage, series)
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024**2
    print("RESULT " + json.dumps({"stage": stage, "wall_s": wall, "cpu_s": cpu, "peak_rss_gb": peak,
                                  "series": n_series, "rows": len(series)}))


def start(stage: str, n_series: int, profile: bool) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, "--child", stage, "--series", str(n_series),
                             *(["--profile"] if profile else [])], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def collect(stage: str, proc: subprocess.Popen, profile: bool) -> dict:
    stdout, stderr = proc.communicate()
    if profile:
        print(stderr[-20000:])
    lines = [ln for ln in stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"{stage} failed:\n{stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT "):])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", default="3000", help="one size, or several separated by commas")
    parser.add_argument("--stages", default=",".join(STAGES[:3]))
    parser.add_argument("--profile", action="store_true", help="profile the auto and default stages (slower)")
    parser.add_argument("--concurrent", action="store_true",
                        help="run the stages at the same time (CPU times stay comparable, wall times do not)")
    parser.add_argument("--results", type=Path, default=RESULTS / "forecast_speed.json")
    parser.add_argument("--child", choices=STAGES)
    args = parser.parse_args()
    sizes = [int(n) for n in str(args.series).split(",")]
    if args.child:
        child(args.child, sizes[0], args.profile)
        return
    stages = args.stages.split(",")
    jobs = [(stage, n) for n in sizes for stage in stages]
    profiled = {(st, n): args.profile and st in ("auto", "default") for st, n in jobs}
    if args.concurrent:
        procs = {job: start(*job, profiled[job]) for job in jobs}
    rows = {}
    for job in jobs:
        proc = procs[job] if args.concurrent else start(*job, profiled[job])
        rows[job] = r = collect(job[0], proc, profiled[job])
        print(f"{job[0]:<7} {job[1]:>6,} series  wall {r['wall_s']:8.1f} s  cpu {r['cpu_s']:8.1f} s  "
              f"peak {r['peak_rss_gb']:5.2f} GB", flush=True)
        if not args.profile:
            # Written after every run, so that a larger size killed for time still leaves the smaller ones.
            write_results(args.results, rows, sizes, args.concurrent, done=len(rows) == len(jobs))
    table = results_table(rows)
    print(f"\ndaily series x {DAYS} days, after a warm-up run:\n")
    print("\n".join(table))
    for line in target_lines(rows, sizes):
        print(line)
    if not args.profile:
        print(f"written: {args.results}")


def results_table(rows: dict) -> list[str]:
    """The markdown table of the runs so far."""
    lines = ["| stage | series | wall s | cpu s | peak GB |", "|---|---|---|---|---|"]
    lines += [f"| {stage} | {n:,} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {r['peak_rss_gb']:.2f} |"
              for (stage, n), r in rows.items()]
    return lines


def targets_of(rows: dict, sizes: list[int]) -> dict:
    """Each target met or not, and the ratios they are judged on."""
    # Wall time is the target; CPU time is reported beside it because on a shared machine the wall
    # time mostly measures the other processes.
    targets = {}
    first = sizes[0]
    if ("auto", first) in rows and ("ets", first) in rows:
        a, e = rows[("auto", first)], rows[("ets", first)]
        targets.update(auto_under_5_min=a["wall_s"] < 300, auto_over_ets_wall=a["wall_s"] / e["wall_s"],
                       auto_over_ets_cpu=a["cpu_s"] / e["cpu_s"])
    if ("lgbm", first) in rows and ("ets", first) in rows:
        l, e = rows[("lgbm", first)], rows[("ets", first)]
        targets.update(ets_over_lgbm_wall=e["wall_s"] / l["wall_s"], ets_over_lgbm_cpu=e["cpu_s"] / l["cpu_s"])
    for (stage, n), r in rows.items():
        if stage == "default":
            limit = 120 if n <= 4000 else 600
            targets[f"default_{n}_under_{limit}_s"] = r["wall_s"] < limit
    return targets


def target_lines(rows: dict, sizes: list[int]) -> list[str]:
    t = targets_of(rows, sizes)
    lines = []
    if "auto_over_ets_wall" in t:
        lines.append(f"\nauto / AutoETS: wall {t['auto_over_ets_wall']:.2f}, cpu {t['auto_over_ets_cpu']:.2f} "
                     f"(target < 2); auto under 5 minutes: {t['auto_under_5_min']}")
    if "ets_over_lgbm_wall" in t:
        lines.append(f"AutoETS / lgbm: wall {t['ets_over_lgbm_wall']:.1f}, cpu {t['ets_over_lgbm_cpu']:.1f} "
                     f"(target >= 10)")
    for (stage, n), r in rows.items():
        if stage == "default":
            lines.append(f"default forecast of {n:,} series: {r['wall_s']:.1f} s wall, {r['cpu_s']:.1f} s CPU "
                         f"(target < {120 if n <= 4000 else 600} s wall)")
    return lines


def write_results(path: Path, rows: dict, sizes: list[int], concurrent: bool, done: bool) -> None:
    from shopmine.forecast.run import DEFAULT_ETS_SERIES, DEFAULT_HORIZON, DEFAULT_WINDOWS

    out = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
           "protocol": {"series": sizes, "days": DAYS, "horizon": HORIZON, "season_length": SEASON,
                        "seed": SEED, "auto_backtest_windows": 1,
                        "default_stage": {"horizon": DEFAULT_HORIZON, "backtest_windows": DEFAULT_WINDOWS,
                                          "ets_series": DEFAULT_ETS_SERIES},
                        "concurrent": concurrent, "load_average_at_end": os.getloadavg()},
           "complete": done,
           "runs": [{"stage": st, **r} for (st, _), r in rows.items()], "targets": targets_of(rows, sizes),
           "table": results_table(rows)}
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
