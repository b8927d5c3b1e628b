"""Run one bench step as a subprocess and measure it: wall time, CPU time and peak memory of its tree.

Memory is the resident set size (RSS) summed over the step's whole process tree (the Python
process, its DuckDB threads, the Spark driver JVM it starts) plus, when a cluster is given, the
cluster's JVMs (master, workers, and the executors they start), sampled with psutil every
``SAMPLE_S`` seconds; the peak of that sum is reported. Summed RSS counts pages shared between
processes once per process, so it is an upper bound. CPU time is the step tree's user + system time
from ``getrusage(RUSAGE_CHILDREN)`` (every waited-for descendant) plus the cluster processes' CPU
time gained during the step (the last value seen of each process).
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil

SAMPLE_S = 0.25
GB = 1024**3


def _tree(roots: list[int]) -> list[psutil.Process]:
    procs = []
    for pid in roots:
        try:
            root = psutil.Process(pid)
            procs += [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
    return procs


def _rss(procs: list[psutil.Process]) -> int:
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


def _cpu(procs: list[psutil.Process], seen: dict[int, float]) -> None:
    for p in procs:
        try:
            t = p.cpu_times()
            seen[p.pid] = t.user + t.system
        except psutil.NoSuchProcess:
            continue


def run_measured(argv: list[str], env: dict[str, str], log: Path,
                 cluster_roots: Callable[[], list[int]] | None = None, timeout_s: float | None = None) -> dict:
    """Run ``argv``; return wall_s, cpu_s, peak_gb (step tree + cluster), peak_step_gb, peak_cluster_gb,
    returncode and timed_out (the step's whole process group is killed after ``timeout_s``)."""
    cluster_roots = cluster_roots or (lambda: [])
    cluster_cpu_before: dict[int, float] = {}
    _cpu(_tree(cluster_roots()), cluster_cpu_before)
    cluster_cpu: dict[int, float] = dict(cluster_cpu_before)
    peaks = {"all": 0, "step": 0, "cluster": 0}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with open(log, "ab") as out:
        out.write(f"$ {' '.join(argv)}\n".encode())
        out.flush()
        # A session of its own: on a timeout the step's whole tree (Python, its JVM) is killed.
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                step = _rss(_tree([proc.pid]))
                cluster_procs = _tree(cluster_roots())
                cluster = _rss(cluster_procs)
                _cpu(cluster_procs, cluster_cpu)
                peaks["step"] = max(peaks["step"], step)
                peaks["cluster"] = max(peaks["cluster"], cluster)
                peaks["all"] = max(peaks["all"], step + cluster)
                done.wait(SAMPLE_S)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        timed_out = False
        try:
            code = proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            code = proc.wait()
        done.set()
        sampler.join()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    step_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    gained = sum(t - cluster_cpu_before.get(pid, 0.0) for pid, t in cluster_cpu.items())
    return {"wall_s": wall, "cpu_s": step_cpu + gained, "peak_gb": peaks["all"] / GB,
            "peak_step_gb": peaks["step"] / GB, "peak_cluster_gb": peaks["cluster"] / GB,
            "returncode": code, "timed_out": timed_out}
