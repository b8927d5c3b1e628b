"""``shopmine report``: the HTML report of the workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopmine.cli.context import console, state
from shopmine.cli.output import progress
from shopmine.shop import Shop


def report_command(
    ctx: typer.Context,
    output: Annotated[Path | None, typer.Option("--output", help="HTML file (default: "
                                                "<workspace>/outputs/report.html).")] = None,
    refresh: Annotated[bool, typer.Option("--refresh", help="Run quality, forecast, segment, classify and clv "
                                          "again (saving new runs) instead of showing their latest saved "
                                          "runs.")] = False,
) -> None:
    """Write one self-contained HTML report with a section per analysis.

    Quality, forecast, segments, classify and CLV come from their latest saved runs (`shopmine runs list`);
    a section says when its run predates the last ingest, or which command runs it. The sales and customer
    overviews are saved runs too, computed again only when the loaded batches change.
    """
    from shopmine.cli.output import check_outputs
    from shopmine.cli.section_commands import SECTION_COMMANDS

    check_outputs(output=output, output_suffixes=(".html", ".htm"))
    shop = Shop(state(ctx).workspace)
    out = console()
    with progress(out, "running the analyses and building the report" if refresh else "building the report"):
        result = shop.report(output, refresh=refresh, commands=SECTION_COMMANDS)
    out.print(f"report: {result.metrics['path']}")


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)
