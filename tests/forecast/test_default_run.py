"""The default forecast of a whole shop: AutoETS on the best sellers only, progress, a kept result (issue 11)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shopmine.errors import ShopmineInputError
from shopmine.forecast import run_forecast
from shopmine.forecast.auto import window_mean
from shopmine.forecast.run import best_sellers


@pytest.fixture(scope="module")
def four_series() -> pd.DataFrame:
    """Four daily series of 90 days; totals a > b > c > d (levels 40, 20, 6, 3)."""
    rng = np.random.default_rng(5)
    ds = pd.date_range("2024-01-01", periods=90)
    frames = [pd.DataFrame({"unique_id": uid, "ds": ds, "y": rng.poisson(level, 90).astype(float)})
              for uid, level in (("a", 40), ("b", 20), ("c", 6), ("d", 3))]
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def split_run(four_series):
    calls = []
    run = run_forecast(four_series, horizon=7, freq="D", model="auto", season_length=7, windows=2,
                       ets_series=2, progress=lambda *args: calls.append(args))
    return run, calls


def test_best_sellers_are_the_largest_totals(four_series):
    assert best_sellers(four_series, 2) == {"a", "b"}
    assert best_sellers(four_series, 4) is None and best_sellers(four_series, None) is None


def test_ets_runs_on_the_best_sellers_only(split_run):
    run, _ = split_run
    has_ets = run.backtest.groupby("unique_id")["ets"].apply(lambda s: s.notna().all())
    assert has_ets.to_dict() == {"a": True, "b": True, "c": False, "d": False}
    final = run.forecasts.groupby("unique_id")["ets"].apply(lambda s: s.notna().all())
    assert final.to_dict() == {"a": True, "b": True, "c": False, "d": False}
    # every series still has an auto forecast and intervals
    assert run.forecasts[["forecast", "forecast-lo-95", "forecast-hi-95"]].notna().all().all()


def test_auto_chooses_per_group_and_the_model_column_says_which(split_run):
    run, _ = split_run
    served = dict(part.split(" for the ")[::-1] for part in run.served.split("; "))
    assert set(served) == {"best sellers", "other series"}
    assert "ets" not in served["other series"]
    per_series = run.forecasts.drop_duplicates("unique_id").set_index("unique_id")["model"]
    assert per_series["a"] == per_series["b"] == served["best sellers"]
    assert per_series["c"] == per_series["d"] == served["other series"]


def test_ets_is_scored_on_the_series_it_forecast(split_run):
    run, _ = split_run
    head = run.backtest[run.backtest["unique_id"].isin(["a", "b"])]
    assert run.metrics["ets"]["rmsse"] == pytest.approx(window_mean(head, ["ets"], run.scales)["ets"]["rmsse"])
    # the other models are scored on all four series
    assert run.metrics["lgbm"]["rmsse"] == pytest.approx(
        window_mean(run.backtest, ["lgbm"], run.scales)["lgbm"]["rmsse"])
    assert np.isfinite(run.metrics["ets"]["coverage_80"])


def test_progress_counts_every_fit(split_run):
    _, calls = split_run
    # (2 backtest origins + the final fit) x (cheap baselines, ets, linear, lgbm)
    assert [c[1:] for c in calls] == [(i, 12) for i in range(1, 13)]
    # 90 days to 2024-03-30: origins 7 and 14 days before the last 7 (2024-03-23, 2024-03-16)
    assert calls[0][0] == "backtest origin 2024-03-16: naive+seasonal_naive+window_average"
    assert calls[4][0] == "backtest origin 2024-03-23: naive+seasonal_naive+window_average"
    assert calls[-1][0] == "final fit: lgbm"


def test_model_ets_alone_forecasts_every_series(four_series):
    run = run_forecast(four_series, horizon=7, freq="D", model="ets", season_length=7, windows=1, ets_series=1)
    assert run.forecasts["forecast"].notna().all() and run.forecasts["unique_id"].nunique() == 4


def test_bad_ets_series_is_refused(four_series):
    with pytest.raises(ShopmineInputError, match=r"^ets_series must be a whole number of series, at least 0; got -1\.$"):
        run_forecast(four_series, horizon=7, freq="D", season_length=7, ets_series=-1)


def test_the_command_shows_progress_lines_and_keeps_the_forecast(demo_workspace, run):
    code, stdout, stderr = run("--workspace", demo_workspace, "forecast", "--level", "category", "--horizon", "7",
                               "--ets-series", "2")
    assert code == 0, stderr
    # not a terminal: plain progress lines on stderr, one per fit
    assert "... [1/12] backtest origin" in stderr and "... [12/12] final fit: lgbm" in stderr
    assert stderr.count("... preparing the series") == 1  # said by the command and the library: shown once
    kept = demo_workspace / "outputs" / "forecast.csv"
    assert f"written: {kept}" in stdout.replace("\n", "")  # the console may wrap a long path
    frame = pd.read_csv(kept)
    assert frame.groupby("unique_id").size().eq(7).all()
