"""Run several forecasting models side by side: backtest, choose ``auto``, forecast, add intervals."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from shopmine.errors import ModelFitError, ShopmineInputError
from shopmine.forecast.auto import window_mean, choose_auto, combine
from shopmine.forecast.backtest import backtest_cutoffs, rolling_origin
from shopmine.forecast.data import check_regular, horizon_dates
from shopmine.forecast.intervals import LEVELS, add_intervals, borrowed_widths, conformal_widths, coverage
from shopmine.forecast.linear import LinearForecaster
from shopmine.forecast.metrics import series_scales
from shopmine.forecast.statistical import STATISTICAL_MODELS, StatisticalModels

__all__ = ["FALLBACK_MODEL", "MODELS", "ForecastRun", "min_history", "run_forecast", "served_label",
           "short_series"]

#: Every model name ``--model`` accepts.
MODELS = (*STATISTICAL_MODELS, "linear", "lgbm", "auto")
#: Periods averaged by window_average: four weeks of days, eight weeks, six months.
WINDOW_SIZE = {"D": 28, "W": 8, "M": 6}
#: What serves a series with too little history for the full model set (see :func:`min_history`).
FALLBACK_MODEL = "window_average"


def min_history(season_length: int, window_size: int) -> int:
    """Periods a series needs, counted from its first non-zero value, to be fitted by every model.

    One more than the longer of the season and the ``window_average`` window, so that the seasonal
    lag and the mean of the preceding window exist at least once. Below it AutoETS refuses "tiny
    datasets", seasonal naive and the window average have no value, and lag features are mostly
    missing; such a series (an all-zero one included) is served by :data:`FALLBACK_MODEL`: the mean
    of its last ``window_size`` periods, or of all of them when it has fewer.

    Examples
    --------
    >>> min_history(7, 28), min_history(52, 8), min_history(12, 6)
    (29, 53, 13)
    """
    return max(season_length, window_size) + 1


def short_series(train: pd.DataFrame, periods: int) -> set:
    """Ids of the series with fewer than ``periods`` periods from their first non-zero value."""
    frame = train.sort_values(["unique_id", "ds"], kind="stable")
    started = (frame["y"] != 0).groupby(frame["unique_id"], sort=False).cummax()
    active = started.groupby(frame["unique_id"], sort=False).sum()
    return set(active.index[active < periods])


def _fallback(train: pd.DataFrame, horizon: int, freq: str, window_size: int) -> pd.DataFrame:
    """``unique_id, ds, value``: the mean of each series' last ``window_size`` periods, flat."""
    frame = train.sort_values(["unique_id", "ds"], kind="stable")
    tail = frame.groupby("unique_id", sort=True).tail(window_size)
    mean = tail.groupby("unique_id", sort=True)["y"].mean()
    last = frame.groupby("unique_id", sort=True)["ds"].max()
    parts = []
    for end, ids in last.groupby(last):
        dates = horizon_dates(end, horizon, freq)
        parts.append(pd.DataFrame({"unique_id": np.repeat(ids.index.to_numpy(), horizon),
                                   "ds": np.tile(dates.to_numpy(), len(ids)),
                                   "value": np.repeat(mean[ids.index].to_numpy(), horizon)}))
    return pd.concat(parts, ignore_index=True)


@dataclass
class ForecastRun:
    """Everything one run produced.

    Attributes
    ----------
    forecasts : pandas.DataFrame
        The output contract: ``unique_id, ds, forecast``, intervals, ``model`` (what served that series:
        ``served``, or :data:`FALLBACK_MODEL` for a series shorter than :func:`min_history`) and one
        column per model.
    backtest : pandas.DataFrame
        ``unique_id, ds, cutoff, y`` and one column per model (``auto`` included).
    metrics : dict
        ``{model: {mae, mse, rmse, wape, mase, rmsse, coverage_80, coverage_95}}``.
    served : str
        The model behind ``forecast`` (for ``auto``, the chosen model or ensemble).
    explainers : dict
        Fitted models with explanations (``linear``, ``lgbm``) on the full history.
    level_metrics : dict
        ``{level: {model: scores}}`` of a reconciled run
        (:func:`~shopmine.forecast.hierarchy.reconcile_forecast`); empty otherwise.
    scales : dict
        ``{cutoff: series_scales(...)}``: the MASE and RMSSE denominators the backtest was scored with.
    failures : list of dict
        ``{models, origin, reason}`` for each fit that could not be made (``origin`` is a backtest
        cutoff date or ``"final"``); the fallback model's forecasts stand in that model's column there.
    """

    forecasts: pd.DataFrame
    backtest: pd.DataFrame
    metrics: dict
    served: str
    history: pd.DataFrame
    explainers: dict = field(default_factory=dict)
    level_metrics: dict = field(default_factory=dict)
    scales: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)


