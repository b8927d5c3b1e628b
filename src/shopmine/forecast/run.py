"""Run several forecasting models side by side: backtest, choose ``auto``, forecast, add intervals."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from shopmine.errors import ShopmineInputError, invalid_value
from shopmine.forecast.auto import choose_auto, combine, window_mean
from shopmine.forecast.backtest import backtest_cutoffs, scored_rows, window_rows
from shopmine.forecast.data import check_regular
from shopmine.forecast.intervals import LEVELS, add_intervals, borrowed_widths, conformal_widths, coverage
from shopmine.forecast.metrics import series_scales
from shopmine.forecast.models import AUTO, ModelSetting, aliases, spec
from shopmine.forecast.origin import FALLBACK_MODEL, forecast_origin, min_history, model_groups, short_series

__all__ = ["DEFAULT_ETS_SERIES", "DEFAULT_HORIZON", "DEFAULT_WINDOWS", "FALLBACK_MODEL", "MODELS", "WINDOW_SIZE",
           "best_sellers", "check_run_request", "model_groups", "ForecastRun", "min_history", "run_forecast",
           "score_backtest", "serve", "served_label", "short_series"]


class _ModelNames(Sequence):
    """The registered aliases and ``auto``, read from the registry each time (a model registered
    later is accepted too)."""

    def __getitem__(self, index):
        return (*aliases(), AUTO)[index]

    def __len__(self) -> int:
        return len(aliases()) + 1

    def __repr__(self) -> str:
        return repr(tuple(self))


#: Every model name ``run_forecast(model=...)`` accepts: the registered models
#: (:data:`~shopmine.forecast.models.REGISTRY`) and ``auto``.
MODELS: Sequence[str] = _ModelNames()
#: Periods averaged by window_average: four weeks of days, eight weeks, six months.
WINDOW_SIZE = {"D": 28, "W": 8, "M": 6}
#: Periods forecast by default: two weeks of days.
DEFAULT_HORIZON = 14
#: Backtest windows by default: two origins a horizon apart score every model on twice the horizon,
#: at two-thirds of the cost of the three windows used before (see bench/forecast_speed.py).
DEFAULT_WINDOWS = 2
#: Best sellers AutoETS runs on by default (see run_forecast's ``ets_series``). On Online Retail its gain
#: in auto's median was small and the same for the 1st to the 500th best seller, so its cost sets the
#: number: 200 series, about 12 CPU seconds per backtest origin (500 cost 29).
DEFAULT_ETS_SERIES = 200


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
        ``{alias: explanation()}`` of the final fits of the models that have one (the
        :class:`~shopmine.forecast.LinearForecaster` of ``linear``, the
        :class:`~shopmine.forecast.LGBMForecaster` of ``lgbm``).
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
        raise invalid_value("model", f"one of {', '.join(MODELS)}", model)
    if model == AUTO:
        return aliases()
    return [model]


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


def best_sellers(series: pd.DataFrame, n: int | None) -> set | None:
    """Ids of the ``n`` series with the largest total ``y`` (ties by id); None when ``n`` is None or covers all.

    Examples
    --------
    >>> df = pd.DataFrame({"unique_id": ["a", "a", "b", "c"], "y": [1.0, 1.0, 5.0, 2.0]})
    >>> sorted(best_sellers(df, 2))  # a and c tie at 2: the first id wins
    ['a', 'b']
    """
    if n is None:
        return None
    totals = series.groupby("unique_id")["y"].sum()
    if n >= len(totals):
        return None
    ranked = totals.rename("total").reset_index().sort_values(["total", "unique_id"], ascending=[False, True])
    return set(ranked["unique_id"].head(n))


#: The two groups ``auto`` chooses for when AutoETS runs on the best sellers only.
HEAD, TAIL = "best sellers", "other series"


def _group_of(frame: pd.DataFrame, ets_ids: set | None) -> pd.Series:
    if ets_ids is None:
        return pd.Series("all", index=frame.index)
    return pd.Series(np.where(frame["unique_id"].isin(ets_ids), HEAD, TAIL), index=frame.index)


def _choose_per_group(bt: pd.DataFrame, names: list[str], scales: dict, ets_ids: set | None) -> dict:
    """``auto``'s choice for each group of series: ``{group: (served, members)}``.

    With the costly models (AutoETS) on the best sellers only, those series choose among every model
    and the others among the models that ran on them; otherwise one choice covers every series.
    """
    group = _group_of(bt, ets_ids)
    out = {}
    for name in group.unique():
        candidates = [n for n in names if not spec(n).costly] if name == TAIL else names
        out[name] = choose_auto(bt[group == name], candidates, scales)
    return out


def _combine_groups(frame: pd.DataFrame, groups: dict, ets_ids: set | None) -> pd.Series:
    """The ``auto`` column: each row from its group's choice."""
    group = _group_of(frame, ets_ids)
    out = pd.Series(np.nan, index=frame.index)
    for name, (served, members) in groups.items():
        rows = group == name
        out[rows] = combine(frame[rows], served, members)
    return out


