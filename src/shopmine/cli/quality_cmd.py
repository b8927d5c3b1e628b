"""``shopmine quality``: the data-quality report of the workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopmine.cli.context import console, state
from shopmine.cli.output import check_output_path, percent, print_frame, print_metrics, write_table
from shopmine.errors import ShopmineInputError
from shopmine.quality import quality_report
from shopmine.report import render_report


def quality_command(
    ctx: typer.Context,
    output: Annotated[Path | None, typer.Option(help="Write the report as .json, or the quarantined rows as .csv/.parquet.")] = None,
    verify: Annotated[bool, typer.Option("--verify", help="Also hash every order part file against its recorded sha256 (exit 1 naming the part on a mismatch).")] = False,
) -> None:
    """Print and save the data-quality report (rows in / loaded / quarantined, nulls, outliers ...)."""
    check_output_path(output)
    ws = state(ctx).workspace()
    warehouse = ws.warehouse(read_only=True)
    if not warehouse.has_orders() and not warehouse.con.execute("SELECT count(*) FROM quarantine").fetchone()[0]:
        raise ShopmineInputError("the workspace has no order lines yet; load some with `shopmine ingest FILE`.")
    result = quality_report(warehouse, verify=verify, cancel_window_days=ws.settings.cancel_window_days)
    out = console()
    out.print(result.summary)
    print_metrics(out, result, formats={k: percent for k in result.metrics if k.endswith("_share")})
    if len(result.tables["quarantine_by_reason"]):
        print_frame(out, result.tables["quarantine_by_reason"], "quarantined rows by reason")
    for name, title in (("bulk_lines", "largest bulk lines"), ("collapsed_days", "days with collapsed line counts")):
        if len(result.tables[name]):
            print_frame(out, result.tables[name], title)
    result.write_metrics(ws.outputs_dir / "quality.json")
    render_report([result], ws.outputs_dir / "quality.html", title="shopmine data quality")
    if output is not None:
        if output.suffix.lower() == ".json":
            result.write_metrics(output)
        else:
            write_table(warehouse.con.execute("SELECT * FROM quarantine ORDER BY source_file, source_line").df(), output)
        out.print(f"written: {output}")
    out.print(f"saved: {ws.outputs_dir / 'quality.json'} and {ws.outputs_dir / 'quality.html'}")


def register(app: typer.Typer) -> None:
    app.command("quality")(quality_command)
