""":func:`~shopmine.forecast.run_forecast` on a series frame that stays a Spark DataFrame.

The same run (backtest origins, ``auto``'s choice, intervals, the short-series rule and the fit
fallbacks) with the history left on the cluster: the models run there
(:mod:`shopmine.forecast.spark_models`), every per-series step runs the local pandas function on whole
series on the executors (:func:`~shopmine.forecast.spark_frames.by_series`), and the driver only
receives frames of one row per series or per series and forecast period: the backtest's actual
rows, the forecasts, the scales. The answers equal the local run's on the same series.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pandas as pd

from shopmine.errors import ShopmineInputError
from shopmine.forecast.backtest import backtest_cutoffs, scored_rows
from shopmine.forecast.data import horizon_dates
from shopmine.forecast.metrics import series_scales
from shopmine.forecast.models import ModelSetting, spec
from shopmine.forecast.origin import (Origin, _fit_errors, fallback_forecast, min_history, model_groups, record_fit_failure,
                                      record_fitted, short_series)
from shopmine.forecast.report import HISTORY_PERIODS, PLOTTED_SERIES
from shopmine.forecast.run import (DEFAULT_ETS_SERIES, DEFAULT_WINDOWS, WINDOW_SIZE, ForecastRun, _base_models,
                                   _served_name, best_sellers, check_run_request, score_backtest, serve)
from shopmine.forecast.spark_frames import by_series, collect, frame_schema
from shopmine.forecast.spark_models import SPARK_MODELS, _rows_of

__all__ = ["run_forecast_spark"]


def _per_series(sdf, func: Callable[[pd.DataFrame], pd.DataFrame], schema: str, what: str) -> pd.DataFrame:
    out = collect(by_series(sdf, lambda f: func(f.sort_values(["unique_id", "ds"], kind="stable",
                                                               ignore_index=True)), schema), what)
    out["unique_id"] = out["unique_id"].astype(str)
    return out


def _short(sdf, periods: int) -> set:
    frame = _per_series(sdf, lambda f: pd.DataFrame({"unique_id": sorted(short_series(f, periods))}, dtype=str),
                        "unique_id string", "the short series")
    return set(frame["unique_id"])


def _fallback(sdf, horizon: int, setting: ModelSetting, columns: list[str]) -> pd.DataFrame:
    return _per_series(sdf, lambda f: fallback_forecast(f, horizon, setting.freq, setting.window_size, columns),
                       frame_schema(columns), "the fallback forecasts")


def _without(sdf, ids: set):
    from pyspark.sql import functions as F

    if not ids:
        return sdf
    drop = sdf.sparkSession.createDataFrame(pd.DataFrame({"unique_id": pd.Series(sorted(ids), dtype=str)}))
    return sdf.join(F.broadcast(drop), "unique_id", "left_anti")


def _origin(train, horizon: int, *, names: list[str], setting: ModelSetting, carried: dict,
            costly_ids: set | None, step: Callable[[str], None], last: pd.Timestamp) -> Origin:
    """:func:`~shopmine.forecast.origin.forecast_origin` on a Spark frame: same rule, same fallbacks."""
    from pyspark.sql import functions as F

    short = _short(train, min_history(setting.season_length, setting.window_size))
    full = _without(train, short)
    rows, min_y = full.agg(F.count("*"), F.min("y")).first()
    nonnegative = rows == 0 or min_y >= 0
    origin = "final" if setting.final else str(last.date())
    where = "final fit" if setting.final else f"backtest origin {origin}"
    result = Origin(None, carried=dict(carried))
    fit_errors = _fit_errors()
    out = None
    for group in model_groups(names):
        step(f"{where}: {'+'.join(group)}")
        if not rows:
            continue
        first = spec(group[0])
        maker = SPARK_MODELS.get(first.key)
        if maker is None:
            raise ShopmineInputError(f"model {first.alias!r} has no Spark version (shopmine.forecast.spark_models."
                                     "SPARK_MODELS); run it with {engine} duckdb.", "engine")
        part_rows = full if costly_ids is None or not first.costly else _rows_of(full, costly_ids)
        model = maker(group, replace(setting, carried=carried.get(first.key, {})), last=last,
                      nonnegative=nonnegative)
        try:
            part = model.fit(part_rows).predict(horizon)
        except fit_errors as exc:
            record_fit_failure(result, exc, group, origin)
            part = _fallback(full, horizon, setting, group)
        else:
            record_fitted(result, model, first)
        how = "left" if first.costly else "inner"
        out = part if out is None else out.merge(part, on=["unique_id", "ds"], how=how)
    if out is not None and nonnegative:
        out[names] = out[names].clip(lower=0.0)
    if short:
        simple = _fallback(_rows_of(train, short), horizon, setting, names)
        out = simple if out is None else pd.concat([out, simple], ignore_index=True)
    result.forecasts = out
    return result


def _history(series, totals: pd.DataFrame, first: pd.Timestamp) -> pd.DataFrame:
    """What the report and the saved run read of the history: every row of the best sellers it plots, and
    every series from ``first`` on (the last ``max(horizon, HISTORY_PERIODS)`` periods: the outlook's "last
    periods" and the recent history a saved run keeps, as a local run's)."""
    from pyspark.sql import functions as F

    top = totals.sort_values(["y", "unique_id"], ascending=[False, True]).head(PLOTTED_SERIES)["unique_id"]
    rows = _rows_of(series, set(top)).unionByName(series.filter(F.col("ds") >= F.lit(first))).distinct()
    frame = collect(rows, "the history the report plots")
    frame["unique_id"] = frame["unique_id"].astype(str)
    return frame.sort_values(["unique_id", "ds"], ignore_index=True)


def run_forecast_spark(series, *, horizon: int, freq: str, model: str = "auto", season_length: int,
                       windows: int = DEFAULT_WINDOWS, step: int | None = None, window_size: int | None = None,
                       ets_series: int | None = DEFAULT_ETS_SERIES,
                       progress: Callable[[str, int, int], None] | None = None) -> ForecastRun:
    """:func:`~shopmine.forecast.run_forecast` of a Spark DataFrame ``unique_id, ds, y`` (+ drivers).

    The series must be regular (one row per series and period, as the workspace's zero-filled panel
    is). Known future drivers are not taken: the workspace's drivers have no future values.

    Returns
    -------
    ForecastRun
        As the local run's, but ``history`` holds only what the report reads: every row of the
        :data:`~shopmine.forecast.report.PLOTTED_SERIES` best sellers and each series' last
        ``max(horizon, HISTORY_PERIODS)`` periods.
    """
    from pyspark.sql import functions as F
    from pyspark.storagelevel import StorageLevel

    check_run_request(horizon=horizon, model=model, season_length=season_length, windows=windows, step=step,
                      ets_series=ets_series)
    names = _base_models(model)
    step = step or horizon
    window_size = window_size or WINDOW_SIZE[freq]
    # Read by every origin and model: kept on the executors (spilled to their disks when large).
    series = series.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        rows, bad = series.agg(F.count("*"), F.sum((F.col("y").isNull() | F.isnan("y")).cast("long"))).first()
        if not rows:
            raise ShopmineInputError("no series to forecast: the data has no rows before the as-of date.")
        if bad:
            raise ShopmineInputError("the target has missing or infinite values.")
        dates = collect(series.select("ds").distinct(), "the dates")["ds"]
        cutoffs = backtest_cutoffs(dates, horizon, windows, step)
        totals = _per_series(series, lambda f: f.groupby("unique_id", sort=True)["y"].sum().reset_index(),
                             "unique_id string, y double", "each series' total")
        ets_ids = best_sellers(totals, ets_series) if model == "auto" else None
        total_steps = (len(cutoffs) + 1) * len(model_groups(names))
        done = iter(range(1, total_steps + 1))

        def say(message: str) -> None:
            if progress is not None:
                progress(message, next(done), total_steps)

        setting = ModelSetting(freq, season_length, window_size)
        carried: dict = {}
        failures: list[dict] = []
        parts = []
        for cutoff in cutoffs:
            train = series.filter(F.col("ds") <= F.lit(cutoff))
            end = horizon_dates(cutoff, horizon, freq)[-1]
            test = series.filter((F.col("ds") > F.lit(cutoff)) & (F.col("ds") <= F.lit(end)))
            test = test.join(train.select("unique_id").distinct(), "unique_id", "left_semi")
            test = collect(test.select("unique_id", "ds", "y"), "the backtest's actual rows")
            test["unique_id"] = test["unique_id"].astype(str)
            test = test.sort_values(["unique_id", "ds"], ignore_index=True)
            window = _origin(train, horizon, names=names, setting=setting, carried=carried, costly_ids=ets_ids,
                             step=say, last=cutoff)
            carried, failures = window.carried, failures + window.failures
            parts.append(scored_rows(test, window.forecasts, cutoff))
        bt = pd.concat(parts, ignore_index=True)
        scales = {}
        for c in cutoffs:
            frame = _per_series(series.filter(F.col("ds") <= F.lit(c)).select("unique_id", "ds", "y"),
                                lambda f: series_scales(f, season_length).reset_index(),
                                "unique_id string, mase_scale double, rmsse_scale double", "the series' scales")
            scales[c] = frame.set_index("unique_id").sort_index()
        nonnegative = bool(series.agg(F.min("y")).first()[0] >= 0)
        groups, columns, metrics = score_backtest(bt, names, model, scales, ets_ids, nonnegative)
        last_date = pd.Timestamp(dates.max())
        final = _origin(series, horizon, names=names, setting=replace(setting, final=True), carried=carried,
                        costly_ids=ets_ids, step=say, last=last_date)
        failures += final.failures
        short = _short(series, min_history(season_length, window_size))

        def levels() -> pd.DataFrame:
            # One row per series with its mean |y|: borrowed_widths' mean of it is the series' own.
            return _per_series(series, lambda f: f["y"].abs().groupby(f["unique_id"], sort=True).mean()
                               .reset_index(), "unique_id string, y double", "each series' mean sales")

        out, ordered = serve(final.forecasts, bt, model=model, names=names, columns=columns, groups=groups,
                             ets_ids=ets_ids, failures=failures, nonnegative=nonnegative, short=short, history=levels)
        kept = max(horizon, HISTORY_PERIODS)
        history = _history(series, totals, pd.Timestamp(sorted(dates)[-min(kept, len(dates))]))
    finally:
        series.unpersist()
    return ForecastRun(out[ordered].sort_values(["unique_id", "ds"], ignore_index=True), bt, metrics,
                       _served_name(groups), history, final.explanations, scales=scales, failures=failures)

