"""One origin's forecasts: fresh models from the registry, the short-series rule and fit fallbacks.

Nothing is kept between origins here: what one origin's searches found reaches the next only as
the ``carried`` value :func:`forecast_origin` returns and the run passes back in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from shopmine.errors import ModelFitError, ShopmineInputError
from shopmine.forecast.data import horizon_dates
from shopmine.forecast.models import ModelSetting, spec

__all__ = ["FALLBACK_MODEL", "Origin", "fallback_forecast", "forecast_origin", "min_history", "model_groups",
           "short_series"]

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
    # Counted without sorting (re-sorting millions of rows by string id cost more than the rest):
    # the series are regular (check_regular), so the periods from the first sale are the rows dated
    # on or after it.
    codes, ids = pd.factorize(train["unique_id"])
    first = train["ds"].where(train["y"] != 0).groupby(codes).transform("min")
    active = np.bincount(codes, weights=(train["ds"] >= first).to_numpy(), minlength=len(ids))
    return set(np.asarray(ids)[active < periods])


def fallback_forecast(train: pd.DataFrame, horizon: int, freq: str, window_size: int,
                      columns: list[str]) -> pd.DataFrame:
    """``unique_id, ds`` and each of ``columns``: the mean of each series' last ``window_size`` periods, flat."""
    frame = train.sort_values(["unique_id", "ds"], kind="stable")
    tail = frame.groupby("unique_id", sort=True).tail(window_size)
    mean = tail.groupby("unique_id", sort=True)["y"].mean()
    last = frame.groupby("unique_id", sort=True)["ds"].max()
    parts = []
    for end, ids in last.groupby(last):
        dates = horizon_dates(end, horizon, freq)
        values = np.repeat(mean[ids.index].to_numpy(), horizon)
        parts.append(pd.DataFrame({"unique_id": np.repeat(ids.index.to_numpy(), horizon),
                                   "ds": np.tile(dates.to_numpy(), len(ids)), **{c: values for c in columns}}))
    return pd.concat(parts, ignore_index=True)


def model_groups(names: list[str]) -> list[list[str]]:
    """The fits one origin makes, in registry order: one per model, one per batch of models.

    Examples
    --------
    >>> model_groups(["naive", "window_average", "ets", "linear", "lgbm"])
    [['naive', 'window_average'], ['ets'], ['linear'], ['lgbm']]
    """
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(spec(name).key, []).append(name)
    return list(groups.values())


#: What a model may raise on data it cannot fit; anything else is a bug and propagates.
def _fit_errors() -> tuple[type[BaseException], ...]:
    from lightgbm.basic import LightGBMError

    return (ModelFitError, LightGBMError, np.linalg.LinAlgError, ValueError)


@dataclass
class Origin:
    """What one origin's fits produced.

    Attributes
    ----------
    forecasts : pandas.DataFrame
        ``unique_id, ds`` and one column per model.
    carried : dict
        ``{model key: carry()}`` for the next origin (the previous value where a model did not fit).
    failures : list of dict
        ``{models, origin, reason}`` of each fit replaced by the fallback.
    explanations : dict
        ``{alias: explanation()}`` of the models that have one (final fits only).
    """

    forecasts: pd.DataFrame | None
    carried: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)
    explanations: dict = field(default_factory=dict)


def record_fit_failure(result: Origin, exc: BaseException, group: list[str], origin) -> None:
    """Note a model group that failed at one origin (its first line says why); input errors go on up."""
    if isinstance(exc, ShopmineInputError):
        raise exc
    first_line = (str(exc).strip().splitlines() or [""])[0]
    result.failures.append({"models": list(group), "origin": origin,
                            "reason": f"{type(exc).__name__}: {first_line}"})


def record_fitted(result: Origin, model, first) -> None:
    """Keep what a fitted model hands on to later origins (``carry``) and its explanation, if any."""
    if hasattr(model, "carry"):
        result.carried[first.key] = model.carry()
    explained = model.explanation() if hasattr(model, "explanation") else None
    if explained is not None:
        result.explanations[first.alias] = explained


def forecast_origin(train: pd.DataFrame, horizon: int, future: pd.DataFrame | None, *, names: list[str],
                    setting: ModelSetting, carried: dict, costly_ids: set | None,
                    step: Callable[[str], None]) -> Origin:
    """Fit fresh models of ``names`` on ``train`` and forecast ``horizon`` periods.

    Parameters
    ----------
    train : pandas.DataFrame
        ``unique_id, ds, y`` + drivers up to the origin.
    horizon : int
    future : pandas.DataFrame, optional
        Known drivers over the forecast periods.
    names : list of str
        Registered aliases.
    setting : ModelSetting
        Its ``carried`` is replaced, model by model, with ``carried[key]``.
    carried : dict
        ``{model key: ...}`` from the previous origin's :class:`Origin`.
    costly_ids : set or None
        The series the costly models (``ets``) run on; None: every series.
    step : callable
        Called with a progress message before each fit.
    """
    short = short_series(train, min_history(setting.season_length, setting.window_size))
    full = train[~train["unique_id"].isin(short)] if short else train
    origin = "final" if setting.final else str(train["ds"].max().date())
    where = "final fit" if setting.final else f"backtest origin {origin}"
    result = Origin(None, carried=dict(carried))
    fit_errors = _fit_errors()
    out = None
    for group in model_groups(names):
        step(f"{where}: {'+'.join(group)}")
        if not len(full):
            continue
        first = spec(group[0])
        rows = full if costly_ids is None or not first.costly else full[full["unique_id"].isin(costly_ids)]
        model = first.make(group, replace(setting, carried=carried.get(first.key, {})))
        try:
            part = model.fit(rows).predict(horizon, future)
            missing = [c for c in ("unique_id", "ds", *group) if c not in part.columns]
            if missing:
                raise TypeError(f"forecasting model {type(model).__name__} ({'+'.join(group)}) returned no "
                                f"column {', '.join(missing)}; predict must return unique_id, ds and each alias.")
        except fit_errors as exc:
            record_fit_failure(result, exc, group, origin)
            part = fallback_forecast(full, horizon, setting.freq, setting.window_size, group)
        else:
            record_fitted(result, model, first)
        # A costly model may cover only the best sellers (costly_ids): the others have no value of it.
        how = "left" if first.costly else "inner"
        out = part if out is None else out.merge(part, on=["unique_id", "ds"], how=how)
    if out is not None and (full["y"] >= 0).all():
        # ETS trends may dip below zero; units sold cannot, and the intervals are cut there too.
        out[names] = out[names].clip(lower=0.0)
    if short:
        # Every model column carries the fallback, so each model's scores include the rule.
        simple = fallback_forecast(train[train["unique_id"].isin(short)], horizon, setting.freq,
                                   setting.window_size, names)
        out = simple if out is None else pd.concat([out, simple], ignore_index=True)
    result.forecasts = out
    return result
