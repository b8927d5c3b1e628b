"""The classic model of sales: one least-squares regression on lags, rolling means, calendar and drivers.

Global: one regression over every series, each series divided by its mean training value so that
large and small sellers weigh alike and coefficients read "in units of the series' mean". Multi-step
forecasts are recursive: each forecast becomes the next period's lag.

Like the LightGBM model, daily data trains on the last year of rows only
(:data:`~shopmine.forecast.data.RECENT_PERIODS`): the lags still see the whole history, and the
least-squares fit (a pseudo-inverse of the design, whose size and cost grow with the rows) is half
as large on two years of history. Above :data:`MAX_TRAIN_ROWS` training rows the coefficients are
fitted on a subset of whole series spread over the range of sales
(:func:`~shopmine.forecast.data.sample_series`); every
series is still forecast from its own history.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm

from shopmine.classic.linear import correlation_table
from shopmine.errors import ModelFitError, NotFittedError, ShopmineInputError
from shopmine.forecast.data import PANDAS_FREQ, RECENT_PERIODS, sample_series
from shopmine.forecast.drivers import prepare_drivers
from shopmine.forecast.lags import (calendar_dummies, default_lags, default_windows, history_features,
                                    training_features)

__all__ = ["LinearForecaster"]

#: Training rows the correlation table and the plot sample are drawn from at most (uniformly, seed 0).
#: Spearman ranks every row of every column (seconds per million rows); the sampling error of a
#: correlation from 200,000 rows (about 1 / sqrt(n) = 0.002) is below the three decimals shown.
CORRELATION_ROWS = 200_000
#: Training rows above which the regression is fitted on a subset of the series. About twenty
#: coefficients estimated from a million rows have standard errors near 1 / sqrt(10**6) = 0.001 of the
#: noise, below anything the forecasts show, while the features and the pseudo-inverse grow with the
#: rows (2,000 daily series of a year: 9 s per fit on the shared machine; 25,000 have 9 million rows).
MAX_TRAIN_ROWS = 1_000_000


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
    explain : bool, default=True
        Compute ``correlations_`` and ``sample_`` (what the report shows). A backtest fit only needs
        the forecasts and leaves them out.

    Attributes
    ----------
    ols_ : statsmodels RegressionResults
    coefficients_ : pandas.DataFrame
        ``term, coefficient, std_error, t, p_value``.
    correlations_ : pandas.DataFrame
        Pearson and Spearman correlation of each candidate driver with scaled sales (on up to
        :data:`CORRELATION_ROWS` training rows).
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
                 windows: list[int] | None = None, explain: bool = True):
        self.freq = freq
        self.season_length = season_length
        self.lags = lags
        self.windows = windows
        self.explain = explain

    def _design(self, base: pd.DataFrame, drivers: list[str], ds: pd.Series) -> pd.DataFrame:
        cal = calendar_dummies(ds, self.freq)
        parts = [base.reset_index(drop=True), cal]
        if drivers:
            parts.append(self._driver_values.reset_index(drop=True))
        return pd.concat(parts, axis=1)

    def _series_rows(self, train: pd.DataFrame, horizon: int, future: pd.DataFrame | None,
                     scale: pd.Series | None = None, last: pd.Timestamp | None = None):
        """Driver frames, the scaled rows the features are built from, the scales and the first training period.

        ``scale`` (each series' mean ``y``) and ``last`` (the latest period of the whole training
        frame) are given by a caller that holds only part of the history here: the Spark path
        computes the scales on the cluster and predicts each partition of series on its own.
        """
        lags = self.lags or default_lags(self.season_length)
        windows = self.windows or default_windows(self.season_length)
        frames = prepare_drivers(train, horizon, self.freq, future)
        data = frames.train.reset_index(drop=True)
        if scale is None:
            scale = data.groupby("unique_id", sort=True)["y"].mean().replace(0.0, 1.0)
        data["y"] = data["y"] / data["unique_id"].map(scale)
        recent = RECENT_PERIODS.get(self.freq)
        step = pd.tseries.frequencies.to_offset(PANDAS_FREQ[self.freq])
        width = max(max(lags), max(windows))
        if recent is not None:
            # Rows older than the training rows' longest lag or window change no feature (exactly):
            # dropped before the features are built. Counted from each series' own last period.
            series_last = data["ds"].groupby(pd.factorize(data["unique_id"])[0]).transform("max")
            data = data[data["ds"] > series_last - step * (recent + width)].reset_index(drop=True)
        last = data["ds"].max() if last is None else last
        since = last - step * recent if recent is not None else None
        return frames, data, scale, since

    def fit(self, train: pd.DataFrame, horizon: int, future: pd.DataFrame | None = None, train_ids=None,
            scale: pd.Series | None = None) -> LinearForecaster:
        """Fit on ``train`` (``unique_id, ds, y`` + drivers) for forecasts ``horizon`` periods ahead.

        ``train_ids`` (the series to fit on, sampled by the caller) and ``scale`` (each series' mean
        ``y`` over its whole training history) come from a caller that holds the panel elsewhere and
        collected only the rows the fit needs (:mod:`shopmine.forecast.spark_models`).
        """
        lags = self.lags or default_lags(self.season_length)
        windows = self.windows or default_windows(self.season_length)
        width = max(max(lags), max(windows))
        frames, data, scale, since = self._series_rows(train, horizon, future, scale)
        drivers = frames.known + frames.lagged
        chosen = train_ids if train_ids is not None else sample_series(data, since, MAX_TRAIN_ROWS)
        rows = data if chosen is None else data[data["unique_id"].isin(chosen)].reset_index(drop=True)
        feats = training_features(rows, lags, windows)
        keep = feats[f"lag{max(lags)}"].notna().to_numpy()
        if since is not None:
            keep &= (rows["ds"] > since).to_numpy()
        self._driver_values = rows.loc[keep, drivers].astype(float)
        X = self._design(feats.loc[keep], drivers, rows.loc[keep, "ds"])
        y = rows.loc[keep, "y"].reset_index(drop=True)
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
        self._params = self.ols_.params
        self._fill = X.mean()
        self._scale, self._lags, self._windows = scale, lags, windows
        self._frames, self._drivers, self._nonnegative = frames, drivers, bool((train["y"] >= 0).all())
        self._history, self._ids = _last_values(data, width)
        ci = self.ols_.bse
        self.coefficients_ = pd.DataFrame({"term": design.columns, "coefficient": self.ols_.params.to_numpy(),
                                           "std_error": ci.to_numpy(), "t": self.ols_.tvalues.to_numpy(),
                                           "p_value": self.ols_.pvalues.to_numpy()})
        if self.explain:
            rng = np.random.default_rng(0)
            rows = np.sort(rng.choice(len(X), size=min(CORRELATION_ROWS, len(X)), replace=False))
            self.correlations_ = correlation_table(X.iloc[rows].reset_index(drop=True),
                                                   y.iloc[rows].reset_index(drop=True))
            pick = np.sort(rng.choice(len(X), size=min(2000, len(X)), replace=False))
            self.sample_ = X.iloc[pick].assign(sales=y.iloc[pick].to_numpy(),
                                               fitted=self.ols_.fittedvalues[pick]).reset_index(drop=True)
        return self

    def predict(self) -> pd.DataFrame:
        """Recursive forecasts for the fitted horizon: ``unique_id, ds, linear``."""
        if not hasattr(self, "_params"):
            raise NotFittedError("This LinearForecaster is not fitted yet; call fit(train, horizon) first.")
        future = self._frames.future.sort_values(["unique_id", "ds"], ignore_index=True)
        horizon = len(future) // len(self._ids)
        params = self._params
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

    def state(self) -> dict:
        """The fitted regression as plain numbers: what :meth:`for_series` needs to forecast other series."""
        return {"params": self._params.to_dict(), "features": list(self.features_), "fill": self._fill.to_dict(),
                "nonnegative": self._nonnegative}

    @classmethod
    def for_series(cls, params: dict, state: dict, train: pd.DataFrame, horizon: int) -> LinearForecaster:
        """A fitted regression (``state()`` of a fit elsewhere) ready to forecast the series of ``train``.

        Each series' scale, last values and drivers come from its own rows, as in :meth:`fit`: the
        forecasts equal those of the fitted model for the same series. ``params`` are the constructor's.
        """
        self = cls(**params, explain=False)
        self._lags = self.lags or default_lags(self.season_length)
        self._windows = self.windows or default_windows(self.season_length)
        width = max(max(self._lags), max(self._windows))
        frames, data, scale, _ = self._series_rows(train, horizon, None)
        self._frames, self._drivers, self._scale = frames, frames.known + frames.lagged, scale
        self._params = pd.Series(state["params"])
        self.features_, self._fill = list(state["features"]), pd.Series(state["fill"], dtype=float)
        self._nonnegative = bool(state["nonnegative"])
        self._history, self._ids = _last_values(data, width)
        return self

    def forecast(self, train: pd.DataFrame, horizon: int, future: pd.DataFrame | None = None) -> pd.DataFrame:
        """Fit and predict in one call (what the backtest uses)."""
        return self.fit(train, horizon, future).predict()


def _last_values(data: pd.DataFrame, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Each series' last ``width`` values, right-aligned and NaN-padded, and the ids (sorted) of the rows.

    Rows are taken in their order within each series (``data`` is sorted by period within a series).

    Examples
    --------
    >>> d = pd.DataFrame({"unique_id": ["b", "a", "a", "a"], "y": [9.0, 1.0, 2.0, 3.0]})
    >>> history, ids = _last_values(d, 2)
    >>> history.tolist(), ids.tolist()
    ([[2.0, 3.0], [nan, 9.0]], ['a', 'b'])
    """
    codes, ids = pd.factorize(data["unique_id"], sort=True)
    order = np.argsort(codes, kind="stable")
    codes, values = codes[order], data["y"].to_numpy(float)[order]
    size = np.bincount(codes, minlength=len(ids))
    from_end = np.cumsum(size)[codes] - np.arange(len(codes))  # 1 on each series' last row
    last = from_end <= width
    history = np.full((len(ids), width), np.nan)
    history[codes[last], width - from_end[last]] = values[last]
    return history, np.asarray(ids, dtype=object)
