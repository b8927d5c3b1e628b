"""The forecast section's tables in the order a merchant reads them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from shopmine.forecast import run_forecast
from shopmine.forecast.report import forecast_result


def test_the_outlook_comes_first_largest_forecast_first():
    # "a" sorts first by id but sells nothing lately; "b" sells 5 a day: the section must open on "b"
    days = pd.date_range("2024-01-01", periods=60)
    series = pd.concat([pd.DataFrame({"unique_id": "a", "ds": days, "y": np.r_[np.full(30, 2.0), np.zeros(30)]}),
                        pd.DataFrame({"unique_id": "b", "ds": days, "y": np.full(60, 5.0)})])
    run = run_forecast(series, horizon=7, freq="D", model="window_average", season_length=7, windows=1)
    result = forecast_result(run, level="product")
    assert list(result.tables)[:2] == ["outlook", "forecasts"]
    outlook = result.tables["outlook"]
    assert outlook["unique_id"].tolist() == ["b", "a"]
    assert outlook.loc[0, "next_periods"] == 35.0 and outlook.loc[1, "next_periods"] == 0.0
