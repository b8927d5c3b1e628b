"""``shopmine forecast``: sales forecasts with backtest scores, intervals and explanations."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated

import typer

from shopmine.cli.context import console, state
from shopmine.cli.helptext import choice
from shopmine.cli.output import amount, check_output_path, money, percent, print_frame, progress, write_table
from shopmine.errors import ShopmineInputError
from shopmine.features.sales_panel import LEVELS
from shopmine.forecast.data import FREQS
from shopmine.forecast.hierarchy import RECONCILE_METHODS
from shopmine.forecast.run import DEFAULT_ETS_SERIES, DEFAULT_HORIZON, DEFAULT_WINDOWS, MODELS
from shopmine.forecast.sources import MEASURES

SCORE_KEYS = ["mae", "rmse", "wape", "mase", "rmsse", "coverage_80", "coverage_95"]


def forecast_command(
    ctx: typer.Context,
    horizon: Annotated[int, typer.Option("--horizon", help="Periods to forecast.")] = DEFAULT_HORIZON,
    level: Annotated[str, choice(LEVELS, "--level", help="One series per product, per category, or the shop's "
                                 "total.")] = "product",
    freq: Annotated[str, choice(FREQS, "--freq", help="D (days), W (ISO weeks, ds = Monday) or M (months).")] = "D",
    measure: Annotated[str, choice(MEASURES, "--measure", help="What to forecast from the workspace's "
                                   "sales.")] = "units",
    keep_outliers: Annotated[bool, typer.Option("--keep-outliers", help="Train on bulk lines as ordered; by "
                                                "default a one-off line far beyond its product's usual size is "
                                                "capped at the product's bulk fence.")] = False,
    top: Annotated[int | None, typer.Option("--top", help="Only the N best-selling series.")] = None,
    model: Annotated[str, choice(MODELS, "--model", help="The forecasting model; auto: the best by backtest, "
                                 "or an ensemble.")] = "auto",
    season_length: Annotated[int | None, typer.Option("--season-length", help="Default: 7 for D, 52 for W, "
                                                      "12 for M.")] = None,
    backtest: Annotated[int, typer.Option("--backtest", help="Rolling-origin backtest windows.")] = DEFAULT_WINDOWS,
    step: Annotated[int | None, typer.Option("--step", help="Periods between backtest origins "
                                             "(default: the horizon).")] = None,
    ets_series: Annotated[int, typer.Option("--ets-series", help="With --model auto, AutoETS runs on this many "
                                            "best-selling series only (the slowest model by far); the others "
                                            "choose among the other models. 0: nowhere.")] = DEFAULT_ETS_SERIES,
    data: Annotated[Path | None, typer.Option("--data", help="A ready-made series table instead of the "
                                              "workspace (other columns are drivers; a missing period "
                                              "counts as zero sales). Such a forecast is not saved as a "
                                              "run (`shopmine runs`): it is not the workspace's.")] = None,
    id_col: Annotated[str | None, typer.Option("--id-col", help="Series id column of --data.")] = None,
    time_col: Annotated[str | None, typer.Option("--time-col", help="Period column of --data.")] = None,
    target_col: Annotated[str | None, typer.Option("--target-col", help="Value column of --data.")] = None,
    future: Annotated[Path | None, typer.Option("--future", help="Known drivers over the forecast periods "
                                                "(id, time and driver columns).")] = None,
    reconcile: Annotated[str | None, choice(RECONCILE_METHODS, "--reconcile", help="Forecast every level "
                                                  "(total, category, product) of the workspace and make products "
                                                  "add up to categories and the total; written with a level "
                                                  "column. --level is then ignored.")] = None,
    output: Annotated[Path | None, typer.Option("--output", help="Write the forecasts (.csv, .parquet, .json).")] = None,
    metrics_output: Annotated[Path | None, typer.Option("--metrics-output", help="Write the backtest scores "
                                                        "per model to this .json file.")] = None,
    output_dir: Annotated[Path | None, typer.Option("--output-dir", help="Folder for index.html, plots, "
                                                    "tables and metrics.json.")] = None,
) -> None:
    """Forecast sales per product, category or total; models backtested side by side."""
    from shopmine.forecast import default_season_length, forecast_result
    from shopmine.forecast.data import check_freq
    from shopmine.report import write_result_folder

    if horizon < 1:
        raise ShopmineInputError(f"--horizon must be a whole number of periods, at least 1; got {horizon}.")
    check_output_path(output)
    if metrics_output is not None and metrics_output.suffix.lower() != ".json":
        raise ShopmineInputError(f"--metrics-output {metrics_output}: use a .json file name.")
    check_freq(freq)
    if data is None and (future is not None):
        raise ShopmineInputError("--future needs --data: the workspace's drivers have no future values yet.")
    if reconcile is not None:
        from shopmine.forecast.hierarchy import check_reconcile

        check_reconcile(reconcile)
        if data is not None:
            raise ShopmineInputError("--reconcile works on the workspace's product/category hierarchy, not on --data.")
        if top is not None:
            raise ShopmineInputError("--reconcile forecasts every product so that they add up to the categories "
                                     "and the total; drop --top.")
    out = console()
    started = datetime.now(timezone.utc)
    with progress(out, "preparing the series") as say:
        if reconcile is not None:
            from shopmine.forecast.hierarchy import hierarchy_from_shop, reconcile_forecast
            from shopmine.shop import Shop

            hierarchy = hierarchy_from_shop(Shop(state(ctx).workspace()), freq=freq, measure=measure,
                                            keep_outliers=keep_outliers)
            say("backtesting, forecasting and reconciling")
            run = reconcile_forecast(hierarchy, horizon=horizon, freq=freq, model=model,
                                     season_length=season_length or default_season_length(freq),
                                     reconcile=reconcile, windows=backtest, step=step, ets_series=ets_series,
                                     progress=say)
            result = forecast_result(run, level="product/category/total (reconciled)", measure=measure,
                                     names=Shop(state(ctx).workspace()).product_names())
        else:
            run, level_name = _plain_run(ctx, data, id_col, time_col, target_col, freq, top, level, future,
                                         horizon, model, season_length, backtest, step, ets_series, say,
                                         measure, keep_outliers)
            names = None
            if data is None and level == "product":
                from shopmine.shop import Shop

                names = Shop(state(ctx).workspace()).product_names()
            result = forecast_result(run, level=level_name, measure=None if data is not None else measure,
                                     names=names)
    if data is None:
        _save_run(ctx, result, started, horizon=horizon, level=level, freq=freq, measure=measure,
                  keep_outliers=keep_outliers, top=top, model=model, season_length=season_length, backtest=backtest,
                  step=step, ets_series=ets_series, reconcile=reconcile)
    out.print(result.summary)
    ahead = result.tables["outlook"]
    steps = run.forecasts.groupby("unique_id").size().max()
    last, nxt = f"last {steps}", f"next {steps} (forecast)"
    if data is None and result.metrics.get("measure") == "revenue":
        from shopmine.shop import Shop

        amount_of = money(Shop(state(ctx).workspace()).currency)
    else:
        amount_of = amount  # units, or a --data table whose money we know nothing of
    print_frame(out, ahead.rename(columns={"last_periods": last, "next_periods": nxt}),
                f"the largest forecasts ({result.metrics.get('measure', 'sales')}), next {steps} periods against "
                f"the last {steps}", max_rows=10, formats={last: amount_of, nxt: amount_of, "change": percent})
    scores = result.tables["backtest_scores"][["model", "series", *SCORE_KEYS]]
    print_frame(out, scores, "backtest scores (mean over the series each model forecast, and windows)",
                max_columns=9)
    if run.level_metrics:
        from shopmine.forecast.report import level_scores

        by_level = level_scores(run.level_metrics)
        by_level = by_level[by_level["level"] != "all"][["level", "model", "rmsse", "wape", "mase", "mae"]]
        print_frame(out, by_level, "backtest scores per level (bottom_up, mint: the served model reconciled)",
                    max_columns=6)
    if output is None and data is None:
        # A forecast that took minutes is never thrown away: the workspace keeps the latest one.
        output = state(ctx).workspace().outputs_dir / "forecast.csv"
        output.parent.mkdir(parents=True, exist_ok=True)
    if output is not None:
        write_table(result.tables["forecasts"], output)
        out.print(f"written: {output}")
    if metrics_output is not None:
        from shopmine.atomic import atomic_write_text
        from shopmine.result import to_jsonable
        import json

        body = {m: {k: v[k] for k in SCORE_KEYS} for m, v in run.metrics.items()}
        atomic_write_text(metrics_output, json.dumps(to_jsonable(body), indent=2) + "\n")
        out.print(f"written: {metrics_output}")
    if output_dir is not None:
        write_result_folder(result, output_dir)
        out.print(f"written: {output_dir / 'index.html'}")

    if result.run_id:
        out.print(f"saved run: {result.run_id} (`shopmine runs show {result.run_id}`)")


def _save_run(ctx, result, started, **parameters) -> None:
    """Keep a workspace forecast as a saved run (`shopmine runs`, the report's forecast section)."""
    from shopmine.runs import save_run
    from shopmine.shop import Shop

    workspace = state(ctx).workspace()
    save_run(workspace, result, analysis="forecast", parameters=parameters, as_of=Shop(workspace).as_of,
             started=started, command="shopmine forecast")


def _plain_run(ctx, data, id_col, time_col, target_col, freq, top, level, future, horizon, model, season_length,
               backtest, step, ets_series, say, measure="units", keep_outliers=False):
    """One level of series (workspace panel or --data table), forecast without reconciliation."""
    from shopmine.classic import read_table
    from shopmine.forecast import default_season_length, run_forecast, series_from_shop
    from shopmine.forecast.data import series_from_table, top_series

    if data is not None:
        if time_col is None or target_col is None:
            raise ShopmineInputError("--data needs --time-col and --target-col (and --id-col for several series).")
        series = series_from_table(read_table(data, "--data"), id_col=id_col, time_col=time_col,
                                   target_col=target_col, freq=freq)
        series = top_series(series, top) if top is not None else series
        level_name = "series"
    else:
        from shopmine.shop import Shop

        series = series_from_shop(Shop(state(ctx).workspace()), level=level, freq=freq, top=top, measure=measure,
                                  keep_outliers=keep_outliers)
        level_name = level
    future_frame = None
    if future is not None:
        raw = read_table(future, "--future")
        for option, col in (("--id-col", id_col), ("--time-col", time_col)):
            if col is not None and col not in raw.columns:
                raise ShopmineInputError(f"--future {future}: no column {col!r} ({option}).")
        future_frame = series_from_table(raw.assign(**{target_col: 0.0}), id_col=id_col, time_col=time_col,
                                         target_col=target_col, freq=freq).drop(columns="y")
    say("backtesting and forecasting")
    run = run_forecast(series, horizon=horizon, freq=freq, model=model,
                       season_length=season_length or default_season_length(freq),
                       windows=backtest, step=step, future=future_frame, ets_series=ets_series, progress=say)
    return run, level_name


def register(app: typer.Typer) -> None:
    app.command("forecast")(forecast_command)