def _base_models(model: str) -> list[str]:
    if model not in MODELS:
        raise ShopmineInputError(f"--model must be one of {', '.join(MODELS)}, got {model!r}.")
    if model == "auto":
        return [m for m in MODELS if m != "auto"]
    return [model]


#: What a model may raise on data it cannot fit; anything else is a bug and propagates.
def _fit_errors() -> tuple[type[BaseException], ...]:
    from lightgbm.basic import LightGBMError

    return (ModelFitError, LightGBMError, np.linalg.LinAlgError, ValueError)


def _forecaster(names: list[str], freq: str, season_length: int, window_size: int, explainers: dict,
                failures: list[dict]):
    stat = [n for n in names if n in STATISTICAL_MODELS]
    shortest = min_history(season_length, window_size)
    fit_errors = _fit_errors()
    # What the backtest fits leave to the final fit, so that it does not search again: the AutoETS
    # models of the last backtest origin, and the LightGBM boosting rounds of the first fit.
    state: dict = {}

    def fit_or_fall_back(models: list[str], fit, full: pd.DataFrame, horizon: int, origin: str) -> pd.DataFrame:
        """``fit()``'s forecasts, or the fallback in each of ``models``' columns when it cannot fit."""
        try:
            return fit()
        except fit_errors as exc:
            if isinstance(exc, ShopmineInputError):
                raise
            failures.append({"models": list(models), "origin": origin,
                             "reason": f"{type(exc).__name__}: {(str(exc).strip().splitlines() or [''])[0]}"})
            simple = _fallback(full, horizon, freq, window_size)
            return simple.assign(**{n: simple["value"] for n in models}).drop(columns="value")

    def forecast(train: pd.DataFrame, horizon: int, future: pd.DataFrame | None, keep: bool = False):
        short = short_series(train, shortest)
        full = train[~train["unique_id"].isin(short)] if short else train
        origin = "final" if keep else str(train["ds"].max().date())
        parts = []
        if stat and len(full):
            def statistical():
                if keep and "statistical" in state:
                    return state["statistical"].forward(full, horizon)
                models = StatisticalModels(stat, freq, season_length, window_size)
                out = models.forecast(full, horizon)
                state["statistical"] = models
                return out

            parts.append(fit_or_fall_back(stat, statistical, full, horizon, origin))
        if "linear" in names and len(full):
            def linear():
                model = LinearForecaster(freq, season_length).fit(full, horizon, future)
                if keep:
                    explainers["linear"] = model
                return model.predict()

            parts.append(fit_or_fall_back(["linear"], linear, full, horizon, origin))
        if "lgbm" in names and len(full):
            def lgbm():
                from shopmine.forecast.lgbm import LGBMForecaster

                # Tweedie and Poisson need non-negative targets; net sales with returns may dip below zero.
                options = {"objective": "regression"} if (full["y"] < 0).any() else {}
                options["n_estimators"] = state.get("lgbm_rounds")
                model = LGBMForecaster(freq, season_length, **options).fit(full, horizon, future)
                state.setdefault("lgbm_rounds", model.n_estimators_)
                if keep:
                    explainers["lgbm"] = model
                return model.predict()

            parts.append(fit_or_fall_back(["lgbm"], lgbm, full, horizon, origin))
        out = None
        for part in parts:
            out = part if out is None else out.merge(part, on=["unique_id", "ds"], how="inner")
        if out is not None and (full["y"] >= 0).all():
            # ETS trends may dip below zero; units sold cannot, and the intervals are cut there too.
            out[names] = out[names].clip(lower=0.0)
        if short:
            # Every model column carries the fallback, so each model's scores include the rule.
            simple = _fallback(train[train["unique_id"].isin(short)], horizon, freq, window_size)
            simple = simple.assign(**{n: simple["value"] for n in names}).drop(columns="value")
            out = simple if out is None else pd.concat([out, simple], ignore_index=True)
        return out

    return forecast


