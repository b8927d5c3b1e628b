"""A small Spark driver (issue 17, acceptance 3): the scores and the forecasts still come through the cluster
path, and a heap Spark cannot start with is one clear error naming spark_driver_memory, never a JVM traceback.

Each run is a process of its own: Spark fixes the driver's heap and its ``spark.driver.maxResultSize`` when its
JVM starts, once per process. The master comes from the environment (``SHOPMINE_SPARK_MASTER``), so in the
cluster pass the runs go to the standalone cluster.

The forecast runs under ``spark.driver.maxResultSize=1m`` (Spark's floor; given to the JVM through
``PYSPARK_SUBMIT_ARGS``): every job's results on their way to the driver must stay under 1 MiB together.
The shop has a long, sparse history (388 products over seven years: a panel of 504,321 product-days), whose
panel comes to the driver as 4.2 MiB of serialized results (Spark's LZ4-compressed rows; 25 MB as Arrow
columns), so a run that collected it would fail. What the forecast brings back stays by the series: at
most 0.3 MiB a job (a row per series, series x horizon forecasts and backtest rows, the report's history);
the panel's daily sales (the product-days with a sale, 0.32 MiB here) pass through the driver only as
Spark's broadcast join, which Spark bounds by ``spark.sql.autoBroadcastJoinThreshold``. A control in the
same test collects that panel under the same limit and gets the clear error naming spark_driver_memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from distributed.shops import ingested_shop
from shopmine.shop import Shop
from shopmine.workspace import Workspace

pytestmark = [pytest.mark.spark, pytest.mark.cluster_pass]  # make test's second pass


def _env(driver_memory: str, max_result_size: str | None = None) -> dict[str, str]:
    env = {**os.environ, "SHOPMINE_SPARK_DRIVER_MEMORY": driver_memory,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parents[2] / "src"),
                                                       os.environ.get("PYTHONPATH")]))}
    env.pop("SHOPMINE_DEBUG", None)
    if max_result_size is not None:  # read by pyspark when it launches the driver's JVM
        env["PYSPARK_SUBMIT_ARGS"] = (f"--conf spark.driver.maxResultSize={max_result_size} "
                                      f"{os.environ.get('PYSPARK_SUBMIT_ARGS', 'pyspark-shell')}")
    return env


def _shopmine(ws: Path, driver_memory: str, *args: str, max_result_size: str | None = None
              ) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "shopmine.cli", "-w", str(ws), "--engine", "spark", *args],
                          capture_output=True, text=True, env=_env(driver_memory, max_result_size), timeout=1200)


def _python(code: str, driver_memory: str, *args: str, max_result_size: str | None = None
            ) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=_env(driver_memory, max_result_size), timeout=1200)


@pytest.fixture(scope="module")
def long_history_shop(tmp_path_factory) -> Path:
    """150 customers, 400 products over 2,600 days (seed 11): few sales a product-day, a long panel."""
    return ingested_shop(tmp_path_factory.mktemp("long_history_shop"), n_customers=150, n_products=400,
                         n_days=2600, seed=11)[0]


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


#: The control: the workspace's panel, as the forecast builds it on Spark, collected to the driver.
_COLLECT_THE_PANEL = """
import sys
from shopmine.errors import ShopmineError
from shopmine.forecast.spark_frames import collect
from shopmine.shop import Shop
from shopmine.workspace import Workspace

with Shop(Workspace(sys.argv[1], {"engine": "spark"})) as shop:
    panel = shop.spark_series("product")
    print("maxResultSize", panel.sparkSession.sparkContext.getConf().get("spark.driver.maxResultSize"))
    try:
        frame = collect(panel, "the sales panel")
    except ShopmineError as exc:
        print("refused:", exc)
        print("spark said:", [line for line in str(exc.__cause__).splitlines() if "maxResultSize" in line][:1])
    else:
        print("collected", len(frame))
"""


def test_forecasts_come_through_the_cluster_without_the_panel_reaching_the_driver(long_history_shop, spark_engine):
    ws = long_history_shop
    with Shop(Workspace(ws)) as shop:  # the series, on DuckDB
        series = set(shop.forecast_series("product")["unique_id"])
    assert len(series) == 388

    done = _shopmine(ws, "640m", "forecast", "--model", "seasonal_naive", "--horizon", "7", "--backtest", "1",
                     max_result_size="1m")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "maxResultSize" not in done.stderr
    run = sorted((ws / "runs" / "forecast").glob("2*"))[-1]
    metadata = json.loads((run / "metadata.json").read_text())
    assert metadata["engine"] == "spark" and metadata["status"] == "complete"
    forecasts = pd.read_parquet(run / "tables" / "forecasts.parquet")
    assert set(forecasts["unique_id"].astype(str)) == series
    assert len(forecasts) == 7 * len(series) and forecasts.groupby("unique_id").size().eq(7).all()
    assert json.loads((run / "metrics.json").read_text())["n_series"] == len(series)

    # The control: the same panel, collected under the same limit, does not fit; the error names the setting.
    refused = _python(_COLLECT_THE_PANEL, "640m", str(ws), max_result_size="1m")
    assert refused.returncode == 0, refused.stderr[-2000:]
    assert "maxResultSize 1m" in refused.stdout
    assert "refused: the Spark driver has too little memory for the sales panel; raise spark_driver_memory" \
        in refused.stdout, refused.stdout
    assert "is bigger than spark.driver.maxResultSize (1024.0 KiB)" in refused.stdout, refused.stdout


def test_a_memory_failure_in_the_spark_forecast_names_the_setting(shops, monkeypatch):
    import shopmine.forecast.spark_run as spark_run
    from shopmine.errors import ShopmineRunError

    def too_large(series, **_options):
        raise RuntimeError("An error occurred while calling o412.collectToPython.\n: org.apache.spark.SparkException: "
                           "Job aborted due to stage failure: Total size of serialized results of 1 tasks "
                           "(1731.1 KiB) is bigger than spark.driver.maxResultSize (1024.0 KiB)")

    monkeypatch.setattr(spark_run, "run_forecast_spark", too_large)
    with pytest.raises(ShopmineRunError, match="raise the spark_driver_memory setting") as caught:
        shops["spark"].forecast(model="naive", horizon=7, windows=1)
    assert "bigger than spark.driver.maxResultSize" in str(caught.value)
