"""``shopmine features panel|customers``: the feature tables, printed or written out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopmine.cli.context import console, state
from shopmine.cli.helptext import choice
from shopmine.cli.output import check_output_path, print_frame, print_metrics, progress, write_table
from shopmine.errors import ShopmineInputError
from shopmine.features import customer_overview
from shopmine.features.periods import FREQS
from shopmine.features.sales_panel import LEVELS
from shopmine.result import AnalysisResult
from shopmine.shop import Shop

features_app = typer.Typer(help="Feature tables: the sales panel and the customer summary.", no_args_is_help=True)


def _shop(ctx: typer.Context) -> Shop:
    return Shop(state(ctx).workspace())


@features_app.command("panel")
def panel_command(
    ctx: typer.Context,
    level: Annotated[str, choice(LEVELS, "--level", help="One series per product, per category, or the shop's total.")] = "product",
    freq: Annotated[str, choice(FREQS, "--freq", help="D (days) or W (ISO weeks, ds = Monday).")] = "D",
    output: Annotated[Path | None, typer.Option(help="Write the panel (.csv, .parquet, .json).")] = None,
) -> None:
    """Zero-filled sales per series and period: units, revenue, returns, orders, prices, discounts."""
    if level not in ("product", "category", "total"):
        raise ShopmineInputError(f"--level must be product, category or total, got {level!r}.")
    if freq not in ("D", "W"):
        raise ShopmineInputError(f"--freq must be D or W, got {freq!r}.")
    check_output_path(output)
    shop = _shop(ctx)
    out = console()
    with progress(out, "building the sales panel"):
        frame = shop.sales_panel(level, freq).to_pandas()
    out.print(f"sales panel as of {shop.as_of}: {frame['unique_id'].nunique():,} series, {len(frame):,} rows")
    print_frame(out, frame.tail(10), f"last rows ({level}, {freq})")
    if output is not None:
        write_table(frame, output)
        out.print(f"written: {output}")


@features_app.command("customers")
def customers_command(
    ctx: typer.Context,
    output: Annotated[Path | None, typer.Option(help="Write the summary (.csv, .parquet, .json).")] = None,
) -> None:
    """One row per customer: recency, frequency, monetary value, returns, tenure, lifetimes columns."""
    check_output_path(output)
    shop = _shop(ctx)
    out = console()
    with progress(out, "building the customer summary"):
        summary = shop.customer_summary()
        value = "monetary" if "monetary" in summary.columns else None
        frame = summary.to_pandas()
        if value is not None:  # most valuable customers first, not by id
            frame = frame.sort_values([value, "customer_id"], ascending=[False, True], ignore_index=True)
        overview = AnalysisResult(name="customer_summary", title="Customer summary",
                                  metrics=customer_overview(summary))
    print_metrics(out, overview)
    out.print(f"customer summary as of {shop.as_of}: {len(frame):,} customers")
    print_frame(out, frame.head(10), "most valuable customers" if value else "first rows")
    if output is not None:
        write_table(frame, output)
        out.print(f"written: {output}")


def register(app: typer.Typer) -> None:
    app.add_typer(features_app, name="features")
