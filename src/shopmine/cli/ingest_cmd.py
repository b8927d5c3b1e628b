"""``shopmine ingest``: load order files into the workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from shopmine.cli.context import console, err_console, state
from shopmine.cli.helptext import choice
from shopmine.cli.output import progress
from shopmine.ingest import IngestOptions
from shopmine.io.mapping import MAPPABLE, parse_map_options, parse_products_map_options
from shopmine.io.presets import PRESETS
from shopmine.schema import PRODUCT_COLUMNS
from shopmine.shop import Shop


def ingest_command(
    ctx: typer.Context,
    files: Annotated[list[str], typer.Argument(help="Order files or globs: CSV (.csv, .csv.gz), Parquet, Excel.")],
    preset: Annotated[str | None, choice(PRESETS, "--preset", help="Known layout of an export's columns.")] = None,
    mapping: Annotated[list[str] | None, typer.Option("--map", metavar="<CANONICAL=SOURCE>", help="Column mapping; repeat or comma-separate. Canonical columns: " + ", ".join(MAPPABLE) + ".")] = None,
    date_format: Annotated[str | None, typer.Option(help="strftime format of the order date, e.g. '%d/%m/%Y %H:%M'.")] = None,
    timezone: Annotated[str | None, typer.Option(help="Shop time zone for zone-aware timestamps (IANA name).")] = None,
    delimiter: Annotated[str | None, typer.Option(help="CSV delimiter (sniffed when not given).")] = None,
    encoding: Annotated[str | None, typer.Option(help="CSV encoding: utf-8, utf-16, latin-1 (sniffed).")] = None,
    products: Annotated[list[str] | None, typer.Option(help="Products file (product_id, name, category, unit_cost, list_price; other columns are kept as attributes).")] = None,
    products_mapping: Annotated[list[str] | None, typer.Option("--products-map", metavar="<CANONICAL=SOURCE>", help="Column mapping of the products file; repeat or comma-separate. Canonical columns: " + ", ".join(PRODUCT_COLUMNS) + ".")] = None,
    customers: Annotated[list[str] | None, typer.Option(help="Customers file (customer_id and attributes).")] = None,
    pseudonymize: Annotated[bool | None, typer.Option("--pseudonymize/--no-pseudonymize", help="Replace customer ids and personal data by keyed tokens.")] = None,
    pii: Annotated[str | None, typer.Option(help="Extra columns to pseudonymise, comma-separated.")] = None,
    drop_duplicates: Annotated[bool | None, typer.Option("--drop-duplicates/--keep-duplicates", help="Quarantine exact duplicate lines (always counted).")] = None,
    earliest_order_date: Annotated[str | None, typer.Option(metavar="<YYYY-MM-DD>", help="Quarantine order dates before this day (default 1990-01-01).")] = None,
    future_order_days: Annotated[str | None, typer.Option(metavar="<days>", help="Quarantine order dates more than this many days after now (default 1).")] = None,
    allow_reload: Annotated[bool, typer.Option("--allow-reload", help="Load lines and files loaded before again, instead of quarantining them as duplicate_of_loaded_line.")] = False,
) -> None:
    """Load order files (and optional product/customer files) into the workspace."""
    ws = state(ctx).workspace(create=True, preset=preset, date_format=date_format, timezone=timezone, delimiter=delimiter,
                              encoding=encoding, pseudonymize=pseudonymize, pii=pii,
                              drop_duplicates=drop_duplicates, earliest_order_date=earliest_order_date,
                              future_order_days=future_order_days)
    s = ws.settings
    mapped = dict(ws.mapping)
    mapped.update(parse_map_options(mapping or []))
    products_mapped = dict(ws.products_mapping)
    products_mapped.update(parse_products_map_options(products_mapping or []))
    options = IngestOptions(preset=s.preset, mapping=mapped, products_mapping=products_mapped,
                            date_format=s.date_format, timezone=s.timezone,
                            delimiter=s.delimiter, encoding=s.encoding, pseudonymize=s.pseudonymize,
                            pii=tuple(s.pii), drop_duplicates=s.drop_duplicates,
                            earliest_order_date=s.earliest_order_date, future_order_days=s.future_order_days,
                            allow_reload=allow_reload)
    out = console()
    try:
        with progress(out, "reading files") as say:
            report = Shop(ws).ingest(files, options, products=products or [], customers=customers or [],
                                     progress=say)
    except KeyboardInterrupt:
        # The run is one transaction and its part files are removed: Ctrl-C keeps nothing of it.
        err_console().print("interrupted, nothing loaded")
        raise typer.Exit(130) from None
    table = Table(title=f"batch {report.batch_id}", header_style="bold")
    for col in ("file", "kind", "status", "rows in", "loaded", "quarantined", "duplicates", "dates"):
        table.add_column(col, justify="right" if col in ("rows in", "loaded", "quarantined", "duplicates") else "left")
    for f in report.files:
        table.add_row(Path(f.path).name, f.kind, f.status, f"{f.rows_in:,}", f"{f.rows_loaded:,}",
                      f"{f.rows_quarantined:,}", f"{f.duplicate_rows:,}", f.date_layout or "")
    out.print(table)
    for f in report.files:
        if f.status == "skipped":
            out.print(_already_loaded(f), markup=False)
        if f.pseudonymized_columns:
            replaced = ", ".join(f"{col} ({why})" for col, why in f.pseudonymized_columns.items())
            out.print(f"pseudonymised in {Path(f.path).name}: {replaced}", markup=False)
        if f.kind == "orders" and f.status == "loaded" and f.rows_in == 0:
            out.print(f"{Path(f.path).name}: no rows (header only), nothing loaded from it", markup=False)
    out.print(f"order rows: {report.rows_in:,} in = {report.rows_loaded:,} loaded + "
              f"{report.rows_quarantined:,} quarantined. Next: shopmine quality")


def _already_loaded(f) -> str:
    """Why a file was not loaded, and how to load it again: its batch has to go first."""
    name = Path(f.path).name
    if f.loaded_at is None:  # the same bytes as another file of this very ingest
        return f"{name}: the same content as a file loaded above in this batch; skipped"
    return (f"{name}: already loaded in batch {f.loaded_batch} on {f.loaded_at:%Y-%m-%d %H:%M} UTC; "
            f"`shopmine batches remove {f.loaded_batch}` to load it again with another mapping")


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest_command)