def _served_name(groups: dict) -> str:
    """One name for what serves: the single choice, or each group's."""
    if len(groups) == 1:
        return next(iter(groups.values()))[0]
    return "; ".join(f"{served} for the {name}" for name, (served, _) in sorted(groups.items()))


def check_run_request(*, horizon: int, model: str, season_length: int | None, windows: int, step: int | None,
                      ets_series: int | None) -> None:
    """Refuse a bad run option before any series is read (the same checks :func:`run_forecast` makes)."""
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise invalid_value("horizon", "a whole number of periods, at least 1", horizon)
    if season_length is not None and season_length < 1:
        raise invalid_value("season_length", "a whole number of periods, at least 1", season_length)
    if ets_series is not None and (isinstance(ets_series, bool) or ets_series < 0):
        raise invalid_value("ets_series", "a whole number of series, at least 0", ets_series)
    for parameter, value in (("windows", windows), ("step", step)):
        if value is not None and (isinstance(value, bool) or value < 1):
            raise invalid_value(parameter, "a whole number of at least 1", value)
    _base_models(model)


def run_forecast(series: pd.DataFrame, *, horizon: int, freq: str, model: str = "auto",
                 season_length: int, windows: int = DEFAULT_WINDOWS, step: int | None = None,
                 future: pd.DataFrame | None = None, window_size: int | None = None,
                 ets_series: int | None = DEFAULT_ETS_SERIES,
                 progress: Callable[[str, int, int], None] | None = None) -> ForecastRun:
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
    windows : int, default=2
        Rolling-origin backtest windows.
    step : int, optional
        Periods between backtest origins; default: the horizon.
    future : pandas.DataFrame, optional
        Known drivers over the forecast periods.
    window_size : int, optional
        Window of ``window_average``; default four weeks of days, 8 weeks or 6 months.
    ets_series : int or None, default=200
        AutoETS runs on this many best-selling series (by total ``y``) only; None: on every series.
        AutoETS optimises each series on its own and costs far more than every other model together
        (3,000 daily series: 141 s against 11 s for the global LightGBM), while the long tail of
        rarely sold products is intermittent demand, where it seldom wins. ``auto`` then chooses
        separately for the best sellers (among every model) and the other series (every model but
        ets), and ets is scored on the series it forecast. Only ``auto`` does this: ``model="ets"``
        forecasts every series.
    progress : callable, optional
        Called as ``progress(step, done, total)`` before each model fit.

    Returns
    -------
    ForecastRun

    Notes
    -----
    A series shorter than :func:`min_history` (at the forecast origin, and at each backtest origin)
    is forecast by :data:`FALLBACK_MODEL` in every model column, and its ``model`` says so. A series
    with no backtest errors of its own (first sold after the last backtest origin) borrows its
    interval widths from the others (:func:`~shopmine.forecast.intervals.borrowed_widths`).
    A model that cannot be fitted at an origin (:class:`~shopmine.errors.ModelFitError`, LightGBM's
    own errors ...) is replaced there by :data:`FALLBACK_MODEL`, and ``failures`` lists it.

    The searches are not repeated for the final forecast: AutoETS' final forecast runs the models
    (form and parameters) chosen at the last backtest origin over the longer history
    (:meth:`~shopmine.forecast.StatisticalModels.forward`), and LightGBM's boosting rounds are chosen
    by early stopping at the first origin and reused by every later fit. Daily AutoETS is fitted on
    the last year before each origin (:data:`RECENT_PERIODS`).
    """
    check_run_request(horizon=horizon, model=model, season_length=season_length, windows=windows, step=step,
                      ets_series=ets_series)
    check_regular(series, freq)
    names = _base_models(model)
    step = step or horizon
    window_size = window_size or WINDOW_SIZE[freq]
    series = series.sort_values(["unique_id", "ds"], ignore_index=True)
    cutoffs = backtest_cutoffs(series["ds"], horizon, windows, step)
    # Only auto can leave ets out where it did not run; ``model="ets"`` forecasts every series.
    ets_ids = best_sellers(series, ets_series) if model == "auto" else None
    total_steps = (len(cutoffs) + 1) * len(model_groups(names))
    done = iter(range(1, total_steps + 1))

    def say(message: str) -> None:
        if progress is not None:
            progress(message, next(done), total_steps)

    known = [c for c in (future.columns if future is not None else []) if c not in ("unique_id", "ds")]
    setting = ModelSetting(freq, season_length, window_size)
    # Fresh models at every origin; what a fit's searches found (LightGBM's rounds, the AutoETS
    # models) reaches the next origin only through ``carried``, passed on here.
    carried: dict = {}
    failures: list[dict] = []
    parts = []
    for cutoff in cutoffs:
        train, test, known_future = window_rows(series, cutoff, horizon, known)
        window = forecast_origin(train, horizon, known_future, names=names, setting=setting, carried=carried,
                                 costly_ids=ets_ids, step=say)
        carried, failures = window.carried, failures + window.failures
        parts.append(scored_rows(test, window.forecasts, cutoff))
    bt = pd.concat(parts, ignore_index=True)
    scales = {c: series_scales(series[series["ds"] <= c][["unique_id", "ds", "y"]], season_length) for c in cutoffs}
    nonnegative = bool((series["y"] >= 0).all())
    groups, columns, metrics = score_backtest(bt, names, model, scales, ets_ids, nonnegative)

    last = forecast_origin(series, horizon, future, names=names, setting=replace(setting, final=True),
                           carried=carried, costly_ids=ets_ids, step=say)
    failures += last.failures
    short = short_series(series, min_history(season_length, window_size))
    out, ordered = serve(last.forecasts, bt, model=model, names=names, columns=columns, groups=groups,
                         ets_ids=ets_ids, failures=failures, nonnegative=nonnegative, short=short,
                         history=lambda: series)
    return ForecastRun(out[ordered].sort_values(["unique_id", "ds"], ignore_index=True), bt, metrics,
                       _served_name(groups), series, last.explanations, scales=scales, failures=failures)


def score_backtest(bt: pd.DataFrame, names: list[str], model: str, scales: dict, ets_ids: set | None,
                   nonnegative: bool) -> tuple[dict, list[str], dict]:
    """``auto``'s choice per group (its column added to ``bt``), the scored columns and their metrics."""
    groups = {"all": (names[0], [names[0]])}
    if model == "auto":
        groups = _choose_per_group(bt, names, scales, ets_ids)
        bt["auto"] = _combine_groups(bt, groups, ets_ids)
    columns = [*names, "auto"] if model == "auto" else names
    metrics = window_mean(bt, columns, scales)  # each model on the series it forecast (see ets_series)
    for col in columns:
        cov = coverage(bt, col, nonnegative)
        metrics[col].update({f"coverage_{lv}": cov[lv] for lv in LEVELS})
    return groups, columns, metrics


