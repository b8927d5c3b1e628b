"""Run several forecasting models side by side: backtest, choose ``auto``, forecast, add intervals."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from shopmine.errors import ShopmineInputError
from shopmine.forecast.auto import _window_mean, choose_auto
from shopmine.forecast.backtest import backtest_cutoffs, rolling_origin
from shopmine.forecast.data import check_regular
from shopmine.forecast.intervals import LEVELS, add_intervals, conformal_widths, coverage
from shopmine.forecast.linear import LinearForecaster
from shopmine.forecast.metrics import series_scales
from shopmine.forecast.statistical import STATISTICAL_MODELS, StatisticalModels

__all__ = ["MODELS", "ForecastRun", "run_forecast"]

#: Every model name ``--model`` accepts.
MODELS = (*STATISTICAL_MODELS, "linear", "lgbm", "auto")
#: Periods averaged by window_average: four weeks of days, eight weeks, six months.
WINDOW_SIZE = {"D": 28, "W": 8, "M": 6}


@dataclass
class ForecastRun:
    """Everything one run produced.

    Attributes
    ----------
    forecasts : pandas.DataFrame
        The output contract: ``unique_id, ds, forecast``, intervals, ``model`` and one column per model.
    backtest : pandas.DataFrame
        ``unique_id, ds, cutoff, y`` and one column per model (``auto`` included).
    metrics : dict
        ``{model: {mae, mse, rmse, wape, mase, rmsse, coverage_80, coverage_95}}``.
    served : str
        The model behind ``forecast`` (for ``auto``, the chosen model or ensemble).
    explainers : dict
        Fitted models with explanations (``linear``, ``lgbm``) on the full history.
    """

    forecasts: pd.DataFrame
    backtest: pd.DataFrame
    metrics: dict
    served: str
    history: pd.DataFrame
    explainers: dict = field(default_factory=dict)


def _base_models(model: str) -> list[str]:
    if model not in MODELS:
        raise ShopmineInputError(f"--model must be one of {', '.join(MODELS)}, got {model!r}.")
    if model == "auto":
        return [m for m in MODELS if m != "auto"]
    return [model]


def _forecaster(names: list[str], freq: str, season_length: int, window_size: int, explainers: dict):
    stat = [n for n in names if n in STATISTICAL_MODELS]

    def forecast(train: pd.DataFrame, horizon: int, future: pd.DataFrame | None, keep: bool = False):
        out = None
        parts = []
        if stat:
            parts.append(StatisticalModels(stat, freq, season_length, window_size).forecast(train, horizon))
        if "linear" in names:
            model = LinearForecaster(freq, season_length).fit(train, horizon, future)
            parts.append(model.predict())
            if keep:
                explainers["linear"] = model
        if "lgbm" in names:
            from shopmine.forecast.lgbm import LGBMForecaster

            model = LGBMForecaster(freq, season_length).fit(train, horizon, future)
            parts.append(model.predict())
            if keep:
                explainers["lgbm"] = model
        for part in parts:
            out = part if out is None else out.merge(part, on=["unique_id", "ds"], how="inner")
        return out

    return forecast


def run_forecast(series: pd.DataFrame, *, horizon: int, freq: str, model: str = "auto",
                 season_length: int, windows: int = 3, step: int | None = None,
                 future: pd.DataFrame | None = None, window_size: int | None = None) -> ForecastRun:
    """Backtest and forecast one set of series with one or all models.

    Parameters
    ----------
    series : pandas.DataFrame
        ``unique_id, ds, y`` + drivers (from :mod:`shopmine.forecast.data`).
    horizon : int
        Periods to forecast.
    freq : {"D", "W", "M"}
    model : str, default="auto"
        One of :data:`MODELS`; ``auto`` runs them all and serves the best by backtest.
    season_length : int
    windows : int, default=3
        Rolling-origin backtest windows.
    step : int, optional
        Periods between backtest origins; default: the horizon.
    future : pandas.DataFrame, optional
        Known drivers over the forecast periods.
    window_size : int, optional
        Window of ``window_average``; default four weeks of days, 8 weeks or 6 months.

    Returns
    -------
    ForecastRun
    """
    if horizon < 1:
        raise ShopmineInputError(f"--horizon must be at least 1, got {horizon}.")
    if season_length < 1:
        raise ShopmineInputError(f"--season-length must be at least 1, got {season_length}.")
    check_regular(series)
    names = _base_models(model)
    step = step or horizon
    explainers: dict = {}
    forecast = _forecaster(names, freq, season_length, window_size or WINDOW_SIZE[freq], explainers)
    known = [c for c in (future.columns if future is not None else []) if c not in ("unique_id", "ds")]
    cutoffs = backtest_cutoffs(series["ds"], horizon, windows, step)
    bt = rolling_origin(series, forecast, horizon, cutoffs, known)
    scales = {c: series_scales(series[series["ds"] <= c][["unique_id", "ds", "y"]], season_length) for c in cutoffs}
    served, members = names[0], [names[0]]
    if model == "auto":
        served, members = choose_auto(bt, names, scales)
        bt["auto"] = bt[members].mean(axis=1)
    columns = [*names, "auto"] if model == "auto" else names
    nonnegative = bool((series["y"] >= 0).all())
    metrics = _window_mean(bt, columns, scales)
    for col in columns:
        cov = coverage(bt, col, nonnegative)
        metrics[col].update({f"coverage_{lv}": cov[lv] for lv in LEVELS})

    final = forecast(series, horizon, future, keep=True)
    if model == "auto":
        final["auto"] = final[members].mean(axis=1)
    head = "auto" if model == "auto" else names[0]
    out = final.assign(forecast=final[head])
    out = add_intervals(out, "forecast", conformal_widths(bt, head), "forecast", nonnegative)
    out["model"] = served
    ordered = ["unique_id", "ds", "forecast", *[f"forecast-{b}-{lv}" for lv in LEVELS for b in ("lo", "hi")],
               "model", *columns]
    return ForecastRun(out[ordered].sort_values(["unique_id", "ds"], ignore_index=True), bt, metrics,
                       served, series, explainers)
