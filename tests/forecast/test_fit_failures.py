"""A model that cannot fit a window falls back to the window average, and the output says so (issue 10, case 10).

On Online Retail, ``--as-of 2011-01-15 forecast --level total`` used to exit 1 with LightGBM's
"[tweedie]: sum of labels is zero": the training rows that have every lag fall in the shop's
Christmas closure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shopmine.errors import ModelFitError
from shopmine.forecast import run_forecast
from shopmine.forecast.lgbm import LGBMForecaster
from shopmine.forecast.report import fit_failure_note, forecast_result
from shopmine.forecast.run import FALLBACK_MODEL



def _closed_shop() -> pd.DataFrame:
    """20 days of sales (4 units a day), then a 60-day closure: every row with all lags is zero."""
    y = np.r_[np.full(20, 4.0), np.zeros(60)]
    return pd.DataFrame({"unique_id": "shop", "ds": pd.date_range("2024-01-01", periods=len(y)), "y": y})


def test_lgbm_refuses_all_zero_training_targets_with_its_own_error():
    with pytest.raises(ModelFitError, match=r"every training target is zero"):
        LGBMForecaster("D", 7, n_estimators=10).fit(_closed_shop(), 7)


def test_forecast_crashes_on_a_stretch_with_no_sales_falls_back_and_says_so():
    run = run_forecast(_closed_shop(), horizon=7, freq="D", model="lgbm", season_length=7, windows=2)
    # every fit fell back: origins 80 - 1 - 7 = day 72 (2024-03-13) and 7 days before; the mean of the last 28 days is 0
    assert [f["origin"] for f in run.failures] == ["2024-03-06", "2024-03-13", "final"]
    assert all(f["models"] == ["lgbm"] and "every training target is zero" in f["reason"] for f in run.failures)
    assert (run.forecasts["model"] == f"{FALLBACK_MODEL} (lgbm could not be fitted)").all()
    assert run.forecasts["forecast"].tolist() == [0.0] * 7
    assert run.backtest["lgbm"].tolist() == [0.0] * 14
    summary = forecast_result(run, level="total").summary
    assert "lgbm could not be fitted at origin 2024-03-06" in summary and "window_average stands in" in summary


def test_auto_keeps_the_models_that_fit_when_one_cannot():
    run = run_forecast(_closed_shop(), horizon=7, freq="D", model="auto", season_length=7, windows=2)
    assert {m for f in run.failures for m in f["models"]} == {"lgbm"}
    assert np.isfinite(run.metrics["ets"]["rmse"]) and np.isfinite(run.metrics["auto"]["rmse"])
    # the window average's column and lgbm's hold the same numbers where lgbm fell back
    assert run.backtest["lgbm"].equals(run.backtest["window_average"])


def test_fit_failure_note_is_empty_without_failures():
    assert fit_failure_note([]) == ""


def test_online_retail_total_forecast_before_the_christmas_closure_exits_0(tmp_path, capsys, real_data):
    from shopmine.cli.app import main

    folder = real_data("uci_online_retail")
    ws = tmp_path / "ws"
    files = sorted(str(p) for p in folder.glob("online_retail_2010-12.csv.gz")) + \
        sorted(str(p) for p in folder.glob("online_retail_2011-01.csv.gz"))
    assert main(["init", str(ws)]) == 0
    assert main(["-w", str(ws), "ingest", *files, "--preset", "online_retail"]) == 0
    capsys.readouterr()
    code = main(["-w", str(ws), "--as-of", "2011-01-15", "forecast", "--level", "total",
                 "--output", str(tmp_path / "f.csv")])
    out = capsys.readouterr().out
    assert code == 0
    assert "lgbm could not be fitted" in " ".join(out.split())
    forecasts = pd.read_csv(tmp_path / "f.csv")
    assert len(forecasts) == 14 and forecasts["forecast"].notna().all()


def _weekly_year(weeks: int = 53) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    y = 100 + 20 * np.sin(np.arange(weeks) / 52 * 2 * np.pi) + rng.normal(0, 5, weeks)
    return pd.DataFrame({"unique_id": "total", "ds": pd.date_range("2023-01-02", periods=weeks, freq="W-MON"),
                         "y": y})


def test_weekly_linear_on_one_year_of_history_falls_back_instead_of_failing():
    # 53 weeks: enough for min_history (53), but lags up to 52 leave the regression 1 row
    run = run_forecast(_weekly_year(), horizon=4, freq="W", model="linear", season_length=52, windows=1)
    assert run.failures[-1]["origin"] == "final" and "usable training rows" in run.failures[-1]["reason"]
    assert (run.forecasts["model"] == f"{FALLBACK_MODEL} (linear could not be fitted)").all()


def test_weekly_auto_on_one_year_serves_the_window_average_and_says_why():
    run = run_forecast(_weekly_year(), horizon=4, freq="W", model="auto", season_length=52, windows=2)
    # both backtest origins have fewer than 53 weeks: every column is the window average's, a tie
    assert run.served == FALLBACK_MODEL
    summary = forecast_result(run, level="total").summary
    assert "Best backtest RMSSE: window_average" in summary
    assert "every model's backtest is window_average's" in summary
    # the tie-broken scores are real numbers, not NaN: MASE falls back to the lag-1 scale
    assert np.isfinite(run.metrics["auto"]["mase"])
