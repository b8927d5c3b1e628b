"""The forecast run on a Spark panel equals the local run (issue 17): statsforecast's Fugue backend, the
global models' forecasts computed on the executors from a model trained on the driver's sample.

Every test runs on the session's Spark (``spark_engine``: local mode, or the standalone cluster when
the fixture points there).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import shopmine.forecast.lgbm as lgbm_module
import shopmine.forecast.linear as linear_module
from shopmine.forecast import run_forecast
from shopmine.forecast.models import ModelSetting
from shopmine.forecast.spark_models import statistical_forecast
from shopmine.forecast.report import recent_history
from shopmine.forecast.spark_run import run_forecast_spark
from shopmine.forecast.statistical import StatisticalModels

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    """Ten daily series of 120 days (series i sells about 2 + i units, more at weekends, a price driver);
    two of them start on day 100, too short for every model (the fallback rule)."""
    rng = np.random.default_rng(0)
    ds = pd.date_range("2024-01-01", periods=120)
    parts = []
    for i in range(10):
        start = 0 if i < 8 else 100
        y = rng.poisson((2 + i) * np.where(ds.weekday >= 5, 1.5, 1.0)).astype(float)
        parts.append(pd.DataFrame({"unique_id": f"p{i:02d}", "ds": ds[start:], "y": y[start:],
                                   "avg_price": rng.uniform(1, 5, 120)[start:]}))
    return pd.concat(parts, ignore_index=True)


def test_statistical_models_through_fugue_equal_the_local_fit(spark_engine, panel):
    names = ["naive", "seasonal_naive", "window_average", "ets"]
    setting = ModelSetting("D", 7, 28)
    local = StatisticalModels(names, "D", 7, 28, n_jobs=1).forecast(panel, 7)
    spark = spark_engine.con._session.createDataFrame(panel)
    distributed = statistical_forecast(spark, names, setting, 7)
    merged = local.merge(distributed, on=["unique_id", "ds"], suffixes=("", "_spark"))
    assert len(merged) == len(local) == 10 * 7
    for name in names:
        # float64 all the way: the library's backend alone would round to float32 (2e-7 off near 5)
        np.testing.assert_allclose(merged[f"{name}_spark"], merged[name], rtol=1e-12, atol=0)


def test_a_spark_run_equals_the_local_run_with_the_global_models_sampled(spark_engine, panel, monkeypatch):
    # 300 training rows: LightGBM and the regression train on 3 of the 8 long series (about 100 recent rows
    # each), so every other series is forecast on the executors from the driver's model.
    monkeypatch.setattr(lgbm_module, "MAX_TRAIN_ROWS", 300)
    monkeypatch.setattr(linear_module, "MAX_TRAIN_ROWS", 300)
    options = dict(horizon=7, freq="D", model="auto", season_length=7, windows=1, ets_series=4)
    local = run_forecast(panel, **options)
    spark = run_forecast_spark(spark_engine.con._session.createDataFrame(panel), **options)
    assert local.explainers["lgbm"].sampled_ and spark.explainers["lgbm"].sampled_
    assert spark.explainers["lgbm"].train_rows_ == local.explainers["lgbm"].train_rows_ <= 300
    assert spark.served == local.served
    assert spark.failures == local.failures == []
    a, b = local.forecasts, spark.forecasts
    assert list(a.columns) == list(b.columns) and len(a) == len(b) == 10 * 7
    assert (a["model"] == b["model"]).all() and (a.loc[a["unique_id"] >= "p08", "model"] == "window_average").all()
    numbers = [c for c in a.columns if c not in ("unique_id", "ds", "model")]
    pd.testing.assert_frame_equal(a[numbers], b[numbers], rtol=1e-9, atol=1e-12)
    for model, scores in local.metrics.items():
        assert spark.metrics[model] == pytest.approx(scores, rel=1e-9, nan_ok=True)
    pd.testing.assert_frame_equal(local.backtest, spark.backtest, rtol=1e-9, atol=1e-12)
    contrib = local.explainers["lgbm"].contributions()
    pd.testing.assert_frame_equal(contrib, spark.explainers["lgbm"].contributions()[contrib.columns], rtol=1e-9)
    # the driver holds the plotted best sellers' history and every series' last 90 days (what a saved run
    # keeps; the two short series have 20), not the panel
    top = panel.groupby("unique_id")["y"].sum().nlargest(3).index
    assert len(spark.history) == 3 * 120 + 5 * 90 + 2 * 20 < len(panel)
    pd.testing.assert_frame_equal(recent_history(local.history), recent_history(spark.history))
    assert set(spark.history.loc[spark.history["unique_id"].isin(top), "ds"]) == set(panel["ds"])
