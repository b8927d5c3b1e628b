"""Conformal intervals are calibrated: on series with known noise, the 80 % and 95 % intervals cover
about 80 % and 95 % of the held-out values (issue 12, "Tests that can't skip quietly").

With ``windows`` backtest windows of ``h`` periods, each series has ``n = windows * h`` absolute errors and
its half-width at level ``a`` is the ``ceil((n + 1) a)``-th smallest. For exchangeable errors the
coverage of that rank is ``ceil((n + 1) a) / (n + 1)``: with n = 28, 24 / 29 = 0.828 at 80 % and
28 / 29 = 0.966 at 95 %, both within 5 points of the level. (The backtest's own cross-conformal
``coverage_95`` calibrates on one window of 14 errors, whose largest covers 14 / 15 = 0.933 at best,
less for naive, whose errors in a window share the last observed value's noise: it is a rough guide,
not checked here.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shopmine.forecast.intervals import holdout_coverage
from shopmine.forecast.run import run_forecast

SERIES, DAYS, HORIZON = 400, 160, 14


def noisy_levels(seed: int) -> pd.DataFrame:
    """Each series a constant level (20 .. 200) plus Gaussian noise of 10 % of it: nothing to learn
    but the level, so the interval width is all about the noise."""
    rng = np.random.default_rng(seed)
    level = rng.uniform(20, 200, SERIES)
    y = level[:, None] + rng.normal(0.0, 1.0, (SERIES, DAYS)) * (0.1 * level)[:, None]
    ds = pd.date_range("2024-01-01", periods=DAYS, freq="D")
    return pd.DataFrame({"unique_id": np.repeat([f"s{i:03d}" for i in range(SERIES)], DAYS),
                         "ds": np.tile(ds, SERIES), "y": y.ravel()})


@pytest.mark.parametrize("model", ["window_average", "naive"])
def test_80_and_95_percent_intervals_cover_within_five_points(model):
    series = noisy_levels(seed=7)
    held_out = series["ds"] > series["ds"].max() - pd.Timedelta(days=HORIZON)
    run = run_forecast(series[~held_out], horizon=HORIZON, freq="D", model=model, season_length=7, windows=2)
    cover = holdout_coverage(run.forecasts, series[held_out])
    assert abs(cover[80] - 0.80) < 0.05, cover
    assert abs(cover[95] - 0.95) < 0.05, cover
