"""A forecasting model is one class and one register() line: the run, auto and the CLI pick it up (issue 12)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import shopmine.forecast.run as forecast_run
from shopmine.errors import ShopmineInputError
from shopmine.forecast import run_forecast
from shopmine.forecast.data import horizon_dates
from shopmine.forecast.models import REGISTRY, ModelSpec, aliases, register, unregister


class MeanOfLast3:
    """The toy model: each series' mean of its last three periods, flat over the horizon."""

    def __init__(self, aliases, setting):
        self.aliases = list(aliases)
        self.freq = setting.freq

    def fit(self, df):
        tail = df.sort_values("ds").groupby("unique_id").tail(3)
        self.mean_ = tail.groupby("unique_id")["y"].mean()
        self.last_ = df.groupby("unique_id")["ds"].max()
        return self

    def predict(self, h, future=None):
        parts = [pd.DataFrame({"unique_id": uid, "ds": horizon_dates(self.last_[uid], h, self.freq),
                               "mean3": self.mean_[uid]}) for uid in self.mean_.index]
        return pd.concat(parts, ignore_index=True)


@pytest.fixture
def mean3():
    spec = register(ModelSpec("mean3", MeanOfLast3))
    yield spec
    unregister("mean3")


def _series() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    ds = pd.date_range("2024-01-01", periods=90)
    return pd.concat([pd.DataFrame({"unique_id": u, "ds": ds, "y": rng.poisson(4 + 3 * (ds.weekday == 5)).astype(float)})
                      for u in "ab"], ignore_index=True)


def test_a_registered_model_is_scored_and_is_one_of_autos_candidates(mean3, monkeypatch):
    seen = []
    choose = forecast_run.choose_auto

    def recording(backtest, candidates, scales):
        seen.append(list(candidates))
        return choose(backtest, candidates, scales)

    monkeypatch.setattr(forecast_run, "choose_auto", recording)
    series = _series()
    run = run_forecast(series, horizon=7, freq="D", season_length=7, windows=2, ets_series=None)
    assert seen == [["naive", "seasonal_naive", "window_average", "ets", "linear", "lgbm", "mean3"]]
    assert "mean3" in run.metrics and np.isfinite(run.metrics["mean3"]["rmsse"])
    # the backtest column is the toy's own forecast: the mean of the last three training days
    first = run.backtest[(run.backtest["unique_id"] == "a")].iloc[0]
    train = series[(series["unique_id"] == "a") & (series["ds"] <= first["cutoff"])]
    assert first["mean3"] == pytest.approx(train["y"].tail(3).mean())
    assert "mean3" in run.forecasts.columns


def test_the_registered_model_serves_alone_and_unregistered_is_refused(mean3):
    run = run_forecast(_series(), horizon=7, freq="D", model="mean3", season_length=7, windows=2)
    assert run.served == "mean3" and set(run.metrics) == {"mean3"}
    assert (run.forecasts["forecast"] == run.forecasts["mean3"]).all()
    unregister("mean3")
    with pytest.raises(ShopmineInputError, match=r"model must be one of naive, .*lgbm, auto; got 'mean3'"):
        run_forecast(_series(), horizon=7, freq="D", model="mean3", season_length=7, windows=2)


def test_an_alias_is_registered_once():
    with pytest.raises(ShopmineInputError, match=r"'lgbm' is registered already"):
        register(ModelSpec("lgbm", MeanOfLast3))
    assert aliases() == [m.alias for m in REGISTRY] == ["naive", "seasonal_naive", "window_average", "ets",
                                                        "linear", "lgbm"]


def test_the_cli_lists_a_registered_model_under_model():
    src = Path(__file__).resolve().parents[2] / "src"
    script = textwrap.dedent("""
        from shopmine.forecast.models import ModelSpec, register
        from shopmine.forecast.models.baselines import Baselines
        register(ModelSpec("mean3", Baselines))
        from shopmine.cli.app import main
        raise SystemExit(main(["forecast", "--help"]))
    """)
    env = {**os.environ, "PYTHONPATH": str(src), "COLUMNS": "250", "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    help_text = " ".join(done.stdout.split())
    assert "<naive|seasonal_naive|window_average|ets|linear|lgbm|mean3|auto>" in help_text


def test_an_alias_cannot_take_a_column_name_of_the_output():
    with pytest.raises(ShopmineInputError, match=r"'forecast': use a Python identifier other than auto, unique_id"):
        register(ModelSpec("forecast", MeanOfLast3))
    assert "forecast" not in aliases()


class Nameless(MeanOfLast3):
    def predict(self, h, future=None):
        return super().predict(h, future).rename(columns={"mean3": "other"})


def test_a_model_that_does_not_write_its_column_is_a_bug_named_as_such():
    register(ModelSpec("mean3", Nameless))
    try:
        with pytest.raises(TypeError, match=r"Nameless \(mean3\) returned no column mean3"):
            run_forecast(_series(), horizon=7, freq="D", model="mean3", season_length=7, windows=2)
    finally:
        unregister("mean3")
