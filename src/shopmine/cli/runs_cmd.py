"""``shopmine runs list|show RUN|delete RUN``: the analysis runs saved in the workspace."""

from __future__ import annotations

import json
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from shopmine.cli.context import console, state
from shopmine.cli.output import print_frame

runs_app = typer.Typer(help="Saved analysis runs (quality, forecast, segment, classify, clv, the report's "
                       "overviews): list, show or delete them.",
                       no_args_is_help=True)

#: Characters of the parameters column in `runs list`; `runs show` prints them whole.
SHORT_PARAMETERS = 60


def _short(analysis: str, parameters: dict) -> str:
    from shopmine.report.sections import parameters_beyond_defaults
    from shopmine.shop import Shop

    text = parameters_beyond_defaults(analysis, parameters, Shop)
    return text if len(text) <= SHORT_PARAMETERS else text[:SHORT_PARAMETERS - 3] + "..."


def _duration(seconds: float) -> str:
    return f"{seconds:,.1f} s" if seconds < 120 else f"{seconds / 60:,.1f} min"


@runs_app.command("list")
def list_command(
    ctx: typer.Context,
    analysis: Annotated[str | None, typer.Option("--analysis", help="Only this analysis: quality, forecast, "
                                                 "segments, classify or clv.")] = None,
) -> None:
    """Each saved run, oldest first: id, analysis, parameters, as-of date, status, when, how long, and whether
    a batch was loaded after it (stale)."""
    from shopmine.runs import list_runs, seen_batches, stale_batches

    workspace = state(ctx).workspace()
    entries = list_runs(workspace, analysis)
    out = console()
    if not entries:
        out.print("no saved runs yet; `shopmine quality`, `forecast`, `segment`, `classify` and `clv` save one "
                  "each time.")
        return
    current = seen_batches(workspace)  # read once, for the stale column of every run
    table = Table(title="saved runs", header_style="bold")
    table.add_column("run", no_wrap=True)  # an id is copied from here into `runs show`
    for col in ("analysis", "parameters", "as of", "status", "created (UTC)", "duration", "stale"):
        table.add_column(col, no_wrap=col != "parameters", justify="right" if col == "duration" else "left")
    for entry in entries:
        meta = entry.metadata
        if meta is None:
            table.add_row(entry.run_id, entry.analysis, "", "", "damaged", "", "", "")
            continue
        table.add_row(entry.run_id, entry.analysis, _short(entry.analysis, meta["parameters"]),
                      meta["as_of"] or "none (own table)",
                      meta["status"], meta["finished_at"].replace("T", " ")[:16], _duration(meta["duration_seconds"]),
                      "yes" if stale_batches(workspace, meta, current) else "no")
    out.print(table)
    for entry in entries:
        if entry.problem:
            out.print(f"{entry.run_id}: {entry.problem}")


@runs_app.command("show")
def show_command(
    ctx: typer.Context,
    run: Annotated[str, typer.Argument(help="The run id, as `shopmine runs list` shows it.")],
) -> None:
    """The run's metadata, metrics and tables (with their rows), read back and verified, not recomputed."""
    from shopmine.runs import load_run, stale_batches

    workspace = state(ctx).workspace()
    saved = load_run(workspace, run)
    meta, out = saved.metadata, console()
    out.print(f"run {meta['run_id']}: {meta['title']}")
    for key in ("analysis", "status", "command", "as_of", "engine", "started_at", "finished_at"):
        out.print(f"  {key}: {meta[key]}")
    out.print(f"  duration: {_duration(meta['duration_seconds'])}")
    out.print(f"  parameters: {json.dumps(meta['parameters'], ensure_ascii=False)}")
    out.print(f"  batches: {', '.join(meta['batches']) or 'none'}")
    since = stale_batches(workspace, meta)
    out.print(f"  stale: {'yes, batches since: ' + ', '.join(since) if since else 'no'}")
    for model in meta["models"]:
        out.print(f"  model {model['key']}: registry {model['name']} v{model['version']} ({model['format']})")
    out.print(f"  versions: {', '.join(f'{k} {v}' for k, v in meta['library_versions'].items() if v)}")
    out.print(saved.result.summary)
    tables = pd.DataFrame({"table": list(meta["tables"]), "rows": [t["rows"] for t in meta["tables"].values()]})
    print_frame(out, tables, "tables", max_rows=len(tables))
    scalars = {k: v for k, v in saved.result.metrics.items() if not isinstance(v, (dict, list))
               and not (isinstance(v, str) and "\n" in v)}
    metrics = pd.DataFrame({"metric": list(scalars), "value": pd.Series(list(scalars.values()), dtype=object)})
    print_frame(out, metrics, "metrics", max_rows=len(scalars))
    if meta["figures"]:
        out.print(f"figures: {', '.join(meta['figures'])}")


@runs_app.command("delete")
def delete_command(
    ctx: typer.Context,
    run: Annotated[str, typer.Argument(help="The run id, as `shopmine runs list` shows it.")],
) -> None:
    """Delete a saved run and the model versions only it used (a version another run uses stays)."""
    from shopmine.runs import delete_run

    deleted = delete_run(state(ctx).workspace(), run)
    out = console()
    out.print(f"deleted run {run} ({deleted.analysis}).")

    def versions(models: list[dict]) -> str:
        return ", ".join(f"{m['name']} v{m['version']}" for m in models)

    if deleted.models_removed:
        out.print(f"removed its model versions from the registry: {versions(deleted.models_removed)}.")
    if deleted.models_kept:
        out.print(f"kept the model versions another run uses: {versions(deleted.models_kept)}.")


def register(app: typer.Typer) -> None:
    app.add_typer(runs_app, name="runs")
