"""Models, backtest windows, conformal intervals and the runner on toy series with known answers."""

import numpy as np
import pandas as pd
import pytest

from shopmine.errors import ShopmineInputError
from shopmine.forecast import LGBMForecaster, LinearForecaster, StatisticalModels, run_forecast
from shopmine.forecast.auto import choose_auto, combine
from shopmine.forecast.backtest import backtest_cutoffs
from shopmine.forecast.data import series_from_table
from shopmine.forecast.intervals import conformal_widths
from shopmine.forecast.lags import tree_lags
from shopmine.forecast.lgbm import FALLBACK_ESTIMATORS, MAX_ESTIMATORS
from shopmine.forecast.metrics import series_scales


def _weekly_pattern(n=70):
    ds = pd.date_range("2024-01-01", periods=n)  # a Monday
    return pd.DataFrame({"unique_id": "a", "ds": ds, "y": 5.0 + (ds.weekday == 5) * 3})


def test_statistical_models_by_hand():
    df = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=6),
                       "y": [1.0, 2, 3, 4, 5, 6]})
    out = StatisticalModels(["naive", "seasonal_naive", "window_average"], "D", 3, 2).forecast(df, 3)
    assert out["naive"].tolist() == [6.0, 6.0, 6.0]
    assert out["seasonal_naive"].tolist() == [4.0, 5.0, 6.0]
    assert out["window_average"].tolist() == [5.5, 5.5, 5.5]


def test_ets_forward_keeps_the_fitted_models_and_fits_unseen_series():
    from statsforecast.models import AutoETS

    rng = np.random.default_rng(5)
    ds = pd.date_range("2024-01-01", periods=120)
    df = pd.concat([pd.DataFrame({"unique_id": u, "ds": ds, "y": rng.poisson(4 + 5 * (ds.weekday == 5)).astype(float)})
                    for u in "abc"], ignore_index=True)
    origin = df[df["ds"] <= ds[-15]]
    models = StatisticalModels(["naive", "ets"], "D", 7, 7)
    models.forecast(origin[origin["unique_id"] != "c"], 7)
    out = models.forward(df, 7).sort_values(["unique_id", "ds"], ignore_index=True)
    assert len(out) == 21 and out["ds"].min() == ds[-1] + pd.Timedelta(days=1)
    # a and b: the model chosen at the origin, run over the longer history without a new search
    fitted = AutoETS(season_length=7).fit(origin.loc[origin["unique_id"] == "a", "y"].to_numpy())
    expected = fitted.forward(y=df.loc[df["unique_id"] == "a", "y"].to_numpy(), h=7)["mean"]
    np.testing.assert_allclose(out.loc[out["unique_id"] == "a", "ets"], expected)
    # c was not seen at the origin: fitted afresh, as forecast() would
    fresh = StatisticalModels(["naive", "ets"], "D", 7, 7).forecast(df[df["unique_id"] == "c"], 7)
    np.testing.assert_allclose(out.loc[out["unique_id"] == "c", "ets"], fresh["ets"])
    assert (out["naive"] == np.repeat(df.groupby("unique_id")["y"].last().to_numpy(), 7)).all()


def test_linear_recovers_a_weekday_pattern_exactly():
    df = _weekly_pattern()
    out = LinearForecaster("D", 7).forecast(df, 7)
    expected = 5.0 + (out["ds"].dt.weekday == 5) * 3
    np.testing.assert_allclose(out["linear"], expected, atol=1e-6)


def test_linear_uses_a_known_driver():
    rng = np.random.default_rng(0)
    ds = pd.date_range("2024-01-01", periods=120)
    promo = (rng.random(120) < 0.3).astype(float)
    df = pd.DataFrame({"unique_id": "a", "ds": ds, "y": 10.0 + 6 * promo, "promo": promo})
    future = pd.DataFrame({"unique_id": "a", "ds": pd.date_range(ds[-1], periods=4)[1:], "promo": [1.0, 0, 1]})
    model = LinearForecaster("D", 7).fit(df, 3, future)
    np.testing.assert_allclose(model.predict()["linear"], [16.0, 10.0, 16.0], atol=1e-6)
    assert model.correlations_["feature"].iloc[0] == "promo"
    assert {"term", "coefficient", "std_error"} <= set(model.coefficients_.columns)


