"""Printing and saving an AnalysisResult from a command: the shell side of the result type."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

from shopmine.atomic import atomic_path
from shopmine.currency import format_amount
from shopmine.plain_text import one_line
from shopmine.errors import invalid_value
from shopmine.report.csv_output import write_csv
from shopmine.result import AnalysisResult

TABLE_SUFFIXES = (".csv", ".parquet", ".json")


def check_outputs(*, output: Path | None = None, metrics_output: Path | None = None,
                  output_dir: Path | None = None, output_suffixes: tuple[str, ...] = TABLE_SUFFIXES) -> None:
    """The one rule of every command's ``--output``, ``--metrics-output`` and ``--output-dir``, checked
    before any work (an analysis may take minutes): a known suffix (a table: ``output_suffixes``;
    metrics: ``.json``), and a path that can be created. Missing parent folders are created when the
    result is written (:mod:`shopmine.atomic`), in every command alike; a file where a folder must go
    is refused.

    Errors name the parameters (``output`` ...); the CLI's handler names the options.
    """
    for parameter, path, suffixes in (("output", output, output_suffixes), ("metrics_output", metrics_output,
                                                                              (".json",)),
                                      ("output_dir", output_dir, None)):
        if path is None:
            continue
        path = Path(path)
        if suffixes is not None and path.suffix.lower() not in suffixes:
            names = ", ".join(suffixes[:-1]) + (" or " if len(suffixes) > 1 else "") + suffixes[-1]
            raise invalid_value(parameter, f"a {names} file name", path)
        if suffixes is None and path.exists() and not path.is_dir():
            raise invalid_value(parameter, "a folder, not a file", path)
        blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            raise invalid_value(parameter, "a path whose folders can be created", path,
                                fix=f"{blocker} is a file.")


def write_json(body, path: Path) -> None:
    """Write plain JSON (numpy/pandas values made plain), atomically."""
    import json

    from shopmine.atomic import atomic_write_text
    from shopmine.result import to_jsonable

    atomic_write_text(Path(path), json.dumps(to_jsonable(body), indent=2) + "\n")


def write_table(df: pd.DataFrame, path: Path) -> None:
    """Write one table, atomically, in the format its extension names."""
    suffix = path.suffix.lower()
    with atomic_path(path) as tmp:
        if suffix == ".csv":
            # Formulas neutralised for spreadsheets (README, SECURITY.md); Parquet/JSON stay raw.
            write_csv(df, tmp)
        elif suffix == ".parquet":
            df.to_parquet(tmp, index=False)
        else:
            df.to_json(tmp, orient="records", date_format="iso", indent=1)


def print_metrics(console: Console, result: AnalysisResult, keys: list[str] | None = None,
                  formats: dict | None = None) -> None:
    """Print the result's metrics (those in ``keys``); ``formats`` as in :func:`print_frame`."""
    formats = formats or {}
    table = Table(title=result.title, show_header=True, header_style="bold")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in result.metrics.items():
        if keys is not None and key not in keys:
            continue
        if isinstance(value, dict):
            continue
        table.add_row(key, formats.get(key, _fmt)(value))
    console.print(table)


def amount(value, currency: str | None = None) -> str:
    """An amount for people: ``171,500`` from 1,000 up, ``12.35`` below, empty when missing, with the
    shop's currency when it has one (:func:`shopmine.currency.format_amount`).

    >>> amount(171499.6), amount(12.345, "GBP"), amount(171499.6, "SEK"), amount(float("nan"))
    ('171,500', '£12.35', '171,500 SEK', '')
    """
    return format_amount(value, currency)


def money(currency: str | None):
    """:func:`amount` in ``currency``, as a cell formatter for :func:`print_frame`."""
    return lambda value: amount(value, currency)


def percent(share) -> str:
    """A share for people: ``14.6 %`` from 0.146, empty when missing.

    >>> percent(0.146), percent(-0.5), percent(None)
    ('14.6 %', '-50.0 %', '')
    """
    if share is None or pd.isna(share):
        return ""
    return f"{share * 100:,.1f} %"


