"""``shopmine quality``: the data-quality report of the workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopmine.cli.context import console, state
from shopmine.cli.output import check_outputs, percent, print_frame, print_metrics, write_outputs, write_table
from shopmine.shop import Shop, defaults

DEFAULTS = defaults(Shop.quality)


def quality_command(
    ctx: typer.Context,
    output: Annotated[Path | None, typer.Option("--output", help="Write the report as .json, or the quarantined "
                                                "rows as .csv/.parquet.")] = None,
    verify: Annotated[bool, typer.Option("--verify", help="Also hash every order part file against its recorded "
                                         "sha256 (exit 1 naming the part on a mismatch).")] = DEFAULTS["verify"],
    output_dir: Annotated[Path | None, typer.Option("--output-dir", help="Folder for index.html, tables and "
                                                    "metrics.json.")] = None,
    metrics_output: Annotated[Path | None, typer.Option("--metrics-output", help="Write the metrics as "
                                                        "JSON.")] = None,
) -> None:
    """Print and save the data-quality report (rows in / loaded / quarantined, nulls, outliers ...)."""
    from shopmine.report import render_report

    check_outputs(output=output, metrics_output=metrics_output, output_dir=output_dir)
    shop = Shop(state(ctx).workspace)
    result = shop.quality(verify=verify)
    out = console()
    out.print(result.summary)
    print_metrics(out, result, formats={k: percent for k in result.metrics if k.endswith("_share")})
    if len(result.tables["quarantine_by_reason"]):
        print_frame(out, result.tables["quarantine_by_reason"], "quarantined rows by reason")
    for name, title in (("bulk_lines", "largest bulk lines"), ("collapsed_days", "days with collapsed line counts")):
        if len(result.tables[name]):
            print_frame(out, result.tables[name], title)
    outputs = shop.workspace.outputs_dir
    result.write_metrics(outputs / "quality.json")
    render_report([result], outputs / "quality.html", title="shopmine data quality")
    if output is not None:
        if output.suffix.lower() == ".json":
            result.write_metrics(output)
        else:
            write_table(shop.quarantine(), output)
        out.print(f"written: {output}")
    write_outputs(out, result, metrics_output=metrics_output, output_dir=output_dir)
    out.print(f"saved: {outputs / 'quality.json'} and {outputs / 'quality.html'}")


def register(app: typer.Typer) -> None:
    app.command("quality")(quality_command)