def test_lgbm_contributions_add_up_to_the_forecast():
    rng = np.random.default_rng(1)
    ds = pd.date_range("2024-01-01", periods=100)
    df = pd.concat([pd.DataFrame({"unique_id": u, "ds": ds, "y": rng.poisson(4 + 4 * (ds.weekday == 5)).astype(float)})
                    for u in "ab"], ignore_index=True)
    model = LGBMForecaster("D", 7, n_estimators=40).fit(df, 5)
    out = model.predict()
    contrib = model.contributions()
    raw = contrib.drop(columns=["unique_id", "ds"]).sum(axis=1)
    merged = out.merge(contrib[["unique_id", "ds"]].assign(raw=raw), on=["unique_id", "ds"])
    np.testing.assert_allclose(np.exp(merged["raw"]), merged["lgbm"], rtol=1e-6)  # Tweedie: log link
    assert model.importance_["gain"].iloc[0] > 0


def test_lgbm_rounds_by_early_stopping_or_given():
    rng = np.random.default_rng(3)
    ds = pd.date_range("2024-01-01", periods=150)
    df = pd.concat([pd.DataFrame({"unique_id": u, "ds": ds, "y": rng.poisson(3 + 6 * (ds.weekday == 4)).astype(float)})
                    for u in "abc"], ignore_index=True)
    chosen = LGBMForecaster("D", 7).fit(df, 7)
    # a plain weekday pattern is learnt long before the cap, so early stopping ends the search
    assert 1 <= chosen.n_estimators_ < MAX_ESTIMATORS
    assert chosen.mlf_.models_["lgbm"].booster_.num_trees() == chosen.n_estimators_
    # the early-stopped model is kept: it has not seen the last horizon, the forecasts still start after it
    assert len(chosen.predict()) == 3 * 7
    assert LGBMForecaster("D", 7, n_estimators=40).fit(df, 7).n_estimators_ == 40
    # 120 days less the 28 the longest lag needs leave fewer than four horizons of 28: no validation
    short = df[df["ds"] < ds[120]]
    assert LGBMForecaster("D", 7).fit(short, 28).n_estimators_ == FALLBACK_ESTIMATORS


def test_run_chooses_lgbm_rounds_once_and_reuses_them(monkeypatch):
    rng = np.random.default_rng(3)
    ds = pd.date_range("2024-01-01", periods=200)
    df = pd.concat([pd.DataFrame({"unique_id": u, "ds": ds, "y": rng.poisson(3 + 6 * (ds.weekday == 4)).astype(float)})
                    for u in "abc"], ignore_index=True)
    searches = []
    original = LGBMForecaster._early_stopped

    def counted(self, *args):
        model = original(self, *args)
        searches.append(model.best_iteration_)
        return model

    monkeypatch.setattr(LGBMForecaster, "_early_stopped", counted)
    run = run_forecast(df, horizon=7, freq="D", model="lgbm", season_length=7, windows=2)
    # early stopping at the first backtest origin only; the second origin and the final fit reuse it
    assert len(searches) == 1
    assert run.explainers["lgbm"].n_estimators_ == searches[0]
    assert run.explainers["lgbm"].mlf_.models_["lgbm"].booster_.num_trees() == searches[0]


def test_lgbm_trains_on_the_last_year_of_days():
    ds = pd.date_range("2022-01-03", periods=500)
    df = pd.DataFrame({"unique_id": "a", "ds": ds, "y": 5.0 + (ds.weekday == 5) * 3})
    model = LGBMForecaster("D", 7, n_estimators=5).fit(df, 7)
    # the lag features still reach back before the year: the first kept row has all of them
    assert model.train_rows_ == 365


def test_tree_lags():
    assert tree_lags(7) == [1, 2, 3, 4, 5, 6, 7, 14, 21, 28]
    assert tree_lags(52) == [1, 2, 3, 4, 52]
    assert tree_lags(12) == [1, 2, 3, 4, 12]


def _astray_backtest():
    # The truth is 10 throughout; each model is close except for one period, a different one each.
    ds = pd.date_range("2024-01-01", periods=6)
    return pd.DataFrame({"unique_id": "a", "ds": ds, "cutoff": ds[0], "y": 10.0,
                         "m1": [40, 11, 11, 11, 11, 11.0], "m2": [9, 40, 9, 9, 9, 9.0],
                         "m3": [10.5, 10.5, 40, 10.5, 10.5, 10.5]})


