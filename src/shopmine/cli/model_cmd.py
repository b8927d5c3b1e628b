"""``shopmine model linear|tree|kmeans|logistic|predict``: the classic methods on any table."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated

import typer

from shopmine.cli.context import console, err_console, state
from shopmine.cli.helptext import choice
from shopmine.cli.output import check_outputs, print_metrics, write_table
from shopmine.classic.logistic import PENALTIES
from shopmine.classic.tree import CRITERIA
from shopmine.workspace import is_workspace
from shopmine.errors import invalid_value

model_app = typer.Typer(help="The four classic methods on any table: fit, evaluate, plot, predict.",
                        no_args_is_help=True)

#: Metrics printed in the compact summary, per method (the JSON has them all).
SUMMARY_KEYS = {
    "linear": ["target", "n_train", "n_test", "n_features", "r2_train", "r2_test", "mse_test", "rmse_test", "mae_test"],
    "tree": ["target", "n_train", "n_test", "max_depth", "min_samples_leaf", "n_leaves", "accuracy_test",
             "precision_macro_test", "recall_macro_test", "f1_macro_test"],
    "kmeans": ["n_rows", "n_features", "k", "silhouette", "inertia"],
    "logistic": ["target", "positive_class", "n_train", "n_test", "penalty", "threshold", "auc_test",
                 "accuracy_test", "precision_test", "recall_test", "f1_test"],
}

Data = Annotated[Path, typer.Option("--data", help="The table: CSV, Parquet or Excel.")]
Target = Annotated[str | None, typer.Option("--target", help="The column to predict.")]
Features = Annotated[str | None, typer.Option("--features", metavar="<A,B,C>", help="Feature columns (default: all "
                                              "other columns except id-like ones).")]
TestSize = Annotated[float, typer.Option("--test-size", help="Share of rows held out for testing.")]
Seed = Annotated[int, typer.Option("--seed", help="Random seed.")]
TestData = Annotated[Path | None, typer.Option("--test-data", help="A separate test table "
                                               "(instead of a random split).")]
OutputDir = Annotated[Path | None, typer.Option("--output-dir", help="Folder for index.html, plots, "
                                                "tables, metrics.json and the model.")]
MetricsOutput = Annotated[Path | None, typer.Option("--metrics-output", help="Also write the metrics "
                                                    "to this .json file.")]
Png = Annotated[bool, typer.Option("--png", help="Also save each plot as a PNG image (needs Chromium).")]
PositiveClass = Annotated[str | None, typer.Option("--positive-class", help="The positive class of a "
                                                   "binary target (default: the minority class).")]


def _feature_list(features: str | None) -> list[str] | None:
    if features is None:
        return None
    names = [name.strip() for name in features.split(",") if name.strip()]
    if not names:
        raise invalid_value("features", "at least one column name, e.g. price,qty", features)
    return names


def _signing_key(ctx: typer.Context):
    """The key of the active workspace (--workspace, default the current folder) if it is one, else the user's."""
    from shopmine.workspace import signing_key_for

    return signing_key_for(state(ctx).workspace_dir)


def _run(ctx: typer.Context, estimator, data: Path, test_data: Path | None, output_dir: Path | None,
         metrics_output: Path | None, png: bool) -> None:
    """Fit, then print and save: the shell around one classic estimator."""
    from shopmine.classic import read_table
    from shopmine.report import write_result_folder

    check_outputs(metrics_output=metrics_output, output_dir=output_dir)
    started = datetime.now(timezone.utc)
    frame = read_table(data, "data")
    test_frame = read_table(test_data, "test_data") if test_data is not None else None
    estimator.fit(frame, test_frame)
    result = estimator.result_
    errors = err_console()
    for warning in estimator.warnings_:
        errors.print(f"warning: {warning}", markup=False)
    out = console()
    print_metrics(out, result, SUMMARY_KEYS[estimator.method])
    if output_dir is not None:
        key = _signing_key(ctx)
        write_result_folder(result, output_dir, png=png)
        estimator.save(output_dir, key=key)
        out.print(f"written: {output_dir / 'index.html'} (plots, tables, metrics.json, model/)")
        out.print(f"model signed with {key.describe()}", markup=False)
    if metrics_output is not None:
        result.write_metrics(metrics_output)
        out.print(f"written: {metrics_output}")
    if is_workspace(state(ctx).workspace_dir):
        # Given a workspace (--workspace, or run inside one), the fit is kept as a run of model_<method>
        # with its pipeline in the workspace's registry (`shopmine runs`), like every analysis.
        from shopmine.runs import save_run

        result.models = {**result.models, "pipeline": estimator.pipeline_}
        parameters = {"data": str(data), "test_data": None if test_data is None else str(test_data),
                      **estimator.get_params()}
        run_id = save_run(state(ctx).workspace(), result, analysis=f"model_{estimator.method}",
                          parameters=parameters, as_of=None, started=started,
                          command=f"shopmine model {estimator.method}")
        out.print(f"saved run: {run_id} (`shopmine runs show {run_id}`)")


