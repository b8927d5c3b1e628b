"""``shopmine batches list|remove BATCH``: the ingest batches of the workspace."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from shopmine.cli.context import console, state
from shopmine.ingest import list_batches, remove_batch

batches_app = typer.Typer(help="Ingest batches: list them, or take one out again.", no_args_is_help=True)


@batches_app.command("list")
def list_command(ctx: typer.Context) -> None:
    """Each batch: id, time (UTC), files, order rows in / loaded / quarantined, pseudonymised or not."""
    frame = list_batches(state(ctx).workspace().warehouse(read_only=True))
    out = console()
    if not len(frame):
        out.print("no batches yet; load order files with `shopmine ingest FILE`.")
        return
    table = Table(title="batches", header_style="bold")
    table.add_column("batch", no_wrap=True)  # an id is copied from here into `batches remove`
    table.add_column("ingested (UTC)", no_wrap=True)
    for col in ("files", "kinds", "rows in", "loaded", "quarantined", "pseudonymised"):
        table.add_column(col, justify="left" if col == "kinds" else "right")
    for row in frame.itertuples(index=False):
        table.add_row(row.batch_id, row.ingested_at.strftime("%Y-%m-%d %H:%M:%S"), f"{row.files:,}", row.kinds,
                      f"{row.rows_in:,}", f"{row.rows_loaded:,}", f"{row.rows_quarantined:,}",
                      "yes" if row.pseudonymized else "no")
    out.print(table)


@batches_app.command("remove")
def remove_command(
    ctx: typer.Context,
    batch: Annotated[str, typer.Argument(help="The batch id, as `shopmine batches list` shows it.")],
) -> None:
    """Take a batch out (its order lines, part files, quarantined rows and line keys), all or nothing,
    so that its files can be ingested again."""
    removed = remove_batch(state(ctx).workspace().warehouse(), batch)
    console().print(f"removed batch {batch}: {removed['batches']:,} file(s), {removed['part_files']:,} part file(s), "
                    f"{removed['line_keys']:,} order line(s), {removed['quarantine']:,} quarantined row(s).")


def register(app: typer.Typer) -> None:
    app.add_typer(batches_app, name="batches")