def print_frame(console: Console, df: pd.DataFrame, title: str, max_rows: int = 20,
                max_columns: int = 8, formats: dict | None = None) -> None:
    """Print a table; ``formats`` maps column names to a function that writes a cell (e.g. :func:`percent`)."""
    hidden = max(0, df.shape[1] - max_columns)
    df = df.iloc[:, :max_columns]
    if hidden:
        title += f" (first {max_columns} of {max_columns + hidden} columns; --output writes all)"
    table = Table(title=title, header_style="bold")
    for col in df.columns:
        table.add_column(one_line(str(col)), justify="right" if pd.api.types.is_numeric_dtype(df[col]) else "left")
    formats = formats or {}
    cells = [formats.get(col, _fmt) for col in df.columns]
    for row in df.head(max_rows).itertuples(index=False):
        # Cells hold the shop's ids and names and the user's column names: no escape sequence reaches
        # the terminal (the console already prints without markup).
        table.add_row(*(one_line(fmt(v)) for fmt, v in zip(cells, row)))
    console.print(table)
    if len(df) > max_rows:
        console.print(f"  showing {max_rows} of {len(df):,} rows")


def _fmt(value) -> str:
    """A metric for people: four significant digits, whole numbers from 10,000 (never ``1.901e+04``).

    >>> [_fmt(v) for v in (0.91853, 1234.56, 19011.2, 8297743.1, 3, float("nan"), None, True)]
    ['0.9185', '1,235', '19,011', '8,297,743', '3', '', '', 'yes']
    """
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


@contextmanager
def progress(console: Console, first: str) -> Iterator:
    """Report long work: a Rich progress bar on a terminal, plain lines on stderr otherwise.

    Yields ``say(message, done=None, total=None)``. With ``done`` and ``total`` the bar fills (and a
    plain line reads ``[done/total] message``); without them it shows the step. Plain lines keep a
    piped or logged run informative without the terminal's control codes; they go to stderr so that
    stdout stays the command's result.
    """
    if not sys.stdout.isatty():
        last = [None]

        def plain(msg: str, done: int | None = None, total: int | None = None) -> None:
            count = f"[{done}/{total}] " if done is not None and total else ""
            line = f"... {count}{msg}"
            if line != last[0]:  # the command's first step is often the library's first message too
                print(line, file=sys.stderr, flush=True)
                last[0] = line

        plain(first)
        yield plain
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), console=console, transient=True)
    with bar:
        task = bar.add_task(first, total=None)

        def update(msg: str, done: int | None = None, total: int | None = None) -> None:
            bar.update(task, description=msg, **({"completed": done, "total": total} if total else {}))

        yield update


def write_outputs(console: Console, result: AnalysisResult, *, table: pd.DataFrame | None = None,
                  output: Path | None = None, metrics_output: Path | None = None,
                  output_dir: Path | None = None) -> None:
    """Write what a command was asked for, the same way in every command, and name the saved run.

    ``table`` goes to ``output`` (its format from the suffix), the result's metrics to ``metrics_output``,
    the whole result (``index.html``, plots, tables, ``metrics.json``) to ``output_dir``; each path was
    checked by :func:`check_outputs` before the work began.
    """
    from shopmine.report import write_result_folder  # the HTML renderer only when a folder is asked for

    if output is not None:
        write_table(table, output)
        console.print(f"written: {output}")
    if metrics_output is not None:
        result.write_metrics(metrics_output)
        console.print(f"written: {metrics_output}")
    if output_dir is not None:
        write_result_folder(result, output_dir)
        console.print(f"written: {output_dir / 'index.html'} (plots, tables, metrics.json)")
    print_saved_run(console, result)


def print_saved_run(console: Console, result: AnalysisResult) -> None:
    """Name the run an analysis was saved as (:mod:`shopmine.runs`), if it was."""
    if result.run_id:
        console.print(f"saved run: {result.run_id} (`shopmine runs show {result.run_id}`)")

