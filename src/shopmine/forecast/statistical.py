"""The statistical baselines through statsforecast: naive, seasonal naive, window average, AutoETS."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

__all__ = ["STATISTICAL_MODELS", "StatisticalModels"]

#: Model names this module serves.
STATISTICAL_MODELS = ("naive", "seasonal_naive", "window_average", "ets")
#: Series from which statsforecast runs one process per core by default: AutoETS optimises each series
#: on its own, so the work splits cleanly (200 daily series of 2 years: 24.0 s in one process, 12.3 s
#: in two, same forecasts); below this, starting the processes costs more than it saves.
PARALLEL_SERIES = 100


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
    n_jobs : int, optional
        statsforecast processes; default: one per core from :data:`PARALLEL_SERIES` series, else 1.

    Attributes
    ----------
    ets_models_ : dict
        ``{series id: fitted statsforecast AutoETS}`` of the last :meth:`forecast` with ``ets``.

    Examples
    --------
    >>> df = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=4), "y": [1., 2, 3, 4]})
    >>> StatisticalModels(["naive"], "D", 2, 2).forecast(df, 2)["naive"].tolist()
    [4.0, 4.0]
    """

    def __init__(self, names, freq: str, season_length: int, window_size: int, n_jobs: int | None = None):
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

        Drivers are ignored: these models only see the series' own history. The fitted AutoETS models
        are kept (``ets_models_``, by series id) for :meth:`forward`.
        """
        from statsforecast import StatsForecast

        from shopmine.forecast.data import PANDAS_FREQ

        frame = train[["unique_id", "ds", "y"]]
        n_jobs = self.n_jobs
        if n_jobs is None:
            n_jobs = (os.cpu_count() or 1) if frame["unique_id"].nunique() >= PARALLEL_SERIES else 1
        sf = StatsForecast(models=self._models(), freq=PANDAS_FREQ[self.freq], n_jobs=n_jobs, fallback_model=None)
        if "ets" in self.names:
            # fit + predict costs what forecast does, and keeps the models for forward().
            out = sf.fit(df=frame).predict(h=horizon)
            column = self.names.index("ets")
            self.ets_models_ = dict(zip(map(str, sf.uids), sf.fitted_[:, column]))
        else:
            out = sf.forecast(df=frame, h=horizon)
        out = out.reset_index() if "unique_id" not in out.columns else out
        out["unique_id"] = out["unique_id"].astype(str)
        return out[["unique_id", "ds", *self.names]]

    def forward(self, train: pd.DataFrame, horizon: int, future: pd.DataFrame | None = None) -> pd.DataFrame:
        """Like :meth:`forecast`, but AutoETS keeps the model and parameters of the last :meth:`forecast`.

        AutoETS' model search and optimiser are most of the cost of a run; between a backtest origin and
        the full history only a few periods are added, so the chosen parameters are run over the longer
        history instead (statsforecast's ``forward``). A series the earlier fit did not see is fitted.
        The other models have nothing to optimise and are simply recomputed.
        """
        models = getattr(self, "ets_models_", None)
        if "ets" not in self.names or models is None:
            return self.forecast(train, horizon, future)
        from shopmine.forecast.data import horizon_dates

        ids = train["unique_id"].astype(str)
        known = ids.isin(models.keys())
        rest = [n for n in self.names if n != "ets"]
        unknown = train[~known.to_numpy()]
        out = None
        if len(unknown):
            out = StatisticalModels(self.names, self.freq, self.season_length, self.window_size,
                                    self.n_jobs).forecast(unknown, horizon)
        seen = train[known.to_numpy()].sort_values(["unique_id", "ds"], kind="stable")
        if len(seen):
            parts = (StatisticalModels(rest, self.freq, self.season_length, self.window_size, self.n_jobs)
                     .forecast(seen, horizon) if rest else None)
            uids, ds, values = [], [], []
            for uid, group in seen.groupby(seen["unique_id"].astype(str), sort=True):
                values.append(models[uid].forward(y=group["y"].to_numpy(dtype=float), h=horizon)["mean"])
                ds.append(horizon_dates(group["ds"].iloc[-1], horizon, self.freq))
                uids.append(np.repeat(uid, horizon))
            ets = pd.DataFrame({"unique_id": np.concatenate(uids), "ds": np.concatenate(ds),
                                "ets": np.concatenate(values)})
            ets = ets if parts is None else parts.merge(ets, on=["unique_id", "ds"], how="inner")
            ets = ets[["unique_id", "ds", *self.names]]
            out = ets if out is None else pd.concat([out, ets], ignore_index=True)
        return out