@model_app.command("linear")
def linear_command(
    ctx: typer.Context, data: Data, target: Target = None, features: Features = None, test_size: TestSize = 0.2,
    seed: Seed = 42, test_data: TestData = None, output_dir: OutputDir = None,
    metrics_output: MetricsOutput = None, png: Png = False,
) -> None:
    """Least-squares regression: correlations, coefficients with CIs and p-values, R², errors, plots."""
    from shopmine.classic import ClassicLinearRegression

    estimator = ClassicLinearRegression(target=target, features=_feature_list(features),
                                        test_size=test_size, seed=seed)
    _run(ctx, estimator, data, test_data, output_dir, metrics_output, png)


@model_app.command("tree")
def tree_command(
    ctx: typer.Context, data: Data, target: Target = None, features: Features = None, test_size: TestSize = 0.2,
    seed: Seed = 42, test_data: TestData = None, output_dir: OutputDir = None,
    metrics_output: MetricsOutput = None, png: Png = False, positive_class: PositiveClass = None,
    criterion: Annotated[str, choice(CRITERIA, "--criterion", help="Split impurity.")] = "gini",
    max_depth: Annotated[int | None, typer.Option("--max-depth", help="Fix the depth (default: 5-fold CV).")] = None,
    min_leaf: Annotated[int | None, typer.Option("--min-leaf", help="Fix the minimum leaf size "
                                                 "(default: 5-fold CV).")] = None,
) -> None:
    """Classification tree: CV-chosen size, accuracy/precision/recall/F1, confusion matrix, rules, drawing."""
    from shopmine.classic import ClassicDecisionTree

    estimator = ClassicDecisionTree(target=target, features=_feature_list(features), test_size=test_size,
                                    seed=seed, criterion=criterion, max_depth=max_depth, min_leaf=min_leaf,
                                    positive_class=positive_class)
    _run(ctx, estimator, data, test_data, output_dir, metrics_output, png)


@model_app.command("kmeans")
def kmeans_command(
    ctx: typer.Context, data: Data, features: Features = None, seed: Seed = 42, test_data: TestData = None,
    output_dir: OutputDir = None, metrics_output: MetricsOutput = None, png: Png = False,
    k: Annotated[int | None, typer.Option("--k", help="Number of clusters (default: best silhouette "
                                          "over 2..10).")] = None,
) -> None:
    """k-means on standardised features: k by silhouette, centres, profiles, 2-D plot, rows with clusters."""
    from shopmine.classic import ClassicKMeans

    estimator = ClassicKMeans(features=_feature_list(features), seed=seed, k=k)
    _run(ctx, estimator, data, test_data, output_dir, metrics_output, png)


@model_app.command("logistic")
def logistic_command(
    ctx: typer.Context, data: Data, target: Target = None, features: Features = None, test_size: TestSize = 0.2,
    seed: Seed = 42, test_data: TestData = None, output_dir: OutputDir = None,
    metrics_output: MetricsOutput = None, png: Png = False, positive_class: PositiveClass = None,
    penalty: Annotated[str, choice(PENALTIES, "--penalty", help="none: maximum likelihood.")] = "none",
    threshold: Annotated[str, typer.Option("--threshold", metavar="<0..1|youden>", help="Probability cut-off, "
                                           "or youden (the ROC point that maximises Youden's J).")] = "0.5",
) -> None:
    """Logistic regression: odds ratios with CIs, ROC/AUC, metrics at a threshold, calibration."""
    from shopmine.classic import ClassicLogisticRegression

    if threshold != "youden":
        try:
            cut: float | str = float(threshold)
        except ValueError:
            raise invalid_value("threshold", "a number between 0 and 1 or 'youden'", threshold) from None
    else:
        cut = threshold
    estimator = ClassicLogisticRegression(target=target, features=_feature_list(features), test_size=test_size,
                                          seed=seed, penalty=penalty, threshold=cut, positive_class=positive_class)
    _run(ctx, estimator, data, test_data, output_dir, metrics_output, png)


@model_app.command("predict")
def predict_command(
    ctx: typer.Context,
    model: Annotated[Path, typer.Option("--model", help="The --output-dir of a model run.")],
    data: Data,
    output: Annotated[Path, typer.Option("--output", help="Predictions file (.csv, .parquet, .json).")],
) -> None:
    """Apply a saved model to new rows (same preprocessing; unseen categories handled).

    The model must be signed with the key of the active workspace (--workspace, default the current
    folder) when that is one, else with the user's key ($SHOPMINE_HOME/signing.key); others are refused.
    """
    from shopmine.classic import load_model, read_table

    check_outputs(output=output)
    saved = load_model(model, key=_signing_key(ctx))
    frame = read_table(data, "data")
    predictions = saved.predict(frame, "data")
    write_table(predictions, output)
    console().print(f"{saved.method}: {len(predictions):,} rows predicted; written: {output}")


def register(app: typer.Typer) -> None:
    app.add_typer(model_app, name="model")
