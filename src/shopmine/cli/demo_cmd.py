"""``shopmine demo``: the whole pipeline on a simulated shop, ending in one HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopmine.cli.context import console, state
from shopmine.cli.output import check_outputs, progress
from shopmine.cli.section_commands import SECTION_COMMANDS
from shopmine.shop import Shop, defaults

DEFAULTS = defaults(Shop.demo)


def demo(
    ctx: typer.Context,
    output_dir: Annotated[Path, typer.Option("--output-dir", "-o", help="Folder for the shop, its workspace "
                                             "(unless --workspace is given) and report.html.")] = Path(DEFAULTS["output_dir"]),
    n_customers: Annotated[int, typer.Option("--customers", help="Customers of the simulated shop.")] = DEFAULTS["n_customers"],
    n_products: Annotated[int, typer.Option("--products", help="Products of the simulated shop.")] = DEFAULTS["n_products"],
    n_days: Annotated[int, typer.Option("--days", help="Days simulated.")] = DEFAULTS["n_days"],
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = DEFAULTS["seed"],
) -> None:
    """Simulate a shop (about 300k order lines), ingest it, build every analysis, write report.html.

    The global --workspace, --engine and --as-of apply: the shop is loaded into that workspace, read
    with that engine and analysed as of that date.
    """
    check_outputs(output_dir=output_dir)
    cli = state(ctx)
    root = ctx.find_root()
    # The default workspace is the current folder, which the demo must not fill: only a workspace the
    # user named (option or SHOPMINE_WORKSPACE) replaces <output-dir>/workspace.
    # (Typer's Click copy has its own ParameterSource enum: compared by name.)
    source = root.get_parameter_source("workspace")
    named = source is not None and source.name != "DEFAULT"
    out = console()
    with progress(out, "simulating a shop") as say:
        result = Shop.demo(output_dir, n_customers=n_customers, n_products=n_products, n_days=n_days, seed=seed,
                           workspace=cli.workspace_dir if named else None, settings=cli.cli_settings, progress=say,
                           commands=SECTION_COMMANDS)
    m = result.metrics
    out.print(result.summary)
    out.print(f"workspace: {m['workspace_dir']} (engine {m['engine']}, as of {m['as_of']})")
    out.print(f"report: {m['report_path']}")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
