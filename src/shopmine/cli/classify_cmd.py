"""``shopmine classify``: a decision tree with readable rules beside a LightGBM challenger."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopmine.cli.context import console, state
from shopmine.cli.output import check_outputs, percent, print_frame, print_metrics, progress, write_outputs
from shopmine.shop import Shop, defaults

DEFAULTS = defaults(Shop.classify)

METRIC_KEYS = ["target", "split", "n_train", "n_test", "positive_class", "max_depth", "min_samples_leaf",
               "n_leaves", "tree_auc", "lgbm_auc"]


def classify_command(
    ctx: typer.Context,
    horizon_days: Annotated[int, typer.Option("--horizon-days", help="Buy-again window in days "
                                              "(default target).")] = DEFAULTS["horizon_days"],
    target: Annotated[str | None, typer.Option("--target", help="A column of the customers table to "
                                               "predict instead of buying again.")] = DEFAULTS["target"],
    labels: Annotated[Path | None, typer.Option("--labels", help="CSV customer_id,label with the category "
                                                "to predict instead of buying again.")] = DEFAULTS["labels"],
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the split, tree and LightGBM.")] = DEFAULTS["seed"],
    output: Annotated[Path | None, typer.Option("--output", help="Write today's scores of every customer "
                                                "(customer_id, probability, label; .csv, .parquet, .json).")] = None,
    output_dir: Annotated[Path | None, typer.Option("--output-dir", help="Folder for index.html, plots, "
                                                    "tables and metrics.json.")] = None,
    metrics_output: Annotated[Path | None, typer.Option("--metrics-output", help="Write the metrics "
                                                        "(both models' scores, the rules) as JSON.")] = None,
) -> None:
    """Predict a customer category from behaviour: tuned decision tree, its rules, a LightGBM challenger.

    Default category: buys again in the next --horizon-days days, evaluated on a time split.
    """

    check_outputs(output=output, metrics_output=metrics_output, output_dir=output_dir)
    shop = Shop(state(ctx).workspace)
    out = console()
    with progress(out, "fitting the decision tree and the LightGBM challenger"):
        result = shop.classify(horizon_days=horizon_days, target=target, labels=labels, seed=seed)
    out.print(result.summary, markup=False)
    print_metrics(out, result, METRIC_KEYS)
    print_frame(out, result.tables["scores"], "Test scores (same split)")
    print_frame(out, result.tables["confusion_tree"].reset_index(), "Decision tree confusion matrix")
    out.print("Decision tree rules:", markup=False)
    out.print(result.metrics["rules_text"], markup=False, highlight=False)
    print_frame(out, result.tables["current_scores"], f"Today's customers, most likely first (scored by the "
                f"{result.metrics['scored_by']})", max_rows=10, formats={"probability": percent})
    write_outputs(out, result, table=result.tables["current_scores"], output=output,
                  metrics_output=metrics_output, output_dir=output_dir)


def register(app: typer.Typer) -> None:
    app.command("classify")(classify_command)
