"""Long daily histories: the models train on the last year, and what they drop changes no kept value."""

import numpy as np
import pandas as pd
import pytest

from shopmine.forecast import LGBMForecaster, LinearForecaster, StatisticalModels, run_forecast
from shopmine.forecast.data import RECENT_PERIODS
from shopmine.forecast.lgbm import FEATURE_WARMUP


def _daily(uid: str, n: int, seed: int, end: str = "2025-12-31") -> pd.DataFrame:
    ds = pd.date_range(end=end, periods=n, freq="D")
    rng = np.random.default_rng(seed)
    y = 4.0 + 2.0 * (ds.weekday >= 5) + rng.poisson(1.0, n)
    return pd.DataFrame({"unique_id": uid, "ds": ds, "y": y.astype(float)})


@pytest.fixture(scope="module")
def two_years() -> pd.DataFrame:
    return pd.concat([_daily("a", 730, 1), _daily("b", 730, 2)], ignore_index=True)


def test_linear_trains_on_the_last_year_and_drops_only_rows_no_feature_needs(two_years):
    model = LinearForecaster("D", 7).fit(two_years, 7)
    assert model.ols_.nobs == 2 * RECENT_PERIODS["D"]
    # The last year's features reach 28 days back (the longest lag and window): a fit on the last
    # year + 28 days is the same fit, once each series' scale (its mean over what it is given) is
    # the same, which holds when the older part is constant at the later part's mean.
    tail = RECENT_PERIODS["D"] + 28
    parts = []
    for _, g in two_years.groupby("unique_id"):
        y = g["y"].to_numpy().copy()
        y[:-tail] = y[-tail:].mean()
        parts.append(g.assign(y=y))
    flat_start = pd.concat(parts, ignore_index=True)
    full_fit = LinearForecaster("D", 7).fit(flat_start, 7)
    short_fit = LinearForecaster("D", 7).fit(flat_start.groupby("unique_id").tail(tail), 7)
    assert short_fit.ols_.nobs == full_fit.ols_.nobs
    np.testing.assert_allclose(short_fit.ols_.params.to_numpy(), full_fit.ols_.params.to_numpy(), rtol=1e-8)
    pd.testing.assert_frame_equal(short_fit.predict(), full_fit.predict(), rtol=1e-8)


def test_linear_backtest_fit_skips_the_explanations(two_years):
    model = LinearForecaster("D", 7, explain=False).fit(two_years, 7)
    assert not hasattr(model, "correlations_") and not hasattr(model, "sample_")
    assert len(model.coefficients_) == len(model.features_) + 1
    explained = LinearForecaster("D", 7).fit(two_years, 7)
    pd.testing.assert_frame_equal(model.predict(), explained.predict())
    assert set(explained.correlations_["feature"]) == set(explained.features_)


def test_lgbm_keeps_a_series_that_stopped_before_the_recent_year():
    # "old" stopped 600 days before the others: its training rows fall outside the last year, but it
    # keeps the history its forecast starts from.
    frame = pd.concat([_daily("a", 730, 1), _daily("old", 130, 3, end="2024-05-10")], ignore_index=True)
    model = LGBMForecaster("D", 7, n_estimators=20).fit(frame, 7)
    out = model.predict()
    assert sorted(out["unique_id"].unique()) == ["a", "old"]
    assert out.loc[out["unique_id"] == "old", "ds"].min() == pd.Timestamp("2024-05-11")
    assert model.train_rows_ == RECENT_PERIODS["D"]  # only "a" has rows in the last year
    assert FEATURE_WARMUP >= 35  # the same weekday four weeks back, rolled over four weeks


def test_daily_ets_is_fitted_on_the_last_year_before_the_origin(two_years):
    run = run_forecast(two_years, horizon=7, freq="D", model="ets", season_length=7, windows=1)
    cutoff = run.backtest["cutoff"].iloc[0]
    train = two_years[two_years["ds"] <= cutoff]
    recent = train[train["ds"] > cutoff - pd.Timedelta(days=RECENT_PERIODS["D"])]
    expected = StatisticalModels(["ets"], "D", 7, 28).forecast(recent, 7)
    got = run.backtest[["unique_id", "ds", "ets"]].merge(expected, on=["unique_id", "ds"], suffixes=("", "_x"))
    assert len(got) == 14
    np.testing.assert_allclose(got["ets"], got["ets_x"].clip(lower=0.0), rtol=1e-9)
