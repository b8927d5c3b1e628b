"""``naive``, ``seasonal_naive``, ``window_average``: statsforecast's cheap baselines, fitted together."""

from __future__ import annotations

import pandas as pd

from shopmine.forecast.models.base import FitAtPredict, ModelSetting
from shopmine.forecast.statistical import StatisticalModels

__all__ = ["Baselines"]


class Baselines(FitAtPredict):
    """One statsforecast pass over the series for every baseline asked for (nothing to search).

    Examples
    --------
    >>> df = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=4), "y": [1., 2, 3, 4]})
    >>> Baselines(["naive"], ModelSetting("D", 2, 2)).fit(df).predict(2)["naive"].tolist()
    [4.0, 4.0]
    """

    def predict(self, h: int, future: pd.DataFrame | None = None) -> pd.DataFrame:
        s = self.setting
        return StatisticalModels(self.aliases, s.freq, s.season_length, s.window_size).forecast(self._train, h)
