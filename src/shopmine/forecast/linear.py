"""The classic model of sales: one least-squares regression on lags, rolling means, calendar and drivers.

Global: one regression over every series, each series divided by its mean training value so that
large and small sellers weigh alike and coefficients read "in units of the series' mean". Multi-step
forecasts are recursive: each forecast becomes the next period's lag.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm

from shopmine.classic.linear import correlation_table
from shopmine.errors import ModelFitError, NotFittedError, ShopmineInputError
from shopmine.forecast.drivers import prepare_drivers
from shopmine.forecast.lags import (calendar_dummies, default_lags, default_windows, history_features,
                                    training_features)

__all__ = ["LinearForecaster"]


class LinearForecaster:
    """Global least-squares regression of (scaled) sales on their lags and drivers.

    Parameters
    ----------
    freq : {"D", "W", "M"}
    season_length : int
    lags : list of int, optional
        Default: :func:`~shopmine.forecast.lags.default_lags`.
    windows : list of int, optional
        Rolling-mean windows; default :func:`~shopmine.forecast.lags.default_windows`.

    Attributes
    ----------
    ols_ : statsmodels RegressionResults
    coefficients_ : pandas.DataFrame
        ``term, coefficient, std_error, t, p_value``.
    correlations_ : pandas.DataFrame
        Pearson and Spearman correlation of each candidate driver with scaled sales.
    features_ : list of str
    sample_ : pandas.DataFrame
        Up to 2,000 training rows (scaled target, fitted value, features) for the plots.

    Examples
    --------
    >>> ds = pd.date_range("2024-01-01", periods=60)
    >>> df = pd.DataFrame({"unique_id": "a", "ds": ds, "y": 5.0 + (ds.weekday == 5) * 3})
    >>> out = LinearForecaster("D", 7).forecast(df, 7)
    >>> out["linear"].round(6).tolist()
    [5.0, 8.0, 5.0, 5.0, 5.0, 5.0, 5.0]
    """

    name = "linear"

    def __init__(self, freq: str, season_length: int, lags: list[int] | None = None,
                 windows: list[int] | None = None):
        self.freq = freq
        self.season_length = season_length
        self.lags = lags
        self.windows = windows

    def _design(self, base: pd.DataFrame, drivers: list[str], ds: pd.Series) -> pd.DataFrame:
        cal = calendar_dummies(ds, self.freq)
        parts = [base.reset_index(drop=True), cal]
        if drivers:
            parts.append(self._driver_values.reset_index(drop=True))
        return pd.concat(parts, axis=1)

    def fit(self, train: pd.DataFrame, horizon: int, future: pd.DataFrame | None = None) -> LinearForecaster:
        """Fit on ``train`` (``unique_id, ds, y`` + drivers) for forecasts ``horizon`` periods ahead."""
        lags = self.lags or default_lags(self.season_length)
        windows = self.windows or default_windows(self.season_length)
        frames = prepare_drivers(train, horizon, self.freq, future)
        data = frames.train.reset_index(drop=True)
        scale = data.groupby("unique_id", sort=True)["y"].mean().replace(0.0, 1.0)
        data["y"] = data["y"] / data["unique_id"].map(scale)
        drivers = frames.known + frames.lagged
        feats = training_features(data, lags, windows)
        self._driver_values = data[drivers].astype(float)
        X = self._design(feats, drivers, data["ds"])
        keep = X[[f"lag{max(lags)}"]].notna().all(axis=1).to_numpy()
        X = X.loc[keep].reset_index(drop=True)
        y = data.loc[keep, "y"].reset_index(drop=True)
        X = X.fillna(X.mean()).fillna(0.0)
        # Columns without variation (a driver constant in these rows) cannot have a coefficient.
        X = X.loc[:, X.std() > 0]
        if len(X) <= X.shape[1] + 1:
            raise ModelFitError(
                f"linear: {len(X)} usable training rows for {X.shape[1] + 1} coefficients; the series are too "
                f"short for lags up to {max(lags)}.")
        design = sm.add_constant(X, has_constant="add")
        with warnings.catch_warnings():
            # Collinear lags (a perfectly regular series) are fine for forecasting: the
            # pseudo-inverse still gives the least-squares fit; the table shows huge std errors.
            warnings.simplefilter("ignore")
            self.ols_ = sm.OLS(y.to_numpy(), design).fit()
        self.features_ = list(X.columns)
        self._fill = X.mean()
        self._scale, self._lags, self._windows = scale, lags, windows
        self._frames, self._drivers, self._nonnegative = frames, drivers, bool((train["y"] >= 0).all())
        width = max(max(lags), max(windows))
        hist = data.groupby("unique_id", sort=True)["y"].apply(lambda s: s.to_numpy()[-width:])
        self._history = np.full((len(hist), width), np.nan)
        for i, values in enumerate(hist):
            self._history[i, width - len(values):] = values
        self._ids = hist.index.to_numpy()
        ci = self.ols_.bse
        self.coefficients_ = pd.DataFrame({"term": design.columns, "coefficient": self.ols_.params.to_numpy(),
                                           "std_error": ci.to_numpy(), "t": self.ols_.tvalues.to_numpy(),
                                           "p_value": self.ols_.pvalues.to_numpy()})
        self.correlations_ = correlation_table(X, y)
        rng = np.random.default_rng(0)
        pick = np.sort(rng.choice(len(X), size=min(2000, len(X)), replace=False))
        self.sample_ = X.iloc[pick].assign(sales=y.iloc[pick].to_numpy(),
                                           fitted=self.ols_.fittedvalues[pick]).reset_index(drop=True)
        return self

    def predict(self) -> pd.DataFrame:
        """Recursive forecasts for the fitted horizon: ``unique_id, ds, linear``."""
        if not hasattr(self, "ols_"):
            raise NotFittedError("This LinearForecaster is not fitted yet; call fit(train, horizon) first.")
        future = self._frames.future.sort_values(["unique_id", "ds"], ignore_index=True)
        horizon = len(future) // len(self._ids)
        params = self.ols_.params
        history = self._history.copy()
        preds = np.empty((len(self._ids), horizon))
        for step in range(horizon):
            rows = future.iloc[step::horizon].reset_index(drop=True)
            feats = pd.DataFrame(history_features(history, self._lags, self._windows))
            self._driver_values = rows[self._drivers].astype(float)
            X = self._design(feats, self._drivers, rows["ds"]).reindex(columns=self.features_)
            X = X.fillna(self._fill).fillna(0.0)
            value = params["const"] + X.to_numpy() @ params[self.features_].to_numpy()
            if self._nonnegative:
                value = np.maximum(value, 0.0)
            preds[:, step] = value
            history = np.column_stack([history[:, 1:], value])
        out = future[["unique_id", "ds"]].copy()
        out["linear"] = (preds * self._scale.reindex(self._ids).to_numpy()[:, None]).ravel()
        return out

    def forecast(self, train: pd.DataFrame, horizon: int, future: pd.DataFrame | None = None) -> pd.DataFrame:
        """Fit and predict in one call (what the backtest uses)."""
        return self.fit(train, horizon, future).predict()
