"""``lgbm``: one global LightGBM model over all series, through mlforecast.

Features: lags, rolling means and standard deviations of the target, exponentially weighted means
(a fast and a slow level), the same weekday's mean over the last four weeks, calendar parts of the
date, the drivers (known ones as they are, the others lagged by the horizon) and the series id as a
categorical. Objective Tweedie: sales are non-negative, often zero and right-skewed. Multi-step
forecasts are recursive (mlforecast's default).

The number of boosting rounds is not a constant: it is chosen by early stopping on the last
``horizon`` periods of the training data. A shop with few, short series needs far fewer rounds than
one with thousands of long ones. The early-stopped model is the fitted model: refitting it on all
rows would double the cost for one more horizon of training rows, while its forecasts already start
from the latest values (the lag features see the whole history). A run
(:func:`~shopmine.forecast.run_forecast`) searches once, at its first backtest origin, and passes the
rounds to its later fits as ``n_estimators``, which then train on every row.

Daily data trains on the last year of rows only (:data:`RECENT_PERIODS`); the features of those rows
are computed from the :data:`FEATURE_WARMUP` periods before them as well, and older rows are dropped
before the features are built (they cost memory and time, and change no kept feature).

Above :data:`MAX_TRAIN_ROWS` training rows the model is trained on a subset of whole series spread
over the range of sales (:func:`~shopmine.forecast.data.sample_series`) and forecasts every series
from its own history (mlforecast's ``new_df``). The series id is then left out of the features, since most series
would have no rows of their own to learn it from; each series' mean over its kept rows so far (an
expanding mean of the target, up to the last year and its warm-up) gives the trees its own level
instead. On Online Retail's 3,874 product series (1.03 million training rows; lgbm alone, fitted on
everything before the 28 days bench/forecast.py's product path holds out), RMSSE / WAPE on those days:
every row with the series id 1.009 / 0.952; every row without it 1.230 / 0.965, with the expanding
mean in its place 0.976 / 0.970; a 456,000-row sample with the expanding mean 0.981 / 0.989. In the
default run (``auto``) the sample moved lgbm from 1.108 / 0.948 to 0.985 / 0.978 and ``auto`` from
0.8909 / 0.8729 to 0.8907 / 0.8765.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shopmine.errors import ModelFitError, NotFittedError
from shopmine.forecast.data import PANDAS_FREQ, RECENT_PERIODS, sample_series
from shopmine.forecast.drivers import prepare_drivers
from shopmine.forecast.lags import default_windows, tree_lags

__all__ = ["LGBMForecaster"]

DATE_FEATURES = {"D": ["dayofweek", "month", "day"], "W": ["week", "month"], "M": ["month"]}
#: Smoothing weights of the exponentially weighted levels: a slow one (about ten periods) and a fast one.
LEVEL_ALPHAS = (0.1, 0.3)
#: Rounds tried before early stopping, and the rounds without improvement that stop the search.
MAX_ESTIMATORS, PATIENCE = 1500, 25
#: LightGBM's own default: twice the 0.05 often used for forecasting takes half the rounds, and the
#: validation loss of the early-stopped models hardly differs.
LEARNING_RATE = 0.1
#: Rounds used when the history is too short to hold out a validation stretch.
FALLBACK_ESTIMATORS = 300
#: Feature histogram bins. LightGBM's 255 buys nothing on lag features of noisy unit sales, and
#: fewer bins make every split search (most of a round's cost) cheaper.
MAX_BIN = 63
#: Periods before the first training row kept to compute its features: the longest lag and window
#: need 35 days (the same weekday four weeks back, rolled), and the slow exponentially weighted level
#: (alpha 0.1) gives the periods beyond 120 a weight of 0.9**120 = 3e-6, i.e. none.
FEATURE_WARMUP = 120
#: Training rows (series x periods) above which the model trains on a subset of the series.
#: Early stopping finds more rounds the more rows there are (simulated daily series: 98 rounds on
#: 365,000 rows, 275 on 1,460,000), so the fit's cost grew faster than the rows: 4,000 series of a
#: year cost 46 CPU seconds per search against 5 for 1,000. Half a million rows (1,370 daily series of
#: a year) bound it, and still hold far more examples than a model of 31-leaf trees on about twenty
#: features can use.
MAX_TRAIN_ROWS = 500_000
#: LightGBM threads by default: one. Its OpenMP threads wait for each other at every step of a round,
#: so a core taken by another process stalls them all: on the shared 2-core machine (load 6), 30
#: rounds on 730,000 rows took 20.9 s wall (8.5 s CPU) in two threads and 6.3 s (2.6 s CPU) in one.
#: With the rows capped (:data:`MAX_TRAIN_ROWS`) a fit is a few seconds either way, and one thread
#: cannot collapse.
THREADS = 1


class LGBMForecaster:
    """Global gradient-boosted trees on lag features (mlforecast + LightGBM).

    Parameters
    ----------
    freq : {"D", "W", "M"}
    season_length : int
    objective : {"tweedie", "poisson", "regression"}, default="tweedie"
    n_estimators : int, optional
        Boosting rounds, trained on every row; default: chosen by early stopping on the last
        ``horizon`` training periods, and the early-stopped model is kept.
    learning_rate : float, default=0.1
    seed : int, default=0
    n_jobs : int, default=1
        LightGBM threads (see :data:`THREADS`).
    max_train_rows : int, optional
        Training rows above which the model trains on a subset of the series; default
        :data:`MAX_TRAIN_ROWS`.

    Attributes
    ----------
    mlf_ : mlforecast.MLForecast
    n_estimators_ : int
        The boosting rounds of the fitted model.
    train_rows_ : int
        Training rows (series times periods) after the cut to :data:`RECENT_PERIODS` (and to the
        sampled series).
    sampled_ : bool
        Whether the model was trained on a subset of the series (:data:`MAX_TRAIN_ROWS`).
    importance_ : pandas.DataFrame
        ``feature, gain, splits``, by gain.
    booster_ : lightgbm.Booster
        The fitted trees (what a saved run keeps, in LightGBM's text format).

    Examples
    --------
    >>> ds = pd.date_range("2024-01-01", periods=80)
    >>> df = pd.DataFrame({"unique_id": "a", "ds": ds, "y": 5.0 + (ds.weekday == 5) * 3})
    >>> out = LGBMForecaster("D", 7, n_estimators=50).fit(df, 7).predict()
    >>> len(out), list(out.columns)
    (7, ['unique_id', 'ds', 'lgbm'])
    """

    name = "lgbm"

    def __init__(self, freq: str, season_length: int, objective: str = "tweedie", n_estimators: int | None = None,
                 learning_rate: float = LEARNING_RATE, seed: int = 0, n_jobs: int = THREADS,
                 max_train_rows: int | None = None):
        self.freq = freq
        self.season_length = season_length
        self.objective = objective
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.seed = seed
        self.n_jobs = n_jobs
        self.max_train_rows = max_train_rows

    def _regressor(self, n_estimators: int):
        import lightgbm as lgb

        return lgb.LGBMRegressor(objective=self.objective, n_estimators=n_estimators,
                                 learning_rate=self.learning_rate, num_leaves=31, min_child_samples=20,
                                 subsample=0.8, subsample_freq=1, colsample_bytree=0.8, random_state=self.seed,
                                 max_bin=MAX_BIN, n_jobs=self.n_jobs, verbosity=-1)

    def _check_labels(self, y: np.ndarray) -> None:
        """Refuse what LightGBM would abort on: no training row, or no sale at all under Tweedie/Poisson.

        Both happen on real shops, e.g. a backtest window whose training rows (those with every lag)
        fall in a holiday closure. LightGBM would stop with "[tweedie]: sum of labels is zero".
        """
        if len(y) == 0:
            raise ModelFitError("lgbm has no training row with every lag feature; the history is too short.")
        if self.objective in ("tweedie", "poisson") and not np.any(y > 0):
            raise ModelFitError(f"lgbm ({self.objective}) cannot fit: every training target is zero "
                                f"({len(y)} rows).")

    def _early_stopped(self, prep: pd.DataFrame, X: pd.DataFrame, y: np.ndarray, horizon: int):
        """A model stopped early on the last ``horizon`` periods, or None when the history is too short."""
        import lightgbm as lgb

        dates = np.sort(prep["ds"].unique())
        if len(dates) < 4 * horizon:
            return None
        valid = (prep["ds"] > dates[-horizon - 1]).to_numpy()
        if self.objective in ("tweedie", "poisson") and not np.any(y[~valid] > 0):
            return None  # no sale before the validation stretch: train on every row instead
        model = self._regressor(MAX_ESTIMATORS)
        model.fit(X[~valid], y[~valid], eval_X=(X[valid],), eval_y=(y[valid],),
                  callbacks=[lgb.early_stopping(PATIENCE, verbose=False)])
        return model

    def recent_rows(self, train: pd.DataFrame, horizon: int, future: pd.DataFrame | None = None,
                    last: pd.Timestamp | None = None):
        """The driver frames of ``train`` and its rows the features are built from; and the first training period.

        Daily data keeps each series' last year and its :data:`FEATURE_WARMUP` (counted back from the
        series' own last period: one that stopped early keeps the history its recursive forecast starts
        from). ``last`` is the latest period of the whole training frame (default: of ``train``): a
        caller holding part of the series (a Spark partition) gives the whole frame's.

        Returns
        -------
        frames : DriverFrames
        data : pandas.DataFrame
            The rows kept.
        since : Timestamp or None
            Training rows are those after it (None: every row with its features).
        """
        frames = prepare_drivers(train, horizon, self.freq, future)
        data = frames.train
        recent = RECENT_PERIODS.get(self.freq)
        step = pd.tseries.frequencies.to_offset(PANDAS_FREQ[self.freq])
        if recent is not None:
            series_last = data["ds"].groupby(pd.factorize(data["unique_id"])[0]).transform("max")
            data = data[data["ds"] > series_last - step * (recent + FEATURE_WARMUP)]
        last = data["ds"].max() if last is None else last
        since = last - step * recent if recent is not None else None
        return frames, data, since

    def _mlforecast(self, n_estimators: int, sampled: bool):
        from mlforecast import MLForecast
        from mlforecast.lag_transforms import (ExpandingMean, ExponentiallyWeightedMean, RollingMean, RollingStd,
                                               SeasonalRollingMean)

        m = self.season_length
        windows = default_windows(m)
        # Partial windows (min_samples=1): the rows kept must have every lag, and the longest lag
        # (a season, or four weeks of days) already fills the daily and weekly windows; the four-year
        # window of monthly data would otherwise leave no training row below 49 months of history.
        transforms = {1: [RollingMean(w, min_samples=1) for w in windows] + [RollingStd(windows[0])]
                      + [ExponentiallyWeightedMean(a) for a in LEVEL_ALPHAS]}
        if sampled:
            # Each series' own long-run level, in place of the series id (see the module docstring).
            transforms[1].append(ExpandingMean())
        if 1 < m <= 12:
            # The same weekday (month) over the last four seasons: a seasonal level less noisy than one lag.
            transforms[m] = [SeasonalRollingMean(m, 4, min_samples=1)]
        return MLForecast(models={"lgbm": self._regressor(n_estimators)}, freq=PANDAS_FREQ[self.freq],
                          lags=tree_lags(m), lag_transforms=transforms, date_features=DATE_FEATURES[self.freq],
                          num_threads=1)

    def fit(self, train: pd.DataFrame, horizon: int, future: pd.DataFrame | None = None,
            train_ids=None) -> LGBMForecaster:
        """Fit on ``train`` for forecasts ``horizon`` periods ahead.

        ``train_ids``: the series to train on, already sampled by a caller that holds the whole panel
        elsewhere (the Spark path, :mod:`shopmine.forecast.spark_models`, which collects only their rows):
        the model is fitted as a sampled one on those series, whatever their row count.
        """
        frames, data, since = self.recent_rows(train, horizon, future)
        recent = RECENT_PERIODS.get(self.freq)
        step = pd.tseries.frequencies.to_offset(PANDAS_FREQ[self.freq])
        chosen = train_ids if train_ids is not None else sample_series(data, since, self.max_train_rows or MAX_TRAIN_ROWS)
        self.sampled_ = chosen is not None
        if self.sampled_:
            # Every series' recent rows stay for the forecasts (predict's new_df); the model trains on
            # the chosen ones, without the series id (see the module docstring).
            self._new_df = data
            data = data[data["unique_id"].isin(chosen)]
            static = []
        else:
            data = data.copy()
            categories = sorted(data["unique_id"].unique())
            data["series"] = pd.Categorical(data["unique_id"], categories=categories)
            self._new_df = None
            static = ["series"]
        self.mlf_ = self._mlforecast(self.n_estimators or FALLBACK_ESTIMATORS, self.sampled_)
        prep = self.mlf_.preprocess(data, static_features=static, keep_last_n=None)
        if recent is not None:
            prep = prep[prep["ds"] > prep["ds"].max() - step * recent]
        self.train_rows_ = len(prep)
        X, y = prep[self.mlf_.ts.features_order_], prep["y"].to_numpy()
        self._check_labels(y)
        stopped = None if self.n_estimators else self._early_stopped(prep, X, y, horizon)
        if stopped is None:
            # the regressor above was built with these rounds
            self.n_estimators_ = self.n_estimators or FALLBACK_ESTIMATORS
            self.mlf_.fit_models(X, y)
        else:
            self.n_estimators_ = max(int(stopped.best_iteration_ or MAX_ESTIMATORS), 1)
            # What fit_models would store: its predict only reads the fitted models from models_.
            self.mlf_.models_ = {"lgbm": stopped}
        self._future = frames.future.drop(columns=[c for c in frames.future.columns if c == "series"])
        self._horizon = horizon
        booster = self.booster_ = self.mlf_.models_["lgbm"].booster_
        self.importance_ = pd.DataFrame({
            "feature": booster.feature_name(),
            "gain": booster.feature_importance("gain"),
            "splits": booster.feature_importance("split"),
        }).sort_values("gain", ascending=False, ignore_index=True)
        self._nonnegative = bool((train["y"] >= 0).all())
        return self

    @classmethod
    def from_booster(cls, params: dict, text: str, train: pd.DataFrame, horizon: int, *, last: pd.Timestamp,
                     nonnegative: bool) -> LGBMForecaster:
        """A sampled model whose trees are ``text`` (LightGBM's model format), ready to forecast ``train``'s series.

        What the Spark path's executors build from the model fitted on the driver: the series' state
        (lags, windows, levels) comes from their own rows, as in a sampled model's ``predict`` over
        ``new_df``, so the forecasts equal the fitted model's for the same series. ``params`` are the
        constructor's, ``last`` the latest training period of the whole panel and ``nonnegative``
        whether every training target of the panel is (both hold beyond this part of it).
        """
        import lightgbm as lgb

        self = cls(**params)
        frames, data, _ = self.recent_rows(train, horizon, None, last)
        self.sampled_ = True
        self.mlf_ = self._mlforecast(1, sampled=True)
        # Fits mlforecast's series state and feature order on these rows; the trees come from text.
        self.mlf_.preprocess(data, static_features=[], keep_last_n=None)
        self.booster_ = lgb.Booster(model_str=text)
        self.mlf_.models_ = {"lgbm": self.booster_}
        self._new_df, self._horizon, self._nonnegative = data, horizon, nonnegative
        self._future = frames.future
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

        out = self.mlf_.predict(self._horizon, X_df=self._future if dynamic else None, new_df=self._new_df,
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
        if hasattr(self, "contributions_"):
            return self.contributions_  # computed where the forecasts were (the Spark path's executors)
        if not hasattr(self, "_step_features"):
            raise NotFittedError("Call predict() before contributions().")
        booster = self.booster_
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
