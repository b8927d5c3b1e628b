"""``shopmine demo``: the whole pipeline on a simulated shop, ending in one HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopmine.cli.context import console
from shopmine.cli.output import progress
from shopmine.demo import run_demo


def demo(
    output_dir: Annotated[Path, typer.Option("--output-dir", "-o", help="Folder for the shop, its workspace "
                                             "and report.html.")] = Path("demo-output"),
    customers: Annotated[int, typer.Option(help="Customers of the simulated shop.")] = 5000,
    products: Annotated[int, typer.Option(help="Products of the simulated shop.")] = 500,
    days: Annotated[int, typer.Option(help="Days simulated.")] = 730,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    """Simulate a shop (about 300k order lines), ingest it, build every analysis, write report.html."""
    out = console()
    with progress(out, "simulating a shop") as say:
        result = run_demo(output_dir, n_customers=customers, n_products=products, n_days=days, seed=seed,
                          progress=say)
    out.print(result.summary)
    out.print(f"report: {result.report_path}")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
