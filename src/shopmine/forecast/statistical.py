"""The statistical baselines through statsforecast: naive, seasonal naive, window average, AutoETS."""

from __future__ import annotations

import pandas as pd

__all__ = ["STATISTICAL_MODELS", "StatisticalModels"]

#: Model names this module serves.
STATISTICAL_MODELS = ("naive", "seasonal_naive", "window_average", "ets")


class StatisticalModels:
    """Several statsforecast models fitted together, one local model per series.

    Parameters
    ----------
    names : sequence of str
        A subset of :data:`STATISTICAL_MODELS`.
    freq : {"D", "W", "M"}
    season_length : int
    window_size : int
        Periods averaged by ``window_average``.
    n_jobs : int, default=1

    Examples
    --------
    >>> df = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=4), "y": [1., 2, 3, 4]})
    >>> StatisticalModels(["naive"], "D", 2, 2).forecast(df, 2)["naive"].tolist()
    [4.0, 4.0]
    """

    def __init__(self, names, freq: str, season_length: int, window_size: int, n_jobs: int = 1):
        self.names = list(names)
        self.freq = freq
        self.season_length = season_length
        self.window_size = window_size
        self.n_jobs = n_jobs

    def _models(self) -> list:
        from statsforecast.models import AutoETS, Naive, SeasonalNaive, WindowAverage

        make = {
            "naive": lambda: Naive(alias="naive"),
            "seasonal_naive": lambda: SeasonalNaive(self.season_length, alias="seasonal_naive"),
            "window_average": lambda: WindowAverage(self.window_size, alias="window_average"),
            # A series shorter than two seasons cannot fit seasonal ETS; statsforecast falls back
            # to the non-seasonal model by itself, so one season length serves all series.
            "ets": lambda: AutoETS(season_length=self.season_length, alias="ets"),
        }
        return [make[name]() for name in self.names]

    def forecast(self, train: pd.DataFrame, horizon: int, future: pd.DataFrame | None = None) -> pd.DataFrame:
        """Point forecasts, ``unique_id, ds`` and one column per model.

        Drivers are ignored: these models only see the series' own history.
        """
        from statsforecast import StatsForecast

        from shopmine.forecast.data import PANDAS_FREQ

        sf = StatsForecast(models=self._models(), freq=PANDAS_FREQ[self.freq], n_jobs=self.n_jobs,
                           fallback_model=None)
        out = sf.forecast(df=train[["unique_id", "ds", "y"]], h=horizon)
        out = out.reset_index() if "unique_id" not in out.columns else out
        out["unique_id"] = out["unique_id"].astype(str)
        return out[["unique_id", "ds", *self.names]]
