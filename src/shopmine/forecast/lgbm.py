"""``lgbm``: one global LightGBM model over all series, through mlforecast.

Features: lags, rolling means and standard deviations of the target, calendar parts of the date,
the drivers (known ones as they are, the others lagged by the horizon) and the series id as a
categorical. Objective Tweedie: sales are non-negative, often zero and right-skewed. Multi-step
forecasts are recursive (mlforecast's default).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shopmine.errors import NotFittedError
from shopmine.forecast.data import PANDAS_FREQ
from shopmine.forecast.drivers import prepare_drivers
from shopmine.forecast.lags import default_lags, default_windows

__all__ = ["LGBMForecaster"]

DATE_FEATURES = {"D": ["dayofweek", "month", "day"], "W": ["week", "month"], "M": ["month"]}


class LGBMForecaster:
    """Global gradient-boosted trees on lag features (mlforecast + LightGBM).

    Parameters
    ----------
    freq : {"D", "W", "M"}
    season_length : int
    objective : {"tweedie", "poisson", "regression"}, default="tweedie"
    n_estimators : int, default=300
    learning_rate : float, default=0.05
    seed : int, default=0

    Attributes
    ----------
    mlf_ : mlforecast.MLForecast
    importance_ : pandas.DataFrame
        ``feature, gain, splits``, by gain.

    Examples
    --------
    >>> ds = pd.date_range("2024-01-01", periods=80)
    >>> df = pd.DataFrame({"unique_id": "a", "ds": ds, "y": 5.0 + (ds.weekday == 5) * 3})
    >>> out = LGBMForecaster("D", 7, n_estimators=50).fit(df, 7).predict()
    >>> len(out), list(out.columns)
    (7, ['unique_id', 'ds', 'lgbm'])
    """

    name = "lgbm"

    def __init__(self, freq: str, season_length: int, objective: str = "tweedie", n_estimators: int = 300,
                 learning_rate: float = 0.05, seed: int = 0):
        self.freq = freq
        self.season_length = season_length
        self.objective = objective
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.seed = seed

    def fit(self, train: pd.DataFrame, horizon: int, future: pd.DataFrame | None = None) -> LGBMForecaster:
        """Fit on ``train`` for forecasts ``horizon`` periods ahead."""
        import lightgbm as lgb
        from mlforecast import MLForecast
        from mlforecast.lag_transforms import RollingMean, RollingStd

        frames = prepare_drivers(train, horizon, self.freq, future)
        data = frames.train.copy()
        categories = sorted(data["unique_id"].unique())
        data["series"] = pd.Categorical(data["unique_id"], categories=categories)
        windows = default_windows(self.season_length)
        model = lgb.LGBMRegressor(objective=self.objective if self.objective != "regression" else "regression",
                                  n_estimators=self.n_estimators, learning_rate=self.learning_rate,
                                  num_leaves=31, min_child_samples=20, subsample=0.8, subsample_freq=1,
                                  colsample_bytree=0.8, random_state=self.seed, n_jobs=1, verbosity=-1)
        self.mlf_ = MLForecast(
            models={"lgbm": model}, freq=PANDAS_FREQ[self.freq], lags=default_lags(self.season_length),
            lag_transforms={1: [RollingMean(w) for w in windows] + [RollingStd(windows[0])]},
            date_features=DATE_FEATURES[self.freq], num_threads=1)
        self.mlf_.fit(data, static_features=["series"], keep_last_n=None)
        self._future = frames.future.drop(columns=[c for c in frames.future.columns if c == "series"])
        self._horizon = horizon
        booster = self.mlf_.models_["lgbm"].booster_
        self.importance_ = pd.DataFrame({
            "feature": booster.feature_name(),
            "gain": booster.feature_importance("gain"),
            "splits": booster.feature_importance("split"),
        }).sort_values("gain", ascending=False, ignore_index=True)
        self._nonnegative = bool((train["y"] >= 0).all())
        return self

    def predict(self) -> pd.DataFrame:
        """Forecasts for the fitted horizon: ``unique_id, ds, lgbm``."""
        if not hasattr(self, "mlf_"):
            raise NotFittedError("This LGBMForecaster is not fitted yet; call fit(train, horizon) first.")
        dynamic = [c for c in self._future.columns if c not in ("unique_id", "ds")]
        steps: list[pd.DataFrame] = []

        def keep_features(features: pd.DataFrame) -> pd.DataFrame:
            # mlforecast hands each recursive step's feature rows here: kept for pred_contrib.
            steps.append(features.copy())
            return features

        out = self.mlf_.predict(self._horizon, X_df=self._future if dynamic else None,
                                before_predict_callback=keep_features)
        out["lgbm"] = np.maximum(out["lgbm"], 0.0) if self._nonnegative else out["lgbm"]
        out["unique_id"] = out["unique_id"].astype(str)
        out = out[["unique_id", "ds", "lgbm"]]
        self._step_features = steps
        self._predicted = out
        return out

    def contributions(self) -> pd.DataFrame:
        """Per-forecast feature contributions (LightGBM ``pred_contrib``) of the last :meth:`predict`.

        Returns
        -------
        pandas.DataFrame
            ``unique_id, ds``, one column per feature and ``bias``; per row they add up to the raw
            score (the log of the forecast for the Tweedie and Poisson objectives).
        """
        if not hasattr(self, "_step_features"):
            raise NotFittedError("Call predict() before contributions().")
        booster = self.mlf_.models_["lgbm"].booster_
        names = booster.feature_name()
        parts = []
        ordered = self._predicted.sort_values(["ds", "unique_id"], kind="stable")
        for step, features in enumerate(self._step_features):
            contrib = booster.predict(features[names], pred_contrib=True)
            frame = pd.DataFrame(contrib, columns=[*names, "bias"])
            rows = ordered.iloc[step * len(frame):(step + 1) * len(frame)]
            frame.insert(0, "unique_id", rows["unique_id"].to_numpy())
            frame.insert(1, "ds", rows["ds"].to_numpy())
            parts.append(frame)
        return pd.concat(parts, ignore_index=True).sort_values(["unique_id", "ds"], ignore_index=True)
