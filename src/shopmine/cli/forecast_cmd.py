"""``shopmine forecast``: sales forecasts with backtest scores, intervals and explanations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopmine.cli.context import console, state
from shopmine.cli.output import (amount, check_outputs, money, percent, print_frame, print_saved_run, progress,
                                  write_json, write_table)
from shopmine.cli.helptext import choice
from shopmine.features.sales_panel import LEVELS
from shopmine.forecast.data import FREQS
from shopmine.forecast.hierarchy import RECONCILE_METHODS
from shopmine.forecast.run import MODELS
from shopmine.forecast.sources import MEASURES
from shopmine.shop import Shop, defaults

DEFAULTS = defaults(Shop.forecast)

SCORE_KEYS = ["mae", "rmse", "wape", "mase", "rmsse", "coverage_80", "coverage_95"]


def forecast_command(
    ctx: typer.Context,
    horizon: Annotated[int, typer.Option("--horizon", help="Periods to forecast.")] = DEFAULTS["horizon"],
    level: Annotated[str, choice(LEVELS, "--level", help="One series per product, per category, or the shop's "
                                 "total.")] = DEFAULTS["level"],
    freq: Annotated[str, choice(FREQS, "--freq", help="D (days), W (ISO weeks, ds = Monday) or M "
                                "(months).")] = DEFAULTS["freq"],
    measure: Annotated[str, choice(MEASURES, "--measure", help="What to forecast from the workspace's "
                                   "sales.")] = DEFAULTS["measure"],
    keep_outliers: Annotated[bool, typer.Option("--keep-outliers", help="Train on bulk lines as ordered; by "
                                                "default a one-off line far beyond its product's usual size is "
                                                "capped at the product's bulk fence.")] = DEFAULTS["keep_outliers"],
    top: Annotated[int | None, typer.Option("--top", help="Only the N best-selling series.")] = DEFAULTS["top"],
    model: Annotated[str, choice(MODELS, "--model", help="The forecasting model; auto: the best by backtest, "
                                 "or an ensemble.")] = DEFAULTS["model"],
    season_length: Annotated[int | None, typer.Option("--season-length", help="Default: 7 for D, 52 for W, "
                                                      "12 for M.")] = DEFAULTS["season_length"],
    windows: Annotated[int, typer.Option("--backtest", help="Rolling-origin backtest windows.")] = DEFAULTS["windows"],
    step: Annotated[int | None, typer.Option("--step", help="Periods between backtest origins "
                                             "(default: the horizon).")] = DEFAULTS["step"],
    ets_series: Annotated[int, typer.Option("--ets-series", help="With --model auto, AutoETS runs on this many "
                                            "best-selling series only (the slowest model by far); the others "
                                            "choose among the other models. 0: nowhere.")] = DEFAULTS["ets_series"],
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
    from shopmine.report import write_result_folder

    check_outputs(output=output, metrics_output=metrics_output, output_dir=output_dir)
    shop = Shop(state(ctx).workspace)  # opened on first use: a --data table needs no workspace
    out = console()
    with progress(out, "preparing the series") as say:
        result = shop.forecast(horizon=horizon, level=level, freq=freq, measure=measure, keep_outliers=keep_outliers,
                               top=top, model=model, season_length=season_length, windows=windows, step=step,
                               ets_series=ets_series, data=data, id_col=id_col, time_col=time_col,
                               target_col=target_col, future=future, reconcile=reconcile, progress=say)
    out.print(result.summary)
    ahead = result.tables["outlook"]
    steps = result.tables["forecasts"].groupby("unique_id").size().max()
    last, nxt = f"last {steps}", f"next {steps} (forecast)"
    # Money in the shop's currency; units, or a --data table whose money we know nothing of, as amounts.
    amount_of = money(shop.currency) if result.metrics.get("measure") == "revenue" else amount
    print_frame(out, ahead.rename(columns={"last_periods": last, "next_periods": nxt}),
                f"the largest forecasts ({result.metrics.get('measure', 'sales')}), next {steps} periods against "
                f"the last {steps}", max_rows=10, formats={last: amount_of, nxt: amount_of, "change": percent})
    scores = result.tables["backtest_scores"][["model", "series", *SCORE_KEYS]]
    print_frame(out, scores, "backtest scores (mean over the series each model forecast, and windows)",
                max_columns=9)
    if "backtest_scores_by_level" in result.tables:
        by_level = result.tables["backtest_scores_by_level"]
        by_level = by_level[by_level["level"] != "all"][["level", "model", "rmsse", "wape", "mase", "mae"]]
        print_frame(out, by_level, "backtest scores per level (bottom_up, mint: the served model reconciled)",
                    max_columns=6)
    if output is None and data is None:
        # A forecast that took minutes is never thrown away: the workspace keeps the latest one.
        output = shop.workspace.outputs_dir / "forecast.csv"
        output.parent.mkdir(parents=True, exist_ok=True)
    if output is not None:
        write_table(result.tables["forecasts"], output)
        out.print(f"written: {output}")
    if metrics_output is not None:
        scores_by_model = {m: {k: v[k] for k in SCORE_KEYS} for m, v in result.metrics.items() if isinstance(v, dict)}
        write_json(scores_by_model, metrics_output)
        out.print(f"written: {metrics_output}")
    if output_dir is not None:
        write_result_folder(result, output_dir)
        out.print(f"written: {output_dir / 'index.html'}")
    print_saved_run(out, result)


def register(app: typer.Typer) -> None:
    app.command("forecast")(forecast_command)