def serve(final: pd.DataFrame, bt: pd.DataFrame, *, model: str, names: list[str], columns: list[str], groups: dict,
          ets_ids: set | None, failures: list[dict], nonnegative: bool, short: set,
          history: Callable[[], pd.DataFrame]) -> tuple[pd.DataFrame, list[str]]:
    """The served forecast of the final fit: ``forecast``, its intervals and ``model``; and the column order.

    ``history`` returns ``unique_id, y`` rows whose mean ``|y|`` per series scales the intervals a
    series borrows (:func:`~shopmine.forecast.intervals.borrowed_widths`); called only when some
    series has no backtest errors of its own.
    """
    if model == "auto":
        final["auto"] = _combine_groups(final, groups, ets_ids)
    head = "auto" if model == "auto" else names[0]
    out = final.assign(forecast=final[head])
    widths = conformal_widths(bt, head)
    ids = out["unique_id"].unique()
    if not set(ids) <= set(widths["unique_id"]):
        widths = borrowed_widths(widths, bt, head, history(), ids)
    out = add_intervals(out, "forecast", widths, "forecast", nonnegative)
    labels = {g: served_label(served, members, failures) for g, (served, members) in groups.items()}
    out["model"] = _group_of(out, ets_ids if model == "auto" else None).map(
        labels if model == "auto" else {"all": labels["all"]})
    out.loc[out["unique_id"].isin(short), "model"] = FALLBACK_MODEL
    ordered = ["unique_id", "ds", "forecast", *[f"forecast-{b}-{lv}" for lv in LEVELS for b in ("lo", "hi")],
               "model", *columns]
    return out, ordered
