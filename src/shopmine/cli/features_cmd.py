"""``shopmine features panel|customers``: the feature tables, printed or written out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopmine.cli.context import console, state
from shopmine.cli.helptext import choice
from shopmine.cli.output import check_outputs, print_frame, print_metrics, progress, write_outputs
from shopmine.features.periods import FREQS
from shopmine.features.sales_panel import LEVELS
from shopmine.shop import Shop, defaults

features_app = typer.Typer(help="Feature tables: the sales panel and the customer summary.", no_args_is_help=True)
PANEL_DEFAULTS = defaults(Shop.panel)

OutputDir = Annotated[Path | None, typer.Option("--output-dir", help="Folder for index.html, the table and "
                                                "metrics.json.")]
MetricsOutput = Annotated[Path | None, typer.Option("--metrics-output", help="Write the overview metrics as JSON.")]


@features_app.command("panel")
def panel_command(
    ctx: typer.Context,
    level: Annotated[str, choice(LEVELS, "--level", help="One series per product, per category, or the shop's "
                                 "total.")] = PANEL_DEFAULTS["level"],
    freq: Annotated[str, choice(FREQS, "--freq", help="D (days) or W (ISO weeks, ds = Monday).")] = PANEL_DEFAULTS["freq"],
    output: Annotated[Path | None, typer.Option("--output", help="Write the panel (.csv, .parquet, .json).")] = None,
    output_dir: OutputDir = None,
    metrics_output: MetricsOutput = None,
) -> None:
    """Zero-filled sales per series and period: units, revenue, returns, orders, prices, discounts."""
    check_outputs(output=output, metrics_output=metrics_output, output_dir=output_dir)
    shop = Shop(state(ctx).workspace)
    out = console()
    with progress(out, "building the sales panel"):
        result = shop.panel(level=level, freq=freq)
    out.print(result.summary)
    print_frame(out, result.tables["panel"].tail(10), f"last rows ({level}, {freq})")
    write_outputs(out, result, table=result.tables["panel"], output=output, metrics_output=metrics_output,
                  output_dir=output_dir)


@features_app.command("customers")
def customers_command(
    ctx: typer.Context,
    output: Annotated[Path | None, typer.Option("--output", help="Write the summary (.csv, .parquet, .json).")] = None,
    output_dir: OutputDir = None,
    metrics_output: MetricsOutput = None,
) -> None:
    """One row per customer: recency, frequency, monetary value, returns, tenure, lifetimes columns."""
    check_outputs(output=output, metrics_output=metrics_output, output_dir=output_dir)
    shop = Shop(state(ctx).workspace)
    out = console()
    with progress(out, "building the customer summary"):
        result = shop.customers()
    frame = result.tables["customers"]
    print_metrics(out, result)
    out.print(result.summary)
    print_frame(out, frame.head(10), "most valuable customers" if "monetary" in frame.columns else "first rows")
    write_outputs(out, result, table=result.tables["customers"], output=output, metrics_output=metrics_output,
                  output_dir=output_dir)


def register(app: typer.Typer) -> None:
    app.add_typer(features_app, name="features")
