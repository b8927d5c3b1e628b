"""``shopmine simulate``: write a simulated shop (order log + ground truth) into a folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shopmine.cli.context import console
from shopmine.cli.helptext import choice
from shopmine.cli.output import check_outputs
from shopmine.errors import invalid_value
from shopmine.simulate import simulate_from, write_shop, write_shop_in_shards
from shopmine.simulate.parameters import make_parameters
from shopmine.simulate.writer import FORMATS

WRITE_SHARE = 0.15  # share of the bar for writing files


def simulate(
    output_dir: Annotated[Path, typer.Option("--output-dir", "-o", help="Folder to write the shop "
                                             "into (created when missing).")],
    n_customers: Annotated[int, typer.Option("--customers", help="Registered customers.")] = 5000,
    n_products: Annotated[int, typer.Option("--products", help="Products in the catalogue.")] = 500,
    n_days: Annotated[int, typer.Option("--days", help="Days to simulate.")] = 730,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same files).")] = 0,
    start: Annotated[str, typer.Option("--start", metavar="<YYYY-MM-DD>", help="First day.")] = "2023-01-01",
    file_format: Annotated[str, choice(FORMATS, "--format", help="Format of orders, products and "
                                       "customers.")] = "csv",
    n_shards: Annotated[int, typer.Option("--shards", help="Simulate and write the customers in this "
                                          "many shards, one in memory at a time, into shard-000, "
                                          "shard-001 ... (same products; for shops beyond memory, "
                                          "about 0.3 GB per million lines).")] = 1,
) -> None:
    """Simulate a shop with known truth: orders, products, customers, truth tables, ground_truth.json."""
    if file_format not in FORMATS:
        raise invalid_value("file_format", f"one of {', '.join(FORMATS)}", file_format)
    # Errors name the parameters (n_customers ...); the CLI's handler names the options (cli/options.py).
    params = make_parameters("simulate_shop", n_customers=n_customers, n_products=n_products,
                             n_days=n_days, seed=seed, start=start)
    check_outputs(output_dir=output_dir)  # a file in the way fails now, not after the (maybe long) simulation

    out = console()
    if n_shards != 1:
        totals = {"lines": 0, "orders": 0}

        def shard_done(shard: int, summary: dict[str, Any]) -> None:
            totals["lines"] += summary["lines"]
            totals["orders"] += summary["orders"]
            out.print(f"shard {shard:03d}: {summary['lines']:,} order lines, {summary['orders']:,} orders, "
                      f"{summary['customers']:,} customers")

        write_shop_in_shards(params, n_shards, output_dir, format=file_format, on_shard=shard_done)
        out.print(f"simulated shop written to {output_dir} in {n_shards} shards: {totals['lines']:,} "
                  f"order lines, {totals['orders']:,} orders")
        return
    if out.is_terminal:
        columns = (TextColumn("{task.description:<26}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                   TimeElapsedColumn())
        with Progress(*columns, console=out, transient=True) as bar:
            task = bar.add_task("simulating", total=1.0)

            def report(step: str, fraction: float) -> None:
                bar.update(task, description=step, completed=fraction * (1 - WRITE_SHARE))

            shop = simulate_from(params, report)
            bar.update(task, description="writing files", completed=1 - WRITE_SHARE)
            paths = write_shop(shop, output_dir, format=file_format)
            bar.update(task, completed=1.0)
    else:
        shop = simulate_from(params)
        paths = write_shop(shop, output_dir, format=file_format)

    out.print(_summary_table(shop.summary))
    out.print(f"simulated shop written to {output_dir} ({', '.join(p.name for p in paths.values())})")


def _summary_table(s: dict[str, Any]) -> Table:
    table = Table(title="simulated shop", show_header=False)
    table.add_column("measure")
    table.add_column("value", justify="right")
    rows = [
        ("order lines", f"{s['lines']:,}"),
        ("orders", f"{s['orders']:,}"),
        ("customers", f"{s['customers']:,}"),
        ("products", f"{s['products']:,}"),
        ("first order", str(s["first_order_at"])),
        ("last order", str(s["last_order_at"])),
        ("return lines / product lines", f"{s['return_line_share']:.1%}"),
        ("cancelled orders", f"{s['cancelled_order_share']:.1%}"),
        ("guest orders", f"{s['guest_order_share']:.1%}"),
        ("fraud orders", f"{s['fraud_order_share']:.2%} ({s['fraud_orders']:,})"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)