def served_label(served: str, members: list[str], failures: list[dict]) -> str:
    """What the ``model`` column says of a full-history series: ``served``, or which members fell back.

    Examples
    --------
    >>> served_label("lgbm", ["lgbm"], [{"models": ["lgbm"], "origin": "final", "reason": "x"}])
    'window_average (lgbm could not be fitted)'
    >>> served_label("median(ets+lgbm+linear)", ["ets", "lgbm", "linear"],
    ...              [{"models": ["lgbm"], "origin": "final", "reason": "x"}])
    'median(ets+lgbm+linear) (lgbm could not be fitted: window_average in its place)'
    """
    failed = sorted({m for f in failures if f["origin"] == "final" for m in f["models"] if m in members})
    if not failed:
        return served
    if failed == members:
        return f"{FALLBACK_MODEL} ({' and '.join(failed)} could not be fitted)"
    return f"{served} ({' and '.join(failed)} could not be fitted: {FALLBACK_MODEL} in its place)"


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

    Notes
    -----
    A series shorter than :func:`min_history` (at the forecast origin, and at each backtest origin)
    is forecast by :data:`FALLBACK_MODEL` in every model column, and its ``model`` says so. A series
    with no backtest errors of its own (first sold after the last backtest origin) borrows its
    interval widths from the others (:func:`~shopmine.forecast.intervals.borrowed_widths`).

    The searches are done once per run: AutoETS' final forecast runs the models (form and
    parameters) chosen at the last backtest origin over the full history
    (:meth:`~shopmine.forecast.StatisticalModels.forward`), and LightGBM's boosting rounds are chosen
    by early stopping at the first origin and reused by every later fit.
    """
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ShopmineInputError(f"--horizon must be a whole number of periods, at least 1; got {horizon!r}.")
    if season_length < 1:
        raise ShopmineInputError(f"--season-length must be at least 1, got {season_length}.")
    check_regular(series, freq)
    names = _base_models(model)
    step = step or horizon
    window_size = window_size or WINDOW_SIZE[freq]
    series = series.sort_values(["unique_id", "ds"], ignore_index=True)
    explainers: dict = {}
    failures: list[dict] = []
    forecast = _forecaster(names, freq, season_length, window_size, explainers, failures)
    known = [c for c in (future.columns if future is not None else []) if c not in ("unique_id", "ds")]
    cutoffs = backtest_cutoffs(series["ds"], horizon, windows, step)
    bt = rolling_origin(series, forecast, horizon, cutoffs, known)
    scales = {c: series_scales(series[series["ds"] <= c][["unique_id", "ds", "y"]], season_length) for c in cutoffs}
    served, members = names[0], [names[0]]
    if model == "auto":
        served, members = choose_auto(bt, names, scales)
        bt["auto"] = combine(bt, served, members)
    columns = [*names, "auto"] if model == "auto" else names
    nonnegative = bool((series["y"] >= 0).all())
    metrics = window_mean(bt, columns, scales)
    for col in columns:
        cov = coverage(bt, col, nonnegative)
        metrics[col].update({f"coverage_{lv}": cov[lv] for lv in LEVELS})

    final = forecast(series, horizon, future, keep=True)
    if model == "auto":
        final["auto"] = combine(final, served, members)
    head = "auto" if model == "auto" else names[0]
    out = final.assign(forecast=final[head])
    widths = borrowed_widths(conformal_widths(bt, head), bt, head, series, out["unique_id"].unique())
    out = add_intervals(out, "forecast", widths, "forecast", nonnegative)
    short = short_series(series, min_history(season_length, window_size))
    out["model"] = np.where(out["unique_id"].isin(short), FALLBACK_MODEL, served_label(served, members, failures))
    ordered = ["unique_id", "ds", "forecast", *[f"forecast-{b}-{lv}" for lv in LEVELS for b in ("lo", "hi")],
               "model", *columns]
    return ForecastRun(out[ordered].sort_values(["unique_id", "ds"], ignore_index=True), bt, metrics,
                       served, series, explainers, scales=scales, failures=failures)
