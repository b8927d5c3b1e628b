"""A small Spark driver heap (issue 17, acceptance 3): the scores still come through the cluster path, and a
heap Spark cannot start with is one clear error naming spark_driver_memory, never a JVM traceback.

Each run is a process of its own: Spark fixes the driver's heap when its JVM starts, once per process.
The master comes from the environment (``SHOPMINE_SPARK_MASTER``), so in the cluster pass the scoring runs
on the standalone cluster.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.spark


def _shopmine(ws: Path, driver_memory: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SHOPMINE_SPARK_DRIVER_MEMORY": driver_memory,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parents[2] / "src"),
                                                       os.environ.get("PYTHONPATH")]))}
    env.pop("SHOPMINE_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "shopmine.cli", "-w", str(ws), "--engine", "spark", *args],
                          capture_output=True, text=True, env=env, timeout=1200)


def test_scores_come_through_the_cluster_with_a_small_driver_heap(simulated_shop, spark_engine):
    ws, _ = simulated_shop
    done = _shopmine(ws, "640m", "clv", "--horizon-days", "90")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    runs = sorted((ws / "runs" / "clv").glob("2*"))
    metrics = json.loads((runs[-1] / "metrics.json").read_text())
    assert metrics["scored_on"] == "spark" and metrics["customers"] > 400
    assert json.loads((runs[-1] / "metadata.json").read_text())["engine"] == "spark"


def test_a_heap_spark_cannot_start_with_names_the_setting(simulated_shop, spark_engine):
    ws, _ = simulated_shop
    done = _shopmine(ws, "64m", "clv")
    assert done.returncode == 2  # a setting's value, refused before any JVM starts
    assert "spark_driver_memory setting is 64m, below the 450m" in done.stderr
    assert "Traceback" not in done.stderr and "at org.apache" not in done.stderr
