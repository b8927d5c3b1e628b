"""Many series: the global models train on a subset of whole series and still forecast every series."""

import numpy as np
import pandas as pd
import pytest

import shopmine.forecast.lgbm as lgbm_module
import shopmine.forecast.linear as linear_module
from shopmine.forecast import LGBMForecaster, LinearForecaster
from shopmine.forecast.data import sample_series


@pytest.fixture(scope="module")
def twelve() -> pd.DataFrame:
    """12 daily series of 100 days, series i selling around 2 * (i + 1) units a day (weekend peak)."""
    ds = pd.date_range("2025-01-06", periods=100, freq="D")
    rng = np.random.default_rng(0)
    parts = []
    for i in range(12):
        level = 2.0 * (i + 1)
        y = rng.poisson(level * np.where(ds.weekday >= 5, 1.5, 1.0)).astype(float)
        parts.append(pd.DataFrame({"unique_id": f"s{i:02d}", "ds": ds, "y": y}))
    return pd.concat(parts, ignore_index=True)


def _own_level_ratio(history: pd.DataFrame, forecast: pd.DataFrame, column: str) -> pd.Series:
    level = history.groupby("unique_id")["y"].mean()
    return forecast.groupby("unique_id")[column].mean() / level


def test_sample_series_takes_every_kth_series_by_sales_from_the_best_seller(twelve):
    chosen = sample_series(twelve, None, 300)  # 1,200 rows: every fourth series
    by_sales = twelve.groupby("unique_id")["y"].sum().sort_values(ascending=False).index
    assert list(chosen) == list(by_sales[[0, 4, 8]])
    assert chosen[0] == "s11"  # the best seller is always in: trees cannot forecast beyond the levels they saw
    assert list(sample_series(twelve.sample(frac=1.0, random_state=1), None, 300)) == list(chosen)
    assert sample_series(twelve, None, 1200) is None
    # rows before ``since`` do not count: 12 series x 20 recent days fit in 240 rows
    assert sample_series(twelve, twelve["ds"].max() - pd.Timedelta(days=20), 240) is None


def test_lgbm_trains_on_a_subset_and_forecasts_every_series_from_its_own_history(twelve, monkeypatch):
    monkeypatch.setattr(lgbm_module, "MAX_TRAIN_ROWS", 300)
    model = LGBMForecaster("D", 7, n_estimators=60).fit(twelve, 7)
    assert model.sampled_
    assert 0 < model.train_rows_ <= 300
    assert "series" not in model.mlf_.models_["lgbm"].booster_.feature_name()
    out = model.predict()
    assert sorted(out["unique_id"].unique()) == sorted(twelve["unique_id"].unique())
    assert len(out) == 12 * 7 and np.isfinite(out["lgbm"]).all()
    # the series the model never trained on still follow their own levels, from their own lags and
    # their expanding mean (the feature that stands in for the series id)
    assert "expanding_mean_lag1" in model.mlf_.models_["lgbm"].booster_.feature_name()
    means = out.groupby("unique_id")["lgbm"].mean()
    assert means.rank().corr(pd.Series(np.arange(12.0), index=means.index), method="spearman") > 0.9, means
    # the report's explanations cover every forecast: contributions add up to the log of each forecast
    contrib = model.contributions()
    assert len(contrib) == 12 * 7
    raw = contrib.drop(columns=["unique_id", "ds"]).sum(axis=1)
    merged = contrib[["unique_id", "ds"]].assign(raw=raw).merge(out, on=["unique_id", "ds"])
    np.testing.assert_allclose(np.exp(merged["raw"]), merged["lgbm"], rtol=1e-6)


def test_lgbm_keeps_every_series_and_the_series_id_under_the_limit(twelve):
    model = LGBMForecaster("D", 7, n_estimators=20).fit(twelve, 7)
    assert not model.sampled_
    features = model.mlf_.models_["lgbm"].booster_.feature_name()
    assert "series" in features and "expanding_mean_lag1" not in features


def test_linear_fits_on_a_subset_and_forecasts_every_series(twelve, monkeypatch):
    full = LinearForecaster("D", 7, explain=False).fit(twelve, 7)
    monkeypatch.setattr(linear_module, "MAX_TRAIN_ROWS", 300)
    model = LinearForecaster("D", 7, explain=False).fit(twelve, 7)
    # 3 series of 100 days, each losing its first 7 (before the longest lag)
    assert model.ols_.nobs == 3 * (100 - 7) < full.ols_.nobs == 12 * (100 - 7)
    out = model.predict()
    assert len(out) == 12 * 7 and np.isfinite(out["linear"]).all()
    ratio = _own_level_ratio(twelve, out, "linear")
    assert ratio.between(0.6, 1.6).all(), ratio
