"""``shopmine segment``: RFM segments and behaviour clusters, printed and written out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopmine.cli.context import console, state
from shopmine.cli.output import check_outputs, print_frame, print_metrics, progress, write_outputs
from shopmine.shop import Shop, defaults

DEFAULTS = defaults(Shop.segments)

METRIC_KEYS = ["as_of", "customers", "rfm_segments_used", "largest_segment", "top_revenue_segment", "k",
               "k_chosen_by", "silhouette"]


def segment_command(
    ctx: typer.Context,
    k: Annotated[int | None, typer.Option("--k", help="Number of behaviour clusters "
                                          "(default: chosen by silhouette over 2..10).")] = DEFAULTS["k"],
    seed: Annotated[int, typer.Option("--seed", help="Random seed of k-means.")] = DEFAULTS["seed"],
    output: Annotated[Path | None, typer.Option("--output", help="Write one row per customer (.csv, .parquet, "
                                                ".json): scores, RFM segment, cluster.")] = None,
    output_dir: Annotated[Path | None, typer.Option("--output-dir", help="Folder for index.html, plots, "
                                                    "tables and metrics.json.")] = None,
    metrics_output: Annotated[Path | None, typer.Option("--metrics-output", help="Write the metrics "
                                                        "(segments, k, silhouette) as JSON.")] = None,
) -> None:
    """RFM scores and named segments with suggested actions, and k-means behaviour clusters."""
    from shopmine.customers import OUTPUT_COLUMNS

    check_outputs(output=output, metrics_output=metrics_output, output_dir=output_dir)
    shop = Shop(state(ctx).workspace)
    out = console()
    with progress(out, "scoring and clustering customers"):
        result = shop.segments(k=k, seed=seed)
    print_metrics(out, result, METRIC_KEYS)
    table = result.tables["rfm_segments"]
    print_frame(out, table.drop(columns="action"), "RFM segments")
    for row in table[table["customers"] > 0].itertuples(index=False):
        out.print(f"{row.rfm_segment}: {row.action}")
    for profile in result.tables["cluster_profiles"]["profile"]:
        out.print(profile)
    if result.metrics["cluster_note"]:
        out.print(result.metrics["cluster_note"], markup=False)
    write_outputs(out, result, table=result.tables["customers"][OUTPUT_COLUMNS], output=output,
                  metrics_output=metrics_output, output_dir=output_dir)


def register(app: typer.Typer) -> None:
    app.command("segment")(segment_command)