def test_auto_takes_the_median_when_each_model_goes_astray_once():
    bt = _astray_backtest()
    scales = {bt["cutoff"].iloc[0]: series_scales(pd.DataFrame({"unique_id": "a", "ds": range(5),
                                                                "y": [0.0, 2, 4, 4, 8]}), 2)}
    served, members = choose_auto(bt, ["m1", "m2", "m3"], scales)
    # ranked by RMSSE: m3 (squared errors 900 + 5 * 0.25), then m1 and m2 (900 + 5 * 1) in input order
    assert (served, members) == ("median(m3+m1+m2)", ["m3", "m1", "m2"])
    assert combine(bt, served, members).tolist() == [10.5, 11.0, 11.0, 10.5, 10.5, 10.5]
    # one model that never goes astray is served alone
    assert choose_auto(bt.assign(m3=10.2), ["m1", "m2", "m3"], scales) == ("m3", ["m3"])


def test_combine_mean_and_median():
    f = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 2.0], "c": [8.0, 5.0]})
    assert combine(f, "ensemble(a+b+c)", ["a", "b", "c"]).tolist() == [4.0, 3.0]
    assert combine(f, "median(a+b+c)", ["a", "b", "c"]).tolist() == [3.0, 2.0]
    assert combine(f, "c", ["c"]).tolist() == [8.0, 5.0]


def test_backtest_cutoffs_and_too_short_history():
    d = pd.Series(pd.date_range("2024-01-01", periods=10))
    assert [c.day for c in backtest_cutoffs(d, 2, 2, 3)] == [5, 8]
    with pytest.raises(ShopmineInputError, match="^windows 5 step 3 with horizon 2 needs more than") as caught:
        backtest_cutoffs(d, 2, 5, 3)
    assert caught.value.render({"windows": "--backtest", "step": "--step", "horizon": "--horizon"}.get) \
        .startswith("--backtest 5 --step 3 with --horizon 2 needs more than")


def test_conformal_quantile_by_hand():
    bt = pd.DataFrame({"unique_id": "a", "y": np.arange(1.0, 11.0), "m": np.zeros(10)})
    w = conformal_widths(bt, "m").iloc[0]
    assert w["width_80"] == 9.0   # ceil(11 * 0.8) = 9th smallest of 1..10
    assert w["width_95"] == 10.0  # ceil(11 * 0.95) = 11 > 10: the largest


def test_run_forecast_output_contract_and_auto():
    rng = np.random.default_rng(2)
    ds = pd.date_range("2024-01-01", periods=90)
    df = pd.concat([pd.DataFrame({"unique_id": u, "ds": ds, "y": rng.poisson(5 + 5 * (ds.weekday >= 5)).astype(float)})
                    for u in "abc"], ignore_index=True)
    run = run_forecast(df, horizon=7, freq="D", model="auto", season_length=7, windows=2)
    f = run.forecasts
    assert list(f.columns[:8]) == ["unique_id", "ds", "forecast", "forecast-lo-80", "forecast-hi-80",
                                   "forecast-lo-95", "forecast-hi-95", "model"]
    assert {"naive", "seasonal_naive", "window_average", "ets", "linear", "lgbm", "auto"} <= set(f.columns)
    assert len(f) == 21 and (f["forecast-lo-95"] <= f["forecast-lo-80"]).all()
    assert (f["forecast-lo-80"] <= f["forecast"]).all() and (f["forecast"] <= f["forecast-hi-80"]).all()
    assert (f["forecast-lo-95"] >= 0).all()
    # auto serves the candidate with the best backtest score, so it is never worse than all of them
    assert run.metrics["auto"]["rmsse"] <= max(run.metrics[m]["rmsse"] for m in run.metrics if m != "auto")
    assert set(run.metrics["ets"]) >= {"mae", "rmse", "wape", "mase", "rmsse", "coverage_80", "coverage_95"}


def test_run_forecast_rejects_unknown_model():
    df = _weekly_pattern()
    with pytest.raises(ShopmineInputError, match="^model must be one of .*; got 'prophet'"):
        run_forecast(df, horizon=7, freq="D", model="prophet", season_length=7)


def test_series_from_table_errors(weekly_table):
    with pytest.raises(ShopmineInputError, match=r"^target_col must be a column of the table \(store, week, sales"):
        series_from_table(weekly_table, id_col="store", time_col="week", target_col="revenue", freq="W")
    bad = weekly_table.assign(week="soon")
    with pytest.raises(ShopmineInputError, match="^time_col 'week': rows"):
        series_from_table(bad, id_col="store", time_col="week", target_col="sales", freq="W")
    with pytest.raises(ShopmineInputError, match="repeat a period"):
        series_from_table(weekly_table, id_col=None, time_col="week", target_col="sales", freq="W")
