"""``shopmine risk train|score|monitor``: a credit-style scorecard and its challenger on any table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopmine.cli.context import console, state
from shopmine.cli.output import check_outputs, print_frame, print_metrics, progress, write_outputs
from shopmine.errors import invalid_value
from shopmine.shop import Shop, defaults

risk_app = typer.Typer(help="Risk scores on any table with a yes/no outcome: a WoE scorecard in points with "
                            "reason codes, a LightGBM challenger, drift monitoring.", no_args_is_help=True)

DEFAULTS = defaults(Shop.risk_train)

TRAIN_KEYS = ["target", "positive_class", "rows", "positives", "base_rate", "folds", "served", "scorecard_auc",
              "scorecard_auc_sd", "challenger_auc", "challenger_auc_sd", "scorecard_oot_auc", "challenger_oot_auc",
              "scorecard_features", "cost_fn", "cost_fp", "threshold", "threshold_flagged_share", "threshold_recall",
              "break_even_cost_ratio"]
SCORE_KEYS = ["rows", "served", "source_run", "mean_probability", "median_score_points", "threshold", "flagged",
              "customers", "customers_flagged",
              "flagged_share"]
MONITOR_KEYS = ["rows", "served", "source_run", "score_psi", "score_alert", "max_feature", "max_feature_psi",
                "features_watch", "features_shift"]

Data = Annotated[Path, typer.Option("--data", help="The table (CSV, Parquet or Excel).")]
IdCol = Annotated[str | None, typer.Option("--id", help="The column that identifies each row (unique; "
                                           "default for scoring: the training's id column when present, else "
                                           "the row number from 1).")]
RunId = Annotated[str | None, typer.Option("--run", metavar="RUN", help="The risk training run to use "
                                           "(default: the latest; see `shopmine runs list`).")]
OutputDir = Annotated[Path | None, typer.Option("--output-dir", help="Folder for index.html, plots, tables and "
                                                "metrics.json.")]
MetricsOutput = Annotated[Path | None, typer.Option("--metrics-output", help="Write the metrics as JSON.")]


def _codes(text: str | None) -> list[float] | None:
    if text is None:
        return None
    try:
        return [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise invalid_value("special_codes", "numbers separated by commas, e.g. 96,98", text) from None


@risk_app.command("train")
def train_command(
    ctx: typer.Context,
    data: Annotated[Path | None, typer.Option("--data", help="The table (CSV, Parquet or Excel); or --orders.")] = None,
    target: Annotated[str | None, typer.Option("--target", help="The yes/no outcome column of --data (default, "
                                               "fraud ...).")] = None,
    orders: Annotated[bool, typer.Option("--orders", help="Train on the workspace's orders instead: one row per "
                                         "order, features from the customer's history before it, the out-of-time "
                                         "check on the latest orders.")] = False,
    labels: Annotated[Path | None, typer.Option("--labels", help="With --orders: a CSV of order_id,label or "
                                                "customer_id,label (1 = fraud, chargeback ...); default: labels "
                                                "derived from the log (nothing of the order kept within 30 "
                                                "days).")] = None,
    id_col: IdCol = DEFAULTS["id_col"],
    positive_class: Annotated[str | None, typer.Option("--positive-class", help="The outcome value that is the "
                                                       "risk (default: the rarer one).")] = DEFAULTS["positive_class"],
    date_col: Annotated[str | None, typer.Option("--date-col", help="A date column: adds an out-of-time check on "
                                                 "the latest 20 % of the rows.")] = DEFAULTS["date_col"],
    folds: Annotated[int, typer.Option("--folds", help="Stratified cross-validation folds.")] = DEFAULTS["folds"],
    base_score: Annotated[float, typer.Option("--base-score", help="Points at the base odds.")] = DEFAULTS["base_score"],
    base_odds: Annotated[float, typer.Option("--base-odds", help="Good:bad odds at the base score.")] = DEFAULTS[
        "base_odds"],
    pdo: Annotated[float, typer.Option("--pdo", help="Points that double the odds.")] = DEFAULTS["pdo"],
    cost_fn: Annotated[float, typer.Option("--cost-fn", help="Cost of missing a risky row (the threshold "
                                           "minimises the total cost; default 5 to --cost-fp 1, the credit field's "
                                           "usual matrix).")] = DEFAULTS["cost_fn"],
    cost_fp: Annotated[float, typer.Option("--cost-fp", help="Cost of flagging a safe row.")] = DEFAULTS["cost_fp"],
    special_codes: Annotated[str | None, typer.Option("--special-codes", metavar="<96,98>", help="Values that mean "
                                                      "'unknown' rather than a quantity; binned apart.")] = None,
    min_iv: Annotated[float, typer.Option("--min-iv", help="The scorecard keeps features with at least this "
                                          "information value.")] = DEFAULTS["min_iv"],
    random_state: Annotated[int, typer.Option("--seed", help="Random seed (folds, trees).")] = DEFAULTS[
        "random_state"],
    output: Annotated[Path | None, typer.Option("--output", help="Write the scorecard (.csv, .parquet, .json): "
                                                "feature, bin, count, event rate, WoE, points.")] = None,
    output_dir: OutputDir = None,
    metrics_output: MetricsOutput = None,
) -> None:
    """Train a WoE scorecard and a LightGBM challenger on the same folds; serve the better on cross-validated
    AUC. Saved as a run: `risk score` and `risk monitor` use the latest one."""
    check_outputs(output=output, metrics_output=metrics_output, output_dir=output_dir)
    codes = _codes(special_codes)
    shop = Shop(state(ctx).workspace)
    out = console()
    with progress(out, "binning, cross-validating the scorecard and the challenger") as say:
        result = shop.risk_train(data, target=target, id_col=id_col, positive_class=positive_class,
                                 date_col=date_col, folds=folds, base_score=base_score, base_odds=base_odds, pdo=pdo,
                                 cost_fn=cost_fn, cost_fp=cost_fp, special_codes=codes, min_iv=min_iv,
                                 random_state=random_state, orders=orders, labels=labels, progress=say)
    out.print(result.summary, markup=False)
    print_frame(out, result.tables["models"], "Cross-validated scores (AUC: mean and sd of the folds)")
    print_frame(out, result.tables["information_value"][["feature", "kind", "bins", "iv", "selected", "note"]],
                "Information value (screen)", max_rows=15)
    if result.metrics["threshold_flagged_share"] > 0:
        print_frame(out, result.tables["confusion_matrix"].reset_index(),
                    f"Confusion matrix at the cost threshold ({result.metrics['served']}, out of fold)")
    # Flagging nothing: the summary says why and what cost of a miss would change it; a matrix of all
    # negatives would only look like a broken model.
    for note in result.metrics.get("notes", []):
        out.print(f"note: {note}", markup=False)
    print_metrics(out, result, TRAIN_KEYS)
    write_outputs(out, result, table=result.tables["scorecard"], output=output, metrics_output=metrics_output,
                  output_dir=output_dir)


@risk_app.command("score")
def score_command(
    ctx: typer.Context,
    data: Annotated[Path | None, typer.Option("--data", help="The table to score (CSV, Parquet or Excel); or "
                                              "--orders.")] = None,
    orders: Annotated[bool, typer.Option("--orders", help="Score the workspace's own orders (placed before its "
                                         "as-of date) with a model trained by `risk train --orders`; adds a "
                                         "table of customers by their riskiest order.")] = False,
    id_col: IdCol = None,
    run_id: RunId = None,
    output: Annotated[Path | None, typer.Option("--output", help="Write one row per input row (.csv, .parquet, "
                                                ".json): id, probability, score_points, reason_1, reason_2, "
                                                "reason_3.")] = None,
    output_dir: OutputDir = None,
    metrics_output: MetricsOutput = None,
) -> None:
    """Score a table (no target needed), or the workspace's orders, with the served model of the latest risk
    training."""
    check_outputs(output=output, metrics_output=metrics_output, output_dir=output_dir)
    shop = Shop(state(ctx).workspace)
    out = console()
    with progress(out, "scoring"):
        result = shop.risk_score(data, id_col=id_col, run_id=run_id, orders=orders)
    out.print(result.summary, markup=False)
    # The screen shows the riskiest rows; the output file keeps the input's order (the contract).
    riskiest = result.tables["scores"].sort_values("probability", ascending=False, kind="stable")
    print_frame(out, riskiest, "Scores, riskiest first (reasons: what counts most against the row)", max_rows=10)
    print_frame(out, result.tables["first_reasons"], "First reason, by feature")
    if "customers" in result.tables:
        print_frame(out, result.tables["customers"], "Customers by their riskiest order", max_rows=10)
    print_metrics(out, result, SCORE_KEYS)
    write_outputs(out, result, table=result.tables["scores"], output=output, metrics_output=metrics_output,
                  output_dir=output_dir)


@risk_app.command("monitor")
def monitor_command(
    ctx: typer.Context,
    data: Data,
    run_id: RunId = None,
    output: Annotated[Path | None, typer.Option("--output", help="Write the PSI per feature and for the score "
                                                "(.csv, .parquet, .json).")] = None,
    output_dir: OutputDir = None,
    metrics_output: MetricsOutput = None,
) -> None:
    """Population stability index of each feature and of the score: new rows against the training rows
    (below 0.1 stable, 0.1-0.25 watch, from 0.25 a shift)."""
    check_outputs(output=output, metrics_output=metrics_output, output_dir=output_dir)
    shop = Shop(state(ctx).workspace)
    out = console()
    with progress(out, "comparing the new rows with the training rows"):
        result = shop.risk_monitor(data, run_id=run_id)
    out.print(result.summary, markup=False)
    print_frame(out, result.tables["psi"], "Population stability index", max_rows=25)
    print_metrics(out, result, MONITOR_KEYS)
    write_outputs(out, result, table=result.tables["psi"], output=output, metrics_output=metrics_output,
                  output_dir=output_dir)


def register(app: typer.Typer) -> None:
    app.add_typer(risk_app, name="risk")
